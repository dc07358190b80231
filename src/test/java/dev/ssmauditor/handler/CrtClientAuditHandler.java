package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ssmauditor.aws.RetryPolicy;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;

/** Benchmark variant: the same function on the SDK's CRT HTTP client (native code). */
public final class CrtClientAuditHandler implements RequestStreamHandler {

    private final AuditHandler delegate = new AuditHandler(System.getenv(), System.out, Clock.systemUTC(), RetryPolicy.LAMBDA,
            AwsCrtHttpClient.builder().connectionTimeout(Duration.ofSeconds(3)).build());

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        delegate.handleRequest(input, output, context);
    }
}
