package dev.ssmauditor.aws;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SigV4-signed POSTs for the two calls the organisation sweep makes without an SDK client (ListAccounts,
 * DescribeRegions): the SDK's organizations and account modules are not available, and its ec2 module is a 26 MB jar
 * for one call. Requests go over the SDK clients' own HTTP client and are retried as the SDK's STANDARD strategy
 * would retry them (see {@link AwsClientFactory}): throttling, 5xx and I/O errors, with full-jitter exponential
 * backoff from the {@link RetryPolicy}; a refusal is not retried.
 */
public final class SignedAwsRequests {

    /** The SDK's throttling error codes (AwsErrorCode.THROTTLING_ERROR_CODES) that these services use. */
    private static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "ThrottledException",
            "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
            "EC2ThrottledException", "SlowDown", "BandwidthLimitExceeded", "PriorRequestNotComplete");
    private static final Set<String> ACCESS_DENIED = Set.of("AccessDenied", "AccessDeniedException",
            "UnauthorizedOperation", "AuthFailure");
    private static final int MAX_ERROR_TEXT = 300;

    private final SdkHttpClient http;
    private final RetryPolicy retry;
    private final JsonFactory json;
    private final JsonLog log;
    private final CallBudget budget;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param http  the HTTP client the SDK clients share ({@link AwsClientFactory#signedRequests})
     * @param json  reads the JSON protocol's error bodies
     * @param log   where retries and failures are logged, as {@link CallLogger} logs the SDK clients'; null for none
     */
    public SignedAwsRequests(SdkHttpClient http, RetryPolicy retry, JsonFactory json, JsonLog log) {
        this(http, retry, json, log, CallBudget.unlimited());
    }

    /** @param budget the invocation's time: a call with its retries ends {@link CallBudget#MARGIN} before it does */
    public SignedAwsRequests(SdkHttpClient http, RetryPolicy retry, JsonFactory json, JsonLog log, CallBudget budget) {
        this.budget = budget;
        this.http = http;
        this.retry = retry;
        this.json = json;
        this.log = log;
    }

    /**
     * An AWS JSON 1.1 call ({@code POST /} with {@code X-Amz-Target}).
     *
     * @param target e.g. {@code AWSOrganizationsV20161128.ListAccounts}
     * @return the response body of the successful attempt
     * @throws AwsCallException when refused, or still failing after the retries
     */
    public String json11(AwsEndpoint endpoint, AwsCredentialsProvider credentials, String target, String body) {
        return send(endpoint, credentials, target.substring(target.indexOf('.') + 1),
                Map.of("Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", target), body, false);
    }

    /**
     * An AWS Query protocol call, as EC2 speaks it ({@code POST /} with a form body naming the action).
     *
     * @param action the action named in the body, for the log and error messages
     * @param form   the URL-encoded body, e.g. {@code Action=DescribeRegions&Version=2016-11-15}
     */
    public String query(AwsEndpoint endpoint, AwsCredentialsProvider credentials, String action, String form) {
        return send(endpoint, credentials, action,
                Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), form, true);
    }

    private String send(AwsEndpoint endpoint, AwsCredentialsProvider credentials, String operation,
                        Map<String, String> headers, String body, boolean xml) {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint.uri())
                .putHeader("Content-Length", Integer.toString(payload.length));
        if (unsigned.encodedPath() == null || unsigned.encodedPath().isEmpty()) {
            unsigned.encodedPath("/");
        }
        headers.forEach(unsigned::putHeader);
        SdkHttpRequest request = unsigned.build();
        String what = endpoint.signingName() + ":" + operation;
        long deadline = System.nanoTime() + budget.nextCallTimeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            // Resolved at every attempt: an assumed role's provider refreshes credentials that are about to expire.
            AwsCredentialsIdentity identity = credentials(credentials, what, attempt);
            SignedRequest signed = signer.sign(r -> r.identity(identity).request(request)
                    .payload(ContentStreamProvider.fromByteArrayUnsafe(payload))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, endpoint.signingName())
                    .putProperty(AwsV4HttpSigner.REGION_NAME, endpoint.signingRegion()));
            Failure failure;
            try {
                HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                        .request(signed.request()).contentStreamProvider(signed.payload().orElse(null)).build()).call();
                String text = read(response);
                SdkHttpResponse head = response.httpResponse();
                if (head.isSuccessful()) {
                    return text;
                }
                failure = failure(head, text, xml);
            } catch (IOException e) {
                // A reset, a refused connection, a timed-out attempt: retried, as the SDK retries them.
                failure = new Failure(0, null, e.getClass().getSimpleName() + ": " + e.getMessage(), false, false, true, e);
            }
            Duration delay = failure.retryable() && attempt < retry.maxAttempts() ? backoff(attempt, failure.throttled()) : null;
            // An attempt may take its whole timeout: none is started that could outlast the call's time.
            if (delay == null || System.nanoTime() + delay.toNanos() + retry.attemptTimeout().toNanos() >= deadline) {
                logFailure(true, what, attempt, failure);
                throw new AwsCallException(what + " failed" + (attempt > 1 ? " after " + attempt + " attempts" : "")
                        + ": " + failure.describe(), failure.accessDenied(), failure.status(), failure.code(), attempt,
                        failure.cause());
            }
            logFailure(false, what, attempt, failure);
            sleep(delay);
        }
    }

    private AwsCredentialsIdentity credentials(AwsCredentialsProvider provider, String what, int attempt) {
        try {
            return provider.resolveCredentials();
        } catch (SdkException e) {
            // An assumed role refused (no role, no trust) is a refusal like any other; the SDK's STS client has
            // already retried what was worth retrying.
            boolean denied = e instanceof AwsServiceException s && (s.statusCode() == 403
                    || (s.awsErrorDetails() != null && ACCESS_DENIED.contains(s.awsErrorDetails().errorCode())));
            String code = e instanceof AwsServiceException s && s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : null;
            throw new AwsCallException(what + ": no credentials to sign the call with: " + e.getMessage(), denied,
                    e instanceof AwsServiceException s ? s.statusCode() : 0, code, attempt, e);
        }
    }

    private Failure failure(SdkHttpResponse head, String body, boolean xml) {
        int status = head.statusCode();
        String code = null;
        String message = null;
        if (xml) {
            QueryXml.Error error = QueryXml.error(body);
            if (error != null) {
                code = error.code();
                message = error.message();
            }
        } else {
            // JSON 1.1 names the error in a header, "Code:http://internal..." at times, or in __type, "prefix#Code".
            code = head.firstMatchingHeader("x-amzn-ErrorType").map(t -> t.split(":", 2)[0]).orElse(null);
            try {
                Map<String, Object> object = JsonValues.object(JsonValues.read(json, body));
                if (object != null) {
                    String type = JsonValues.text(object.get("__type"));
                    if (code == null && type != null) {
                        code = type.substring(type.lastIndexOf('#') + 1);
                    }
                    message = JsonValues.text(object.containsKey("message") ? object.get("message") : object.get("Message"));
                }
            } catch (IOException | RuntimeException notJson) {
                // A proxy's or load balancer's page: the status decides.
            }
        }
        if (message == null && body != null && !body.isBlank()) {
            message = body.strip();
        }
        boolean throttled = status == 429 || (code != null && THROTTLING.contains(code));
        // 401 too: EC2's AuthFailure comes with it, and the URL connection client drops a 401's body, code and all.
        boolean denied = status == 401 || status == 403 || (code != null && ACCESS_DENIED.contains(code));
        boolean retryable = !denied && (throttled || status >= 500);
        return new Failure(status, code, message, denied, throttled, retryable, null);
    }

    /** Full jitter, as the SDK's exponentialDelay: uniform in [0, min(max, base * 2^(attempt-1))]. */
    private Duration backoff(int attempt, boolean throttled) {
        Duration base = throttled ? retry.throttlingBaseDelay() : retry.baseDelay();
        Duration max = throttled ? retry.throttlingMaxDelay() : retry.maxDelay();
        long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AwsCallException("interrupted while waiting to retry", false, 0, null, 0, e);
        }
    }

    private static String read(HttpExecuteResponse response) throws IOException {
        if (response.responseBody().isEmpty()) {
            return "";
        }
        try (InputStream in = response.responseBody().get()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void logFailure(boolean last, String what, int attempt, Failure failure) {
        if (log == null) {
            return;
        }
        Map<String, Object> fields = JsonLog.fields("service", what.substring(0, what.indexOf(':')),
                "operation", what.substring(what.indexOf(':') + 1), "attempt", attempt, "status", failure.status());
        if (failure.code() != null) {
            fields.put("error", failure.code());
        }
        fields.put("cause", failure.describe());
        if (last) {
            log.error("AWS call failed", fields);
        } else {
            log.warn("retrying AWS call", fields);
        }
    }

    /** What went wrong with one attempt. */
    private record Failure(int status, String code, String message, boolean accessDenied, boolean throttled,
                           boolean retryable, Throwable cause) {

        String describe() {
            String text = message == null ? "" : message.length() > MAX_ERROR_TEXT ? message.substring(0, MAX_ERROR_TEXT) + "..." : message;
            if (status == 0) {
                return text;
            }
            return "HTTP " + status + (code == null ? "" : " " + code) + (text.isEmpty() ? "" : ": " + text);
        }
    }
}
