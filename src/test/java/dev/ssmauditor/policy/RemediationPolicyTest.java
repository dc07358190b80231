package dev.ssmauditor.policy;

import dev.ssmauditor.policy.RemediationPolicy.Action;
import dev.ssmauditor.policy.RemediationPolicy.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RemediationPolicyTest {

    private static final Instant START = Instant.parse("2026-11-30T04:00:00Z");
    /** When a session opened at START went past an 8-hour limit. */
    private static final Instant PAST_LIMIT = Instant.parse("2026-11-30T12:00:00Z");
    private static final String ALICE = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/alice";
    private static final String BREAK_GLASS_PATTERN = "arn:aws:sts::*:assumed-role/BreakGlass/*";
    private static final String CRITICAL_DB_PATTERN = "i-0CriticalDB*";

    private static Session session(String owner, String target) {
        return Session.withId("alice-0123").owner(owner).target(target).documentName("SSM-SessionManagerRunShell")
                .status("Connected").startDate(START);
    }

    private static Violation violation(RuleId rule, Session session, Instant since) {
        return new Violation(session, rule, rule.defaultSeverity(), Duration.ofHours(9), "detail", since);
    }

    private static Violation violation(RuleId rule) {
        return violation(rule, session(ALICE, "i-0abc123"), rule == RuleId.LONG_RUNNING ? PAST_LIMIT : START);
    }

    private static RemediationPolicy terminating(RuleId rule, Duration grace) {
        return new RemediationPolicy(Map.of(rule, grace), PatternList.OFF, PatternList.OFF);
    }

    private static RemediationPolicy withExemptions(Map<RuleId, Duration> terminate) {
        return new RemediationPolicy(terminate, PatternList.of(BREAK_GLASS_PATTERN), PatternList.of(CRITICAL_DB_PATTERN));
    }

    // --- not asked ------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(RuleId.class)
    void nothingIsEverEndedByDefault(RuleId rule) {
        assertThat(RemediationPolicy.NONE.decide(violation(rule), PAST_LIMIT.plus(Duration.ofDays(3))))
                .isEqualTo(new Decision(Action.NOT_ASKED, null, null));
        assertThat(RemediationPolicy.NONE.terminatesAny()).isFalse();
        assertThat(RemediationPolicy.NONE.terminates(rule)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(RuleId.class)
    void onlyTheRuleAskedForEndsItsSessions(RuleId asked) {
        RemediationPolicy policy = terminating(asked, Duration.ZERO);
        for (RuleId rule : RuleId.values()) {
            Decision decision = policy.decide(violation(rule), PAST_LIMIT);
            assertThat(decision.action()).as(rule.id()).isEqualTo(rule == asked ? Action.TERMINATE : Action.NOT_ASKED);
            assertThat(decision.terminateAt()).as(rule.id()).isNull();
            assertThat(decision.exemptBecause()).as(rule.id()).isNull();
            assertThat(policy.terminates(rule)).as(rule.id()).isEqualTo(rule == asked);
        }
        assertThat(policy.terminatesAny()).isTrue();
    }

    @Test
    void aRuleNotAskedForIsNotAskedEvenForAnExemptSession() {
        RemediationPolicy policy = withExemptions(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO));
        Violation v = violation(RuleId.UNEXPECTED_OWNER, session("arn:aws:sts::1:assumed-role/BreakGlass/bob", "i-0abc"), START);
        assertThat(policy.decide(v, PAST_LIMIT)).isEqualTo(Decision.NOT_ASKED);
    }

    // --- exemptions -----------------------------------------------------------------------------------

    @Test
    void anExemptOwnerIsNeverEndedWhateverTheCase() {
        RemediationPolicy policy = withExemptions(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO));
        Violation v = violation(RuleId.UNEXPECTED_TARGET,
                session("arn:aws:sts::123456789012:assumed-role/breakglass/Bob", "i-0abc123"), START);
        assertThat(policy.decide(v, PAST_LIMIT))
                .isEqualTo(new Decision(Action.EXEMPT, null, "owner matches exempt pattern " + BREAK_GLASS_PATTERN));
    }

    @Test
    void anExemptTargetIsNeverEndedWhateverTheCase() {
        RemediationPolicy policy = withExemptions(Map.of(RuleId.UNEXPECTED_OWNER, Duration.ZERO));
        Violation v = violation(RuleId.UNEXPECTED_OWNER, session(ALICE, "i-0criticaldb0042"), START);
        assertThat(policy.decide(v, PAST_LIMIT))
                .isEqualTo(new Decision(Action.EXEMPT, null, "target matches exempt pattern " + CRITICAL_DB_PATTERN));
    }

    @Test
    void theOwnerIsNamedWhenBothOwnerAndTargetAreExempt() {
        RemediationPolicy policy = withExemptions(Map.of(RuleId.UNEXPECTED_DOCUMENT, Duration.ZERO));
        Violation v = violation(RuleId.UNEXPECTED_DOCUMENT,
                session("arn:aws:sts::123456789012:assumed-role/BreakGlass/bob", "i-0CRITICALDB1"), START);
        assertThat(policy.decide(v, PAST_LIMIT).exemptBecause()).isEqualTo("owner matches exempt pattern " + BREAK_GLASS_PATTERN);
    }

    @Test
    void exemptPatternsMatchTheWholeValue() {
        RemediationPolicy policy = withExemptions(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO));
        // BreakGlassX is another role; the target only contains the exempt prefix.
        Violation v = violation(RuleId.UNEXPECTED_TARGET,
                session("arn:aws:sts::123456789012:assumed-role/BreakGlassX/bob", "mi-i-0criticaldb1"), START);
        assertThat(policy.decide(v, PAST_LIMIT).action()).isEqualTo(Action.TERMINATE);
    }

    @Test
    void aSessionWithoutOwnerOrTargetIsNotExempt() {
        RemediationPolicy policy = new RemediationPolicy(Map.of(RuleId.UNEXPECTED_OWNER, Duration.ZERO),
                PatternList.of("*"), PatternList.of("*"));
        Violation v = violation(RuleId.UNEXPECTED_OWNER, session(null, null), START);
        assertThat(policy.decide(v, PAST_LIMIT).action()).as("nothing shows it to be exempt").isEqualTo(Action.TERMINATE);
    }

    @Test
    void anExemptionWinsOverTheGraceBeforeAndAfterIt() {
        Duration grace = Duration.ofMinutes(30);
        RemediationPolicy policy = withExemptions(Map.of(RuleId.LONG_RUNNING, grace));
        Violation v = violation(RuleId.LONG_RUNNING, session("arn:aws:sts::123456789012:assumed-role/BreakGlass/bob", "i-0abc"),
                PAST_LIMIT);
        Decision exempt = new Decision(Action.EXEMPT, null, "owner matches exempt pattern " + BREAK_GLASS_PATTERN);
        assertThat(policy.decide(v, PAST_LIMIT.plusSeconds(60))).isEqualTo(exempt);
        assertThat(policy.decide(v, PAST_LIMIT.plus(Duration.ofHours(5)))).isEqualTo(exempt);
    }

    // --- grace ----------------------------------------------------------------------------------------

    @Test
    void noGraceEndsTheSessionAtOnce() {
        RemediationPolicy policy = terminating(RuleId.LONG_RUNNING, Duration.ZERO);
        assertThat(policy.decide(violation(RuleId.LONG_RUNNING), PAST_LIMIT))
                .isEqualTo(new Decision(Action.TERMINATE, null, null));
    }

    @Test
    void aLongRunningSessionWaitsOutItsGraceThenIsEnded() {
        RemediationPolicy policy = terminating(RuleId.LONG_RUNNING, Duration.ofMinutes(30));
        Violation v = violation(RuleId.LONG_RUNNING);
        Instant end = Instant.parse("2026-11-30T12:30:00Z"); // PAST_LIMIT + 30 minutes
        assertThat(policy.decide(v, PAST_LIMIT)).isEqualTo(new Decision(Action.WAIT, end, null));
        assertThat(policy.decide(v, end.minusNanos(1))).isEqualTo(new Decision(Action.WAIT, end, null));
        assertThat(policy.decide(v, end)).isEqualTo(new Decision(Action.TERMINATE, end, null));
        assertThat(policy.decide(v, end.plusSeconds(1))).isEqualTo(new Decision(Action.TERMINATE, end, null));
        assertThat(policy.decide(v, end.plus(Duration.ofDays(2)))).isEqualTo(new Decision(Action.TERMINATE, end, null));
    }

    @Test
    void theGraceCountsFromWhenTheViolationBeganNotFromNow() {
        RemediationPolicy policy = terminating(RuleId.LONG_RUNNING, Duration.ofMinutes(30));
        Violation v = violation(RuleId.LONG_RUNNING, session(ALICE, "i-0abc"), Instant.parse("2026-11-30T12:10:00Z"));
        assertThat(policy.decide(v, Instant.parse("2026-11-30T12:20:00Z")))
                .isEqualTo(new Decision(Action.WAIT, Instant.parse("2026-11-30T12:40:00Z"), null));
    }

    @Test
    void aViolationWithoutAStartIsEndedAtOnceWhateverTheGrace() {
        RemediationPolicy policy = terminating(RuleId.LONG_RUNNING, Duration.ofMinutes(30));
        Violation v = violation(RuleId.LONG_RUNNING, session(ALICE, "i-0abc"), null);
        assertThat(policy.decide(v, PAST_LIMIT)).isEqualTo(new Decision(Action.TERMINATE, null, null));
    }

    // --- construction ---------------------------------------------------------------------------------

    @Test
    void aNegativeOrMissingGraceIsRejected() {
        assertThatThrownBy(() -> terminating(RuleId.LONG_RUNNING, Duration.ofMinutes(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("long-running")
                .hasMessageContaining("zero or more");
        Map<RuleId, Duration> missing = new HashMap<>();
        missing.put(RuleId.UNEXPECTED_TARGET, null);
        assertThatThrownBy(() -> new RemediationPolicy(missing, PatternList.OFF, PatternList.OFF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected-target");
    }

    @Test
    void theRulesAreCopiedAndCannotBeChangedAfterwards() {
        Map<RuleId, Duration> rules = new EnumMap<>(RuleId.class);
        rules.put(RuleId.UNEXPECTED_TARGET, Duration.ZERO);
        RemediationPolicy policy = new RemediationPolicy(rules, PatternList.OFF, PatternList.OFF);
        rules.put(RuleId.UNEXPECTED_OWNER, Duration.ZERO);
        assertThat(policy.terminates(RuleId.UNEXPECTED_OWNER)).isFalse();
        assertThatThrownBy(() -> policy.terminate().put(RuleId.LONG_RUNNING, Duration.ZERO))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void terminatesAnyOnceOneRuleEndsSessionsEvenWithEverythingExempt() {
        assertThat(new RemediationPolicy(Map.of(), PatternList.of("*"), PatternList.OFF).terminatesAny()).isFalse();
        assertThat(new RemediationPolicy(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(5)), PatternList.of("*"),
                PatternList.of("*")).terminatesAny()).isTrue();
    }
}
