package dev.ssmauditor.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A Lambda context whose logger keeps what it was given. */
public final class FakeContext implements Context {

    public static final String FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:ssm-session-auditor";

    private final List<String> logs = new ArrayList<>();
    private final java.util.function.LongSupplier remainingMillis;

    public FakeContext() {
        this(60_000);
    }

    public FakeContext(long remainingMillis) {
        this.remainingMillis = () -> remainingMillis;
    }

    private FakeContext(java.util.function.LongSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    /** An invocation whose time runs out for real, as Lambda's does: {@code millis} from now. */
    public static FakeContext timingOutIn(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        return new FakeContext(() -> (end - System.nanoTime()) / 1_000_000);
    }

    public List<String> logs() {
        return logs;
    }

    @Override public String getAwsRequestId() { return "0f0e0d0c-test"; }
    @Override public String getLogGroupName() { return "/aws/lambda/ssm-session-auditor"; }
    @Override public String getLogStreamName() { return "test"; }
    @Override public String getFunctionName() { return "ssm-session-auditor"; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return FUNCTION_ARN; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return (int) remainingMillis.getAsLong(); }
    @Override public int getMemoryLimitInMB() { return 512; }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                logs.add(message);
            }

            @Override
            public void log(byte[] message) {
                logs.add(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
