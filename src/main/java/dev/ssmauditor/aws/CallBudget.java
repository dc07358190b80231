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
    /**
     * The time a step needs before it starts. Each call is cut short {@link #MARGIN} before the invocation ends, so a
     * step needs only that margin, and a little for its own work, to fail loudly rather than be killed.
     */
    public static final Duration STEP = MARGIN.plusSeconds(2);
    /** What cleanup calls leave: enough to write the failure's log line. */
    public static final Duration CLEANUP_MARGIN = Duration.ofMillis(500);
    /** What a publish leaves for the mark that follows it. */
    public static final Duration MARK_TIME = Duration.ofSeconds(5);

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

    /** The next call's timeout, keeping {@link #MARGIN} and {@code keep} after it. */
    private Duration nextCall(Duration keep) {
        return cap(MARGIN.plus(keep));
    }

    /** How long the next call may take, retries included, keeping {@link #MARGIN}: for calls made without an SDK client. */
    public Duration nextCallTimeout() {
        return nextCall(Duration.ZERO);
    }

    /** The per-request override for a call that keeps only the {@link #MARGIN} after it. */
    public AwsRequestOverrideConfiguration overrides() {
        return overrides(Duration.ZERO);
    }

    /** The per-request override for a call after which {@code keep} is needed too (a publish: its mark). */
    public AwsRequestOverrideConfiguration overrides(Duration keep) {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(nextCall(keep)).build();
    }

    /**
     * For calls made while a run is already failing (releasing its claims): they may use the margin itself, all but
     * {@link #CLEANUP_MARGIN} of it, since nothing comes after them but the failure's log line.
     */
    public AwsRequestOverrideConfiguration cleanupOverrides() {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(cap(CLEANUP_MARGIN)).build();
    }

    private Duration cap(Duration kept) {
        long left = remainingMillis.getAsLong();
        if (left == Long.MAX_VALUE) {
            return callTimeout;
        }
        long millis = Math.max(1, left - kept.toMillis()); // 0 would mean no timeout at all
        return millis < callTimeout.toMillis() ? Duration.ofMillis(millis) : callTimeout;
    }
}
