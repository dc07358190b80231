package dev.ssmauditor.aws;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

import java.time.Duration;

/** What the wire tests of this package share: the real URL connection client, a fast retry policy, credentials. */
public final class Wire {

    /** Three attempts, millisecond backoff: the same strategy as in Lambda, only faster. */
    public static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(1),
            Duration.ofMillis(5), Duration.ofSeconds(2), Duration.ofSeconds(10));
    public static final JsonFactory JSON = new JsonFactory();

    private Wire() {
    }

    public static SdkHttpClient http() {
        return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(2)).build();
    }

    public static SignedAwsRequests requests(SdkHttpClient http, JsonLog log) {
        return new SignedAwsRequests(http, FAST, JSON, log);
    }

    public static AwsCredentialsProvider basic(String accessKeyId) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, "secret-of-" + accessKeyId));
    }

    public static AwsCredentialsProvider session(String accessKeyId, String token) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(accessKeyId, "secret-of-" + accessKeyId, token));
    }
}
