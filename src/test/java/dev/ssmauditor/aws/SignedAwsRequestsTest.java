package dev.ssmauditor.aws;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.testing.FakeOrganizations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.sts.model.StsException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Signing, sending and retrying, on the wire, through the real URL connection client. */
class SignedAwsRequestsTest {

    private static final String BODY = "{\"MaxResults\":20}";

    @RegisterExtension
    final FakeOrganizations organizations = new FakeOrganizations();

    private final SdkHttpClient http = Wire.http();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final SignedAwsRequests requests = Wire.requests(http,
            new JsonLog(new PrintStream(logged, true, StandardCharsets.UTF_8), LogLevel.INFO, Wire.JSON));

    @AfterEach
    void closeHttp() {
        http.close();
    }

    private AwsEndpoint endpoint() {
        return new AwsEndpoint(URI.create(organizations.baseUrl()), "organizations", "us-east-1");
    }

    private String listAccounts(AwsCredentialsProvider credentials) {
        return requests.json11(endpoint(), credentials, FakeOrganizations.LIST_ACCOUNTS, BODY);
    }

    @Test
    void aJsonCallIsSignedWithSigV4ForItsServiceAndRegion() {
        organizations.accounts(List.of());

        assertThat(listAccounts(Wire.basic("AKIDHUB"))).contains("\"Accounts\":[]");

        LoggedRequest r = organizations.listAccountsRequests().get(0);
        assertThat(r.getHeader("X-Amz-Target")).isEqualTo("AWSOrganizationsV20161128.ListAccounts");
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(r.getBodyAsString()).isEqualTo(BODY);
        assertThat(r.getHeader("Authorization"))
                .matches("AWS4-HMAC-SHA256 Credential=AKIDHUB/\\d{8}/us-east-1/organizations/aws4_request, "
                        + "SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}");
        assertThat(signedHeaders(r)).contains("host", "x-amz-date", "x-amz-target", "content-type");
        assertThat(r.containsHeader("X-Amz-Security-Token")).isFalse();
    }

    @Test
    void theSignatureCoversWhatWentOnTheWire() {
        organizations.accounts(List.of());
        AwsCredentialsProvider credentials = Wire.session("ASIAHUB", "token-1");
        listAccounts(credentials);

        // Signed again from the headers and body the server received, at the time they carry: the same signature
        // unless something changed the request after it was signed.
        LoggedRequest r = organizations.listAccountsRequests().get(0);
        SdkHttpRequest.Builder received = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create(organizations.baseUrl() + "/"));
        for (String name : signedHeaders(r)) {
            if (!name.equals("host")) {
                received.putHeader(name, r.getHeader(name));
            }
        }
        Instant at = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(r.getHeader("X-Amz-Date"), Instant::from);
        SignedRequest again = AwsV4HttpSigner.create().sign(s -> s.identity(credentials.resolveCredentials())
                .request(received.build())
                .payload(ContentStreamProvider.fromUtf8String(r.getBodyAsString()))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "organizations")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));

        assertThat(again.request().firstMatchingHeader("Authorization")).contains(r.getHeader("Authorization"));
    }

    @Test
    void sessionCredentialsSendTheirTokenAndSignIt() {
        organizations.accounts(List.of());

        listAccounts(Wire.session("ASIAHUB", "FwoGZXIvYXdzEBAaDH+session/token=="));

        LoggedRequest r = organizations.listAccountsRequests().get(0);
        assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo("FwoGZXIvYXdzEBAaDH+session/token==");
        assertThat(r.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=ASIAHUB/");
        assertThat(signedHeaders(r)).contains("x-amz-security-token");
    }

    @Test
    void throttlingIsRetriedThenTheCallSucceeds() {
        organizations.accounts(List.of()).throttle(2);

        assertThat(listAccounts(Wire.basic("AKIDHUB"))).contains("Accounts");

        assertThat(organizations.requestCount()).isEqualTo(3);
        assertThat(logLines()).filteredOn(l -> l.contains("retrying AWS call")).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("\"error\":\"TooManyRequestsException\"", "\"status\":400",
                        "\"operation\":\"ListAccounts\""));
    }

    @Test
    void serverErrorsAndResetConnectionsAreRetried() {
        organizations.accounts(List.of()).serverErrors(1).resets(1);

        assertThat(listAccounts(Wire.basic("AKIDHUB"))).contains("Accounts");

        assertThat(organizations.requestCount()).isEqualTo(3);
    }

    @Test
    void aCallStillFailingAfterItsAttemptsFailsWithTheLastError() {
        organizations.accounts(List.of()).serverErrors(10);

        AwsCallException e = catchThrowableOfType(AwsCallException.class, () -> listAccounts(Wire.basic("AKIDHUB")));

        assertThat(organizations.requestCount()).isEqualTo(Wire.FAST.maxAttempts());
        assertThat(e.accessDenied()).isFalse();
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.errorCode()).isEqualTo("ServiceException");
        assertThat(e.attempts()).isEqualTo(3);
        assertThat(e).hasMessageContaining("organizations:ListAccounts failed after 3 attempts: HTTP 500 ServiceException");
        assertThat(logLines()).filteredOn(l -> l.contains("\"level\":\"ERROR\"") && l.contains("AWS call failed")).hasSize(1);
    }

    @Test
    void accessDeniedIsARefusalAndIsNotRetried() {
        organizations.accessDenied();

        AwsCallException e = catchThrowableOfType(AwsCallException.class, () -> listAccounts(Wire.basic("AKIDHUB")));

        assertThat(organizations.requestCount()).isEqualTo(1);
        assertThat(e.accessDenied()).isTrue();
        assertThat(e.errorCode()).isEqualTo("AccessDeniedException");
        assertThat(e).hasMessageContaining("You don't have permissions to access this resource.");
    }

    @Test
    void otherRefusalsAreNotRetriedEither() {
        organizations.refuse("InvalidInputException");

        AwsCallException e = catchThrowableOfType(AwsCallException.class, () -> listAccounts(Wire.basic("AKIDHUB")));

        assertThat(organizations.requestCount()).isEqualTo(1);
        assertThat(e.accessDenied()).isFalse();
        assertThat(e.errorCode()).isEqualTo("InvalidInputException");
    }

    @Test
    void aForbiddenAnswerWithoutAnErrorCodeIsARefusal() {
        organizations.server().stubFor(post(urlEqualTo("/")).atPriority(1)
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/html").withBody("<html>Forbidden</html>")));

        AwsCallException e = catchThrowableOfType(AwsCallException.class, () -> listAccounts(Wire.basic("AKIDHUB")));

        assertThat(organizations.requestCount()).isEqualTo(1);
        assertThat(e.accessDenied()).isTrue();
        assertThat(e.errorCode()).isNull();
    }

    @Test
    void theErrorTypeHeaderNamesTheErrorWhenTheBodyDoesNot() {
        organizations.server().stubFor(post(urlEqualTo("/")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/")
                        .withBody("")));

        AwsCallException e = catchThrowableOfType(AwsCallException.class, () -> listAccounts(Wire.basic("AKIDHUB")));

        assertThat(e.errorCode()).isEqualTo("ThrottlingException");
        assertThat(organizations.requestCount()).isEqualTo(3); // throttling: retried
    }

    @Test
    void credentialsThatCannotBeHadAreARefusalWithoutACall() {
        AtomicInteger asked = new AtomicInteger();
        AwsCredentialsProvider refused = () -> {
            asked.incrementAndGet();
            throw StsException.builder().statusCode(403).message("not authorized to perform: sts:AssumeRole")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").build()).build();
        };

        AwsCallException e = catchThrowableOfType(AwsCallException.class, () -> listAccounts(refused));

        assertThat(e.accessDenied()).isTrue();
        assertThat(e).hasMessageContaining("no credentials to sign the call with").hasMessageContaining("sts:AssumeRole");
        assertThat(asked).hasValue(1);
        assertThat(organizations.requestCount()).isZero();
    }

    private static List<String> signedHeaders(LoggedRequest r) {
        Matcher m = Pattern.compile("SignedHeaders=([^,]+)").matcher(r.getHeader("Authorization"));
        assertThat(m.find()).isTrue();
        return List.of(m.group(1).split(";"));
    }

    private List<String> logLines() {
        return logged.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
