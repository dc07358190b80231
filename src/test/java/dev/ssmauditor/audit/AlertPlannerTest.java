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
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AlertPlannerTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private final AlertPlanner hourly = new AlertPlanner(Duration.ofHours(1));

    private static Violation owner(String id, Instant since) {
        Session s = Session.withId(id).startDate(since);
        return new Violation(s, RuleId.UNEXPECTED_OWNER, Severity.HIGH, Duration.between(since, T), "x", since);
    }

    private AlertPlanner.Candidate only(List<Violation> active, List<Violation> ended, boolean olderEvent) {
        List<AlertPlanner.Candidate> plan = hourly.plan(active, ended, "123456789012", "eu-west-1", T, olderEvent);
        assertThat(plan).hasSize(1);
        return plan.get(0);
    }

    @Test
    void aNewViolationStandsForItsFirstAlertOnly() {
        AlertPlanner.Candidate c = only(List.of(owner("s-1", T.minusSeconds(600))), List.of(), false);
        assertThat(c.keys()).containsExactly(new AlertKey("123456789012", "eu-west-1", "s-1", RuleId.UNEXPECTED_OWNER, 0));
    }

    @Test
    void anOldViolationStandsForItsFirstAlertAndTheLatestReminderDue() {
        AlertPlanner.Candidate c = only(List.of(owner("s-1", T.minus(Duration.ofMinutes(150)))), List.of(), false);
        assertThat(c.keys()).extracting(AlertKey::reminder).containsExactly(0, 2);
        assertThat(c.alert(Set.of(c.first(), c.latest()))).as("never seen: the first alert, and reminder 2 recorded with it")
                .contains(new Alert(c.violation(), 0, false));
        assertThat(c.alert(Set.of(c.latest()))).contains(new Alert(c.violation(), 2, false));
        assertThat(c.alert(Set.of())).isEmpty();
    }

    @Test
    void endedSessionsAndOlderEventsSendNoReminders() {
        assertThat(only(List.of(), List.of(owner("s-1", T.minus(Duration.ofMinutes(150)))), false).keys())
                .extracting(AlertKey::reminder).containsExactly(0);
        assertThat(only(List.of(owner("s-1", T.minus(Duration.ofMinutes(150)))), List.of(), true).keys())
                .extracting(AlertKey::reminder).containsExactly(0);
    }

    @Test
    void aViolationThatBeganAfterTheReferenceTimeWaits() {
        assertThat(hourly.plan(List.of(owner("s-1", T.plusSeconds(1))), List.of(), "a", "r", T, false)).isEmpty();
    }

    @Test
    void aSessionWithoutIdGetsAStableKeyOfItsOwn() {
        Session a = new Session(null, "i-0a", null, T.minusSeconds(60), null, null, "arn:aws:iam::1:user/x", null, null, null);
        Violation v = new Violation(a, RuleId.UNEXPECTED_OWNER, Severity.HIGH, null, "x", T.minusSeconds(60));
        String first = hourly.plan(List.of(v), List.of(), "a", "r", T, false).get(0).first().sessionId();
        String again = hourly.plan(List.of(v), List.of(), "a", "r", T.plusSeconds(300), false).get(0).first().sessionId();
        Session b = a.target("i-0b");
        String other = hourly.plan(List.of(new Violation(b, RuleId.UNEXPECTED_OWNER, Severity.HIGH, null, "x", T.minusSeconds(60))),
                List.of(), "a", "r", T, false).get(0).first().sessionId();
        assertThat(first).startsWith("no-session-id-").isEqualTo(again).isNotEqualTo(other);
    }
}
