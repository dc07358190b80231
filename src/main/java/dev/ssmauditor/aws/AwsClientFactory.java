package dev.ssmauditor.aws;

import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Duration;
import java.util.Map;

/**
 * Builds the SDK clients once per execution environment. Endpoints and credentials are left to the
 * SDK's standard configuration ({@code AWS_ENDPOINT_URL_SSM}, {@code AWS_ENDPOINT_URL_SNS}, the default
 * credentials chain, which SnapStart's container credentials need); only the region is read directly
 * when {@code AWS_REGION} is set, which saves the region chain's file and metadata look-ups.
 */
public final class AwsClientFactory {

    /** One slow attempt must not eat the whole Lambda timeout; the SDK retries with backoff within the call budget. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(45);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Region region;
    private final SdkHttpClient http;

    public AwsClientFactory(Map<String, String> env) {
        String name = env.get("AWS_REGION");
        this.region = name == null || name.isBlank() ? new DefaultAwsRegionProviderChain().getRegion() : Region.of(name.trim());
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(READ_TIMEOUT)
                .build();
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

    public SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().region(region).httpClient(http).overrideConfiguration(overrides()).build();
    }

    private static ClientOverrideConfiguration overrides() {
        // STANDARD: exponential backoff with full jitter, 3 attempts, and a retry quota that stops a retry
        // storm; the right mode for a short scheduled job (ADAPTIVE only pays for long-lived callers).
        return ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD)
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT)
                .build();
    }
}
