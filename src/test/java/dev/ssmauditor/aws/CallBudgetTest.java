package dev.ssmauditor.aws;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CallBudgetTest {

    private static Duration timeout(CallBudget b, Duration keep) {
        return b.overrides(keep).apiCallTimeout().orElseThrow();
    }

    @Test
    void outsideAnInvocationACallGetsTheConfiguredTimeout() {
        assertThat(timeout(CallBudget.unlimited(), Duration.ZERO)).isEqualTo(RetryPolicy.LAMBDA.callTimeout());
    }

    @Test
    void nearTheEndACallIsCutShortBeforeTheInvocationEnds() {
        CallBudget b = new CallBudget(RetryPolicy.LAMBDA);
        b.until(() -> 60_000);
        assertThat(timeout(b, Duration.ZERO)).as("plenty of time: the configured 20 s").isEqualTo(Duration.ofSeconds(20));
        b.until(() -> 10_000);
        assertThat(timeout(b, Duration.ZERO)).isEqualTo(Duration.ofSeconds(7));
        assertThat(timeout(b, CallBudget.MARK_TIME)).as("a publish leaves time for its mark").isEqualTo(Duration.ofSeconds(2));
        assertThat(b.cleanupOverrides().apiCallTimeout().orElseThrow()).isEqualTo(Duration.ofMillis(9_500));
        b.until(() -> 2_000);
        assertThat(timeout(b, Duration.ZERO)).as("never zero, which would mean no timeout").isEqualTo(Duration.ofMillis(1));
    }
}
