package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * An SNS endpoint speaking the Query protocol on a WireMock server. It accepts or fails publishes (all of
 * them, or a share drawn by {@link Faults}), and records what it accepted.
 */
public final class FakeSns extends FakeEndpoint {

    static final String NAME = "fake-sns";

    private final List<Map<String, String>> accepted = new ArrayList<>();
    private final List<Long> acceptedNanos = new ArrayList<>();

    FakeSns() {
        super(NAME, 7);
    }
    private volatile int failStatus;
    private volatile String failCode;





    public void acceptPublishes() {
        failStatus = 0;
    }

    /** Every publish fails with this status and error code. */
    public void failPublishes(int status, String code) {
        failCode = code;
        failStatus = status;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Map<String, String> form = form(event.getRequest().getBodyAsString());
        String action = form.getOrDefault("Action", "");
        if (failStatus != 0) {
            return error(failStatus, failCode);
        }
        Faults.Kind fault = faults().draw(action);
        if (fault != null) {
            switch (fault) {
                case THROTTLE:
                    return error(400, "Throttling");
                case SERVER_ERROR:
                    return error(500, "InternalError");
                case DOWN:
                    return error(503, "ServiceUnavailable");
                case RESET:
                    return Faults.reset().build();
                default:
                    break; // DELAY: answer, late
            }
        }
        if (!action.equals("Publish")) {
            return error(400, "InvalidAction");
        }
        synchronized (accepted) {
            accepted.add(form);
            acceptedNanos.add(System.nanoTime());
        }
        return new ResponseDefinitionBuilder().withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withFixedDelay(fault == Faults.Kind.DELAY ? faults().delayMillis() : null)
                .withBody("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>"
                        + UUID.randomUUID() + "</MessageId></PublishResult><ResponseMetadata><RequestId>"
                        + UUID.randomUUID() + "</RequestId></ResponseMetadata></PublishResponse>")
                .build();
    }

    private static ResponseDefinition error(int status, String code) {
        return new ResponseDefinitionBuilder().withStatus(status)
                .withHeader("Content-Type", "text/xml")
                .withBody("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>"
                        + (status < 500 ? "Sender" : "Receiver") + "</Type><Code>" + code
                        + "</Code><Message>injected</Message></Error><RequestId>" + UUID.randomUUID()
                        + "</RequestId></ErrorResponse>")
                .build();
    }

    public List<LoggedRequest> publishRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=Publish")));
    }

    /** The decoded form parameters of each publish request, in order, accepted or not. */
    public List<Map<String, String>> publishes() {
        return publishRequests().stream().map(r -> form(r.getBodyAsString())).toList();
    }

    /** The decoded form parameters of each publish SNS accepted, in order. */
    public List<Map<String, String>> delivered() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    /** When each accepted publish was accepted ({@link System#nanoTime()}), in order: for the benchmark. */
    public List<Long> acceptedNanos() {
        synchronized (accepted) {
            return List.copyOf(acceptedNanos);
        }
    }

    public static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
