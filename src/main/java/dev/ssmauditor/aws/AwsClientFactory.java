package dev.ssmauditor.aws;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Duration;
import java.util.Map;

/**
 * Builds the SDK clients once per execution environment. Endpoints and credentials are left to the
 * SDK's standard configuration ({@code AWS_ENDPOINT_URL_SSM}, {@code AWS_ENDPOINT_URL_SNS}, {@code AWS_ENDPOINT_URL_DYNAMODB}, the default
 * credentials chain, which SnapStart's container credentials need); only the region is read directly
 * when {@code AWS_REGION} is set, which saves the region chain's file and metadata look-ups.
 */
public final class AwsClientFactory {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private final Region region;
    private final SdkHttpClient http;
    private final RetryPolicy retry;
    private final JsonLog log;

    /** Clients that do not log their retries (terminal runs, tests of other things). */
    public AwsClientFactory(Map<String, String> env) {
        this(env, RetryPolicy.LAMBDA, null);
    }

    public AwsClientFactory(Map<String, String> env, RetryPolicy retry, JsonLog log) {
        this(env, retry, log, null);
    }

    /**
     * @param http the HTTP client for every SDK client; null for the default, the JDK's URL connection client
     *             (the benchmark passes others to compare)
     */
    public AwsClientFactory(Map<String, String> env, RetryPolicy retry, JsonLog log, SdkHttpClient http) {
        String name = env.get("AWS_REGION");
        this.region = name == null || name.isBlank() ? new DefaultAwsRegionProviderChain().getRegion() : Region.of(name.trim());
        this.retry = retry;
        this.log = log;
        this.http = http != null ? http : UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(retry.attemptTimeout())
                .build();
    }

    /**
     * The JDK keeps only 5 idle connections per host by default ({@code http.maxConnections}): with more account-regions
     * audited at once, every call past the fifth would open a new connection, TLS handshake and all. The JDK reads it
     * once, before its first connection, so it is set before any client exists, unless the operator set it.
     *
     * @param callsAtOnce how many calls the function may have in flight to one endpoint
     */
    public static void keepIdleConnections(int callsAtOnce) {
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(Math.max(5, callsAtOnce + 8)));
        }
    }

    public Region region() {
        return region;
    }

    public SsmClient ssm() {
        return SsmClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public SnsClient sns() {
        return SnsClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    /** An SSM client for another region than the function's (the organisation sweep: one per region, every account). */
    public SsmClient ssm(String otherRegion) {
        return SsmClient.builder().region(Region.of(otherRegion)).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public StsClient sts() {
        return StsClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public SqsClient sqs() {
        return SqsClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    /**
     * Signed calls without an SDK client (ListAccounts, DescribeRegions), over the same HTTP client and with the
     * same retry policy as the SDK clients.
     */
    public SignedAwsRequests signedRequests(JsonFactory json, CallBudget budget) {
        return new SignedAwsRequests(http, retry, json, log, budget);
    }

    private ClientOverrideConfiguration overrides() {
        // The SDK's STANDARD strategy (AWS retry conditions: throttling, 5xx, resets, timeouts) with full-jitter
        // exponential backoff, tuned in RetryPolicy. Its circuit breaker is off: it exists to stop retry storms
        // among many concurrent callers sharing a client, while this function makes one audit at a time and a
        // drained retry quota would turn the next run's first throttle into a failure.
        ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(retry.maxAttempts())
                        .backoffStrategy(BackoffStrategy.exponentialDelay(retry.baseDelay(), retry.maxDelay()))
                        .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(retry.throttlingBaseDelay(),
                                retry.throttlingMaxDelay()))
                        .circuitBreakerEnabled(false)
                        .build())
                .apiCallAttemptTimeout(retry.attemptTimeout())
                .apiCallTimeout(retry.callTimeout());
        if (log != null) {
            b.addExecutionInterceptor(new CallLogger(log));
        }
        return b.build();
    }
}
