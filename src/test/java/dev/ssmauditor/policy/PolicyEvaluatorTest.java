package dev.ssmauditor.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyEvaluatorTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/alice";
    private static final String BREAK_GLASS = "arn:aws:sts::123456789012:assumed-role/BreakGlass/bob";

    private static Session session(Duration open) {
        return Session.withId("alice-0123").owner(ADMIN).target("i-0abc123").documentName("SSM-SessionManagerRunShell")
                .status("Connected").startDate(T.minus(open));
    }

    private static Policy policy(int minutes, List<DurationLimit> limits, PatternList owners, PatternList targets,
                                 PatternList denied, PatternList documents, Map<RuleId, Severity> severities) {
        return new Policy(minutes, limits, owners, targets, denied, documents, severities);
    }

    private static Policy onlyDuration(int minutes, DurationLimit... limits) {
        return policy(minutes, List.of(limits), PatternList.OFF, PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
    }

    private static List<Violation> evaluate(Policy policy, Session session) {
        return new PolicyEvaluator(policy).evaluate(session, T);
    }

    // --- long-running -------------------------------------------------------------------------------

    @Test
    void exactlyAtTheLimitIsAllowed() {
        assertThat(evaluate(onlyDuration(480), session(Duration.ofMinutes(480)))).isEmpty();
    }

    @Test
    void oneSecondOverTheLimitIsAViolation() {
        List<Violation> violations = evaluate(onlyDuration(480), session(Duration.ofMinutes(480).plusSeconds(1)));
        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(RuleId.LONG_RUNNING);
            assertThat(v.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(v.detail()).isEqualTo("open 8h; limit 8h");
            assertThat(v.durationMinutes()).isEqualTo(480);
            assertThat(v.since()).as("the first instant past the limit").isEqualTo(T.minusSeconds(1).plusNanos(1));
        });
    }

    @Test
    void ownerTargetAndDocumentViolationsBeginWithTheSession() {
        Policy policy = policy(480, List.of(), PatternList.of("nobody"), PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)))).singleElement().extracting(Violation::since)
                .isEqualTo(T.minus(Duration.ofMinutes(5)));
    }

    @Test
    void endedSessionsAreJudgedOnHowLongTheyLasted() {
        Policy policy = policy(60, List.of(), PatternList.of("nobody"), PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
        Session ended = session(Duration.ofHours(5)).status("Terminated").endDate(T.minus(Duration.ofHours(3)));
        assertThat(new PolicyEvaluator(policy).evaluateEnded(ended)).satisfiesExactly(
                v -> {
                    assertThat(v.rule()).isEqualTo(RuleId.LONG_RUNNING);
                    assertThat(v.openFor()).as("start to end").isEqualTo(Duration.ofHours(2));
                    assertThat(v.detail()).isEqualTo("open 2h; limit 1h");
                    assertThat(v.since()).isEqualTo(T.minus(Duration.ofHours(4)).plusNanos(1));
                },
                v -> assertThat(v.rule()).isEqualTo(RuleId.UNEXPECTED_OWNER));
        Session brief = session(Duration.ofMinutes(30)).status("Terminated").endDate(T);
        assertThat(new PolicyEvaluator(policy).evaluateEnded(brief)).extracting(Violation::rule)
                .containsExactly(RuleId.UNEXPECTED_OWNER);
        Session noEnd = session(Duration.ofHours(5)).status("Terminated");
        assertThat(new PolicyEvaluator(policy).evaluateEnded(noEnd)).extracting(Violation::rule)
                .as("length unknown without an end date").containsExactly(RuleId.UNEXPECTED_OWNER);
    }

    @Test
    void detailSaysHowLongAndTheLimit() {
        List<Violation> violations = evaluate(onlyDuration(480), session(Duration.ofMinutes(9 * 60 + 12)));
        assertThat(violations).singleElement().extracting(Violation::detail).isEqualTo("open 9h 12m; limit 8h");
    }

    @Test
    void theFirstMatchingOverrideWinsOverTheDefault() {
        Policy policy = onlyDuration(480,
                new DurationLimit(new Glob("arn:aws:sts::*:assumed-role/BreakGlass/*"), null, 60),
                new DurationLimit(null, new Glob("i-0abc*"), 30));
        Session breakGlass = session(Duration.ofMinutes(61)).owner(BREAK_GLASS);
        assertThat(evaluate(policy, breakGlass)).singleElement().extracting(Violation::detail)
                .isEqualTo("open 1h 1m; limit 1h for owner arn:aws:sts::*:assumed-role/BreakGlass/*");
        assertThat(evaluate(policy, breakGlass.startDate(T.minus(Duration.ofMinutes(60))))).isEmpty();
        // alice matches only the target override
        assertThat(evaluate(policy, session(Duration.ofMinutes(31)))).singleElement().extracting(Violation::detail)
                .isEqualTo("open 31m; limit 30m for target i-0abc*");
    }

    @Test
    void anOverrideMayAlsoBeLongerThanTheDefault() {
        Policy policy = onlyDuration(60, new DurationLimit(new Glob(ADMIN), new Glob("i-0abc*"), 24 * 60));
        assertThat(evaluate(policy, session(Duration.ofHours(20)))).isEmpty();
        assertThat(evaluate(policy, session(Duration.ofHours(20)).target("i-0other"))).hasSize(1);
    }

    @Test
    void aSessionWithoutStartDateIsNotLongRunningButOtherRulesStillApply() {
        Policy policy = policy(480, List.of(), PatternList.of("arn:aws:sts::*:assumed-role/AWSReservedSSO_*/*"),
                PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
        Session stranger = Session.withId("x-1").owner("arn:aws:iam::123456789012:user/x");
        assertThat(evaluate(policy, stranger)).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(RuleId.UNEXPECTED_OWNER);
            assertThat(v.durationMinutes()).isNull();
        });
    }

    @Test
    void aStartDateInTheFutureIsNotLongRunningAndReportsZeroMinutes() {
        Policy policy = policy(1, List.of(), PatternList.of("nobody"), PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
        Session skewed = session(Duration.ofMinutes(-5));
        assertThat(evaluate(policy, skewed)).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(RuleId.UNEXPECTED_OWNER);
            assertThat(v.durationMinutes()).isZero();
        });
    }

    // --- unexpected-owner ---------------------------------------------------------------------------

    @Test
    void ownerOutsideTheAllowedPatternsIsReported() {
        Policy policy = policy(480, List.of(), PatternList.of("arn:aws:sts::*:assumed-role/AWSReservedSSO_Admin_*/*"),
                PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)))).isEmpty();
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).owner(BREAK_GLASS)))
                .singleElement().satisfies(v -> {
                    assertThat(v.rule()).isEqualTo(RuleId.UNEXPECTED_OWNER);
                    assertThat(v.severity()).isEqualTo(Severity.HIGH);
                    assertThat(v.detail()).isEqualTo("owner " + BREAK_GLASS + " matches no allowed owner pattern");
                });
    }

    @Test
    void aMissingOwnerFailsAnAllowList() {
        Policy policy = policy(480, List.of(), PatternList.of("*"), PatternList.OFF, PatternList.OFF, PatternList.OFF, Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).owner(null)))
                .singleElement().extracting(Violation::detail).asString().startsWith("owner unknown");
    }

    @Test
    void anEmptyOwnerListSwitchesTheCheckOff() {
        assertThat(evaluate(onlyDuration(480), session(Duration.ofMinutes(5)).owner("arn:aws:iam::1:user/anyone"))).isEmpty();
        assertThat(new PolicyEvaluator(onlyDuration(480)).activeRules()).containsExactly(RuleId.LONG_RUNNING);
    }

    // --- unexpected-target --------------------------------------------------------------------------

    @Test
    void aDeniedTargetIsReportedEvenWhenAllowed() {
        Policy policy = policy(480, List.of(), PatternList.OFF, PatternList.of("i-*"), PatternList.of("i-0db*"),
                PatternList.OFF, Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).target("i-0db42")))
                .singleElement().extracting(Violation::detail).isEqualTo("target i-0db42 matches denied pattern i-0db*");
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).target("i-0web1"))).isEmpty();
    }

    @Test
    void aTargetOutsideTheAllowListIsReported() {
        Policy policy = policy(480, List.of(), PatternList.OFF, PatternList.of("i-0abc*", "mi-*"), PatternList.OFF,
                PatternList.OFF, Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).target("mi-0123"))).isEmpty();
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).target("i-0def")))
                .singleElement().extracting(Violation::detail).isEqualTo("target i-0def matches no allowed target pattern");
    }

    @Test
    void aMissingTargetFailsAnAllowListAndADenyList() {
        // Fail closed: a session without a target can be shown neither allowed nor not denied.
        Session noTarget = session(Duration.ofMinutes(5)).target(null);
        Policy denyOnly = policy(480, List.of(), PatternList.OFF, PatternList.OFF, PatternList.of("i-0pci*"), PatternList.OFF, Map.of());
        Policy allowOnly = policy(480, List.of(), PatternList.OFF, PatternList.of("*"), PatternList.OFF, PatternList.OFF, Map.of());
        assertThat(evaluate(denyOnly, noTarget)).singleElement().extracting(Violation::detail).asString()
                .startsWith("target unknown").contains("denied");
        assertThat(evaluate(allowOnly, noTarget)).singleElement().extracting(Violation::detail).asString()
                .startsWith("target unknown");
    }

    @Test
    void deniedTargetPatternsMatchWhateverTheCaseAllowedOnesOnlyExactly() {
        Policy deny = policy(480, List.of(), PatternList.OFF, PatternList.OFF, PatternList.of("i-0PCI*"), PatternList.OFF, Map.of());
        assertThat(evaluate(deny, session(Duration.ofMinutes(5)).target("i-0pci1234"))).singleElement()
                .extracting(Violation::detail).isEqualTo("target i-0pci1234 matches denied pattern i-0PCI*");
        assertThat(evaluate(deny, session(Duration.ofMinutes(5)).target("i-0web1234"))).isEmpty();
        Policy allow = policy(480, List.of(), PatternList.OFF, PatternList.of("i-0web*"), PatternList.OFF, PatternList.OFF, Map.of());
        assertThat(evaluate(allow, session(Duration.ofMinutes(5)).target("I-0WEB1234"))).as("not shown to be allowed")
                .hasSize(1);
    }

    @Test
    void aFourHundredCharacterTargetIsMatched() {
        String target = "i-" + "f".repeat(398);
        Policy policy = policy(480, List.of(), PatternList.OFF, PatternList.OFF, PatternList.of("i-f*f"), PatternList.OFF, Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).target(target))).hasSize(1);
    }

    // --- unexpected-document ------------------------------------------------------------------------

    @Test
    void aDocumentOutsideTheAllowedListIsReported() {
        Policy policy = policy(480, List.of(), PatternList.OFF, PatternList.OFF, PatternList.OFF,
                PatternList.of("SSM-SessionManagerRunShell"), Map.of());
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)))).isEmpty();
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).documentName("AWS-StartPortForwardingSession")))
                .singleElement().extracting(Violation::detail).isEqualTo("document AWS-StartPortForwardingSession is not allowed");
        assertThat(evaluate(policy, session(Duration.ofMinutes(5)).documentName(null))).hasSize(1);
    }

    // --- several rules, severities ------------------------------------------------------------------

    @Test
    void oneSessionCanBreakEveryRuleAtOnceInRuleOrder() {
        Policy policy = policy(60, List.of(), PatternList.of("nobody"), PatternList.of("mi-*"), PatternList.OFF,
                PatternList.of("AWS-StartInteractiveCommand"), Map.of());
        assertThat(evaluate(policy, session(Duration.ofHours(2)))).extracting(Violation::rule).containsExactly(
                RuleId.LONG_RUNNING, RuleId.UNEXPECTED_OWNER, RuleId.UNEXPECTED_TARGET, RuleId.UNEXPECTED_DOCUMENT);
    }

    @ParameterizedTest
    @EnumSource(Severity.class)
    void everySeverityCanBeConfiguredPerRule(Severity severity) {
        Map<RuleId, Severity> severities = Map.of(RuleId.LONG_RUNNING, severity, RuleId.UNEXPECTED_OWNER, severity,
                RuleId.UNEXPECTED_TARGET, severity, RuleId.UNEXPECTED_DOCUMENT, severity);
        Policy policy = policy(60, List.of(), PatternList.of("nobody"), PatternList.of("mi-*"), PatternList.OFF,
                PatternList.of("x"), severities);
        assertThat(evaluate(policy, session(Duration.ofHours(2)))).hasSize(4)
                .allSatisfy(v -> assertThat(v.severity()).isEqualTo(severity));
    }

    @Test
    void rulesNotNamedKeepTheirDefaultSeverity() {
        Policy policy = policy(480, List.of(), PatternList.OFF, PatternList.OFF, PatternList.OFF, PatternList.OFF,
                Map.of(RuleId.UNEXPECTED_TARGET, Severity.CRITICAL));
        assertThat(policy.severityOf(RuleId.UNEXPECTED_TARGET)).isEqualTo(Severity.CRITICAL);
        assertThat(policy.severityOf(RuleId.LONG_RUNNING)).isEqualTo(Severity.MEDIUM);
        assertThat(policy.severityOf(RuleId.UNEXPECTED_OWNER)).isEqualTo(Severity.HIGH);
        assertThat(policy.severityOf(RuleId.UNEXPECTED_DOCUMENT)).isEqualTo(Severity.MEDIUM);
    }

    @Test
    void manySessionsKeepTheirOrder() {
        Policy policy = onlyDuration(10);
        List<Violation> violations = new PolicyEvaluator(policy).evaluate(List.of(
                session(Duration.ofMinutes(11)).status("a"), session(Duration.ofMinutes(5)),
                session(Duration.ofMinutes(20)).status("b")), T);
        assertThat(violations).extracting(v -> v.session().status()).containsExactly("a", "b");
    }

    // --- at start (the event path) ----------------------------------------------------------------------

    @Test
    void atStartEveryRuleButTheDurationApplies() {
        Policy strict = policy(1, List.of(), PatternList.of("nobody"), PatternList.OFF, PatternList.of("i-0abc*"),
                PatternList.of("AWS-StartInteractiveCommand"), Map.of());
        // Open a day already (a late event): the duration is still the sweep's to judge.
        List<Violation> v = new PolicyEvaluator(strict).evaluateAtStart(session(Duration.ofDays(1)));
        assertThat(v).extracting(Violation::rule)
                .containsExactly(RuleId.UNEXPECTED_OWNER, RuleId.UNEXPECTED_TARGET, RuleId.UNEXPECTED_DOCUMENT);
        assertThat(v).allSatisfy(x -> assertThat(x.since()).isEqualTo(T.minus(Duration.ofDays(1))));
        assertThat(new PolicyEvaluator(onlyDuration(1)).evaluateAtStart(session(Duration.ofDays(1)))).isEmpty();
    }
}
