package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * An EC2 endpoint (Query protocol, XML answers) on a WireMock server serving {@code DescribeRegions} for several
 * accounts at once: the account is told by the access key id in the SigV4 {@code Authorization} header
 * ({@code Credential=AKID/date/region/ec2/aws4_request}), so a multi-account test gives each account's credentials
 * their own key. An unknown key gets AuthFailure, as from EC2. Register it with {@code @RegisterExtension}, or
 * {@link #open()} and {@link #close()} it; point code at it with {@link #endpointEnv()}.
 */
public final class FakeEc2 extends FakeEndpoint implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");

    private final Map<String, List<String>> regions = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final ScriptedFaults scripted = new ScriptedFaults();

    public FakeEc2() {
        super("fake-ec2", 17);
    }

    // ---- lifecycle

    @Override
    public void beforeEach(ExtensionContext context) {
        open();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The environment that sends EC2 calls here: {@code AWS_ENDPOINT_URL_EC2}. */
    public Map<String, String> endpointEnv() {
        return Map.of("AWS_ENDPOINT_URL_EC2", baseUrl());
    }

    // ---- the model

    /** The regions enabled in the account whose credentials use this access key id. */
    public FakeEc2 enabledRegions(String accessKeyId, List<String> names) {
        regions.put(accessKeyId, List.copyOf(names));
        denied.remove(accessKeyId);
        return this;
    }

    /** DescribeRegions signed with this key is refused: HTTP 403 UnauthorizedOperation, as EC2 refuses it. */
    public FakeEc2 accessDenied(String accessKeyId) {
        denied.add(accessKeyId);
        return this;
    }

    // ---- faults

    /** The next {@code times} requests fail with HTTP 500 InternalError. */
    public FakeEc2 serverErrors(int times) {
        scripted.add(Faults.Kind.SERVER_ERROR, times);
        return this;
    }

    /** The next {@code times} requests are throttled: HTTP 503 RequestLimitExceeded, as from EC2. */
    public FakeEc2 throttle(int times) {
        scripted.add(Faults.Kind.THROTTLE, times);
        return this;
    }

    /** The next {@code times} connections are reset. */
    public FakeEc2 resets(int times) {
        scripted.add(Faults.Kind.RESET, times);
        return this;
    }

    // ---- what was asked

    public List<LoggedRequest> describeRegionsRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeRegions")));
    }

    /** The DescribeRegions requests signed with this access key id. */
    public List<LoggedRequest> describeRegionsRequests(String accessKeyId) {
        return describeRegionsRequests().stream().filter(r -> accessKeyId.equals(accessKeyId(r.getHeader("Authorization")))).toList();
    }

    /** Every request received, whatever it was, faults included. */
    public int requestCount() {
        return server.findAll(anyRequestedFor(anyUrl())).size();
    }

    /** The access key id in a SigV4 Authorization header, or null. */
    public static String accessKeyId(String authorization) {
        if (authorization == null) {
            return null;
        }
        Matcher m = CREDENTIAL.matcher(authorization);
        return m.find() ? m.group(1) : null;
    }

    // ---- serving

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Faults.Kind fault = scripted.draw();
        if (fault == null) {
            fault = faults().draw("DescribeRegions");
        }
        if (fault != null) {
            switch (fault) {
                case THROTTLE:
                    return error(503, "RequestLimitExceeded", "Request limit exceeded.");
                case SERVER_ERROR:
                    return error(500, "InternalError", "An internal error has occurred.");
                case DOWN:
                    return error(503, "Unavailable", "The server is overloaded and can't handle the request.");
                case RESET:
                    return Faults.reset().build();
                default:
                    break;
            }
        }
        String body = event.getRequest().getBodyAsString();
        if (body == null || !body.contains("Action=DescribeRegions")) {
            return error(400, "InvalidAction", "The action is not valid for this web service.");
        }
        String key = accessKeyId(event.getRequest().getHeader("Authorization"));
        if (key == null || (!regions.containsKey(key) && !denied.contains(key))) {
            return error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
        }
        if (denied.contains(key)) {
            return error(403, "UnauthorizedOperation", "You are not authorized to perform this operation. "
                    + "User: arn:aws:sts::222222222222:assumed-role/auditor/session is not authorized to perform: "
                    + "ec2:DescribeRegions because no identity-based policy allows the ec2:DescribeRegions action");
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
                + "    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n    <regionInfo>\n");
        for (String region : regions.get(key)) {
            xml.append("        <item>\n            <regionName>").append(region).append("</regionName>\n")
                    .append("            <regionEndpoint>ec2.").append(region).append(".amazonaws.com</regionEndpoint>\n")
                    .append("            <optInStatus>opt-in-not-required</optInStatus>\n        </item>\n");
        }
        xml.append("    </regionInfo>\n</DescribeRegionsResponse>\n");
        return xml(200, xml.toString());
    }

    static ResponseDefinition error(int status, String code, String message) {
        return xml(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code
                + "</Code><Message>" + message + "</Message></Error></Errors>"
                + "<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>");
    }

    private static ResponseDefinition xml(int status, String body) {
        return new ResponseDefinitionBuilder().withStatus(status)
                .withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody(body).build();
    }
}
