package dev.ssmauditor.aws;

import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long the next AWS call may take, retries included: the configured call timeout, or less when the invocation
 * ends sooner. A call started near the end of the invocation is cut short {@link #MARGIN} before it, so the run
 * fails with an error it can log (and release its claims after), instead of being killed by the Lambda timeout
 * half-way through a call. Set once per invocation by the handler; unlimited outside Lambda.
 */
public final class CallBudget {

    /** Room kept after the last call for the run to log its failure and release its claims. */
    public static final Duration MARGIN = Duration.ofSeconds(3);

    private final Duration callTimeout;
    private volatile LongSupplier remainingMillis = () -> Long.MAX_VALUE;

    public CallBudget(RetryPolicy retry) {
        this.callTimeout = retry.callTimeout();
    }

    /** No invocation deadline: every call gets the configured timeout (terminal runs, tests). */
    public static CallBudget unlimited() {
        return new CallBudget(RetryPolicy.LAMBDA);
    }

    /** The invocation now running, by the time it has left. */
    public void until(LongSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    public Duration nextCall() {
        long left = remainingMillis.getAsLong();
        if (left == Long.MAX_VALUE) {
            return callTimeout;
        }
        long millis = Math.max(1, left - MARGIN.toMillis());
        return millis < callTimeout.toMillis() ? Duration.ofMillis(millis) : callTimeout;
    }

    /** The per-request override that applies {@link #nextCall()}. */
    public AwsRequestOverrideConfiguration overrides() {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(nextCall()).build();
    }
}
