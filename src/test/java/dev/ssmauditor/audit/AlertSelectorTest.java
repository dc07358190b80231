package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AlertSelectorTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String FP = "fingerprint-1";
    private static final AlertSelector NO_REMINDERS = new AlertSelector(Duration.ZERO);
    private static final AlertSelector HOURLY = new AlertSelector(Duration.ofHours(1));

    private static Violation since(Instant since) {
        return new Violation(Session.withId("s-" + since), RuleId.UNEXPECTED_OWNER, Severity.HIGH, null, "d", since);
    }

    private static Optional<AuditState> watermark(Instant at) {
        return Optional.of(new AuditState(at, FP));
    }

    private static List<Alert> select(AlertSelector selector, Violation v, Optional<AuditState> state) {
        return selector.select(List.of(v), List.of(), state, T, FP);
    }

    @Test
    void withoutStateEveryCurrentViolationIsAlertedOnce() {
        assertThat(select(NO_REMINDERS, since(T.minus(Duration.ofDays(3))), Optional.empty()))
                .singleElement().extracting(Alert::reminder).isEqualTo(0);
    }

    @Test
    void aChangedPolicyAlertsEverythingAgain() {
        Optional<AuditState> otherPolicy = Optional.of(new AuditState(T.minusSeconds(60), "fingerprint-0"));
        assertThat(select(NO_REMINDERS, since(T.minus(Duration.ofDays(3))), otherPolicy)).hasSize(1);
    }

    @Test
    void aViolationIsAlertedWhenItBeganInsideTheWindow() {
        Optional<AuditState> w = watermark(T.minusSeconds(300));
        assertThat(select(NO_REMINDERS, since(T.minusSeconds(299)), w)).hasSize(1);
        assertThat(select(NO_REMINDERS, since(T), w)).as("T itself is inside (W, T]").hasSize(1);
        Violation atW = since(T.minusSeconds(300));
        Violation beforeW = since(T.minusSeconds(301));
        Optional<AuditState> seen = Optional.of(new AuditState(T.minusSeconds(300), FP,
                Set.of(AlertSelector.key(atW), AlertSelector.key(beforeW))));
        assertThat(select(NO_REMINDERS, atW, seen)).as("W itself was covered").isEmpty();
        assertThat(select(NO_REMINDERS, beforeW, seen)).isEmpty();
    }

    @Test
    void aViolationListedLateIsAlertedWhenItBeganJustBeforeTheWatermark() {
        Optional<AuditState> w = watermark(T.minusSeconds(300)); // nothing recent recorded
        assertThat(select(NO_REMINDERS, since(T.minusSeconds(300 + 299)), w)).as("inside the 5-minute lag").hasSize(1);
        assertThat(select(NO_REMINDERS, since(T.minusSeconds(300 + 300)), w)).as("at the lag's start: too old").isEmpty();
        assertThat(select(NO_REMINDERS, since(T.minusSeconds(300 + 301)), w)).isEmpty();
    }

    @Test
    void theRecentKeysAreTheViolationsThatBeganInTheLastFiveMinutes() {
        Violation recent = since(T.minusSeconds(299));
        Violation old = since(T.minusSeconds(300));
        Violation future = since(T.plusSeconds(1));
        Violation undated = since(null);
        assertThat(AlertSelector.recentKeys(List.of(recent, old, future, undated), T)).containsExactly(AlertSelector.key(recent));
    }

    @Test
    void aViolationThatBeginsAfterTheReferenceTimeWaitsForTheNextRun() {
        assertThat(select(NO_REMINDERS, since(T.plusSeconds(1)), watermark(T.minusSeconds(300)))).isEmpty();
        assertThat(select(NO_REMINDERS, since(T.plusSeconds(1)), Optional.empty())).isEmpty();
        // ...and the next run covers it
        assertThat(NO_REMINDERS.select(List.of(since(T.plusSeconds(1))), List.of(), watermark(T), T.plusSeconds(300), FP))
                .hasSize(1);
    }

    @Test
    void aViolationWithoutAStartIsAlertedEveryRun() {
        assertThat(select(NO_REMINDERS, since(null), watermark(T.minusSeconds(300)))).hasSize(1);
    }

    @Test
    void remindersComeOnTheirMomentsOnly() {
        Instant began = T.minus(Duration.ofMinutes(130)); // reminders at +60 (T-70m) and +120 (T-10m)
        assertThat(select(HOURLY, since(began), watermark(T.minusSeconds(300)))).isEmpty();
        assertThat(select(HOURLY, since(began), watermark(T.minus(Duration.ofMinutes(11)))))
                .singleElement().extracting(Alert::reminder).isEqualTo(2);
        assertThat(select(HOURLY, since(began), watermark(T.minus(Duration.ofMinutes(10))))).as("moment == W").isEmpty();
    }

    @Test
    void aLongGapSendsOnlyTheLatestReminder() {
        Instant began = T.minus(Duration.ofMinutes(200)); // reminders at +60, +120, +180
        assertThat(select(HOURLY, since(began), watermark(T.minus(Duration.ofMinutes(170)))))
                .singleElement().extracting(Alert::reminder).isEqualTo(3);
    }

    @Test
    void theFirstAlertIsNotAReminder() {
        assertThat(select(HOURLY, since(T.minusSeconds(30)), watermark(T.minusSeconds(300))))
                .singleElement().extracting(Alert::reminder).isEqualTo(0);
    }

    @Test
    void endedSessionsAreAlertedOnceAndNeverReminded() {
        Violation ended = since(T.minus(Duration.ofMinutes(130)));
        assertThat(HOURLY.select(List.of(), List.of(ended), watermark(T.minus(Duration.ofMinutes(11))), T, FP)).isEmpty();
        Violation fresh = since(T.minusSeconds(100));
        assertThat(HOURLY.select(List.of(), List.of(fresh), watermark(T.minusSeconds(300)), T, FP))
                .singleElement().satisfies(a -> {
                    assertThat(a.ended()).isTrue();
                    assertThat(a.reminder()).isZero();
                });
    }

    @Test
    void aPolicyChangeReAlertsOpenSessionsButNotEndedOnes() {
        Optional<AuditState> otherPolicy = Optional.of(new AuditState(T.minusSeconds(300), "fingerprint-0"));
        Violation open = since(T.minus(Duration.ofHours(2)));
        Violation over = since(T.minus(Duration.ofHours(2)).plusSeconds(1));
        assertThat(NO_REMINDERS.select(List.of(open), List.of(over), otherPolicy, T, FP))
                .extracting(Alert::ended).containsExactly(false);
        assertThat(NO_REMINDERS.select(List.of(), List.of(over), Optional.empty(), T, FP))
                .as("a first run alerts what it finds").hasSize(1);
    }

    @Test
    void anOlderEventAfterANewerOneSelectsNothingNew() {
        Optional<AuditState> newer = watermark(T);
        Instant older = T.minusSeconds(600);
        assertThat(NO_REMINDERS.select(List.of(since(T.minusSeconds(700)), since(T.minusSeconds(100))), List.of(), newer,
                older, FP)).isEmpty();
    }
}
