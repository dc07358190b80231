package dev.ssmauditor.aws;

import java.time.Duration;

/**
 * How SDK calls are retried and timed out. One value for the function; tests shorten the delays (the same
 * strategy, only faster) so that a fault suite of hundreds of calls runs in seconds.
 *
 * @param maxAttempts attempts per call, the first included
 * @param baseDelay / maxDelay exponential backoff with full jitter for 5xx, resets and timeouts
 * @param throttlingBaseDelay / throttlingMaxDelay the same for ThrottlingException and friends: slower, since
 *                            hammering a throttled API only prolongs the throttling
 * @param attemptTimeout one attempt, so a hung connection is abandoned and retried
 * @param callTimeout all attempts of one call, so one call cannot eat the Lambda timeout
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration throttlingBaseDelay,
                          Duration throttlingMaxDelay, Duration attemptTimeout, Duration callTimeout) {

    /**
     * For a function with a 60-second timeout making a handful of calls: five attempts (a 30% throttle rate
     * then fails a call 0.24% of the time instead of 2.7% with the SDK's default three), at most about 8 s of
     * throttling backoff, 5 s an attempt, 20 s a call.
     */
    public static final RetryPolicy LAMBDA = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2),
            Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(20));
}
