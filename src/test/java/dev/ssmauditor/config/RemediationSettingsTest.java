package dev.ssmauditor.config;

import dev.ssmauditor.policy.Glob;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.RemediationPolicy;
import dev.ssmauditor.policy.RuleId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** TERMINATE_RULES, TERMINATE_GRACE_MINUTES and the POLICY document's remediation, read at start-up. */
class RemediationSettingsTest {

    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String LEDGER = "ssm-auditor-AlertLedger-1A2B3C";
    private static final String STATE_TABLE_PROBLEM = "TERMINATE_RULES (or the POLICY remediation) needs STATE_TABLE: the "
            + "alert ledger records each termination, so that the sweep and the event function end a session once; set "
            + "STATE_TABLE (the template does), or DRY_RUN=true to report what would be ended";

    /** A topic and a ledger, as the template sets them, then the pairs given (a null value unsets a variable). */
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("STATE_TABLE", LEDGER);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static RemediationPolicy load(String... pairs) {
        return new ConfigLoader().load(env(pairs)).remediation();
    }

    private static ConfigException problems(String... pairs) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader().load(env(pairs)));
        assertThat(e).as("a ConfigException").isNotNull();
        return e;
    }

    private static String problem(String... pairs) {
        return problems(pairs).getMessage();
    }

    private static Map<RuleId, Duration> terminated(String... pairs) {
        return load(pairs).terminate();
    }

    private static String remediation(String json) {
        return "{\"remediation\": " + json + "}";
    }

    // --- the flat variables ---------------------------------------------------------------------------

    @Test
    void nothingSetEndsNothing() {
        assertThat(load()).isEqualTo(RemediationPolicy.NONE);
        assertThat(load("TERMINATE_RULES", "  ", "TERMINATE_GRACE_MINUTES", " ")).isEqualTo(RemediationPolicy.NONE);
        assertThat(new ConfigLoader().load(Map.of("DRY_RUN", "true")).remediation()).isEqualTo(RemediationPolicy.NONE);
    }

    @Test
    void terminateRulesAreTrimmedAndDuplicatesAreHarmless() {
        assertThat(terminated("TERMINATE_RULES", " unexpected-target , long-running,unexpected-target,unexpected-owner "))
                .isEqualTo(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO, RuleId.LONG_RUNNING, Duration.ZERO,
                        RuleId.UNEXPECTED_OWNER, Duration.ZERO));
        assertThat(terminated("TERMINATE_RULES", "unexpected-document"))
                .isEqualTo(Map.of(RuleId.UNEXPECTED_DOCUMENT, Duration.ZERO));
    }

    @Test
    void theGraceIsLongRunningsAlone() {
        assertThat(terminated("TERMINATE_RULES", "long-running,unexpected-owner", "TERMINATE_GRACE_MINUTES", " 30 "))
                .isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(30), RuleId.UNEXPECTED_OWNER, Duration.ZERO));
    }

    @Test
    void aGraceWithoutLongRunningTerminatesNothing() {
        assertThat(load("TERMINATE_GRACE_MINUTES", "30").terminatesAny()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "10080"})
    void theGraceMayBeFromNothingToAWeek(String minutes) {
        assertThat(terminated("TERMINATE_RULES", "long-running", "TERMINATE_GRACE_MINUTES", minutes))
                .isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(Long.parseLong(minutes))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            TERMINATE_RULES         | long-running,,unexpected-target | TERMINATE_RULES: item 2 of 3 is empty (a stray comma?); give comma-separated rule ids such as 'unexpected-target,long-running', or leave TERMINATE_RULES empty to end no session
            TERMINATE_RULES         | long-running,                   | TERMINATE_RULES: item 2 of 2 is empty
            TERMINATE_RULES         | ,long-running                   | TERMINATE_RULES: item 1 of 2 is empty
            TERMINATE_RULES         | too-long                        | TERMINATE_RULES: 'too-long' is not a rule id; the rules are long-running, unexpected-owner, unexpected-target, unexpected-document
            TERMINATE_RULES         | long-running, Unexpected-Owner  | TERMINATE_RULES: 'Unexpected-Owner' is not a rule id
            TERMINATE_RULES         | all                             | TERMINATE_RULES: 'all' is not a rule id
            TERMINATE_GRACE_MINUTES | -1                              | TERMINATE_GRACE_MINUTES: '-1' is not a whole number of minutes from 0 to 10080 (a week); set e.g. TERMINATE_GRACE_MINUTES=30 to end a long-running session 30 minutes after its limit, or 0 to end it at once
            TERMINATE_GRACE_MINUTES | 10081                           | TERMINATE_GRACE_MINUTES: '10081' is not a whole number of minutes from 0 to 10080
            TERMINATE_GRACE_MINUTES | 30m                             | TERMINATE_GRACE_MINUTES: '30m' is not a whole number
            TERMINATE_GRACE_MINUTES | 1.5                             | TERMINATE_GRACE_MINUTES: '1.5' is not a whole number
            TERMINATE_GRACE_MINUTES | 99999999999                     | TERMINATE_GRACE_MINUTES: '99999999999' is not a whole number
            """)
    void eachBadFlatValueNamesItsVariableAndTheFix(String variable, String value, String message) {
        assertThat(problem(variable, value)).contains(message);
    }

    // --- the document ---------------------------------------------------------------------------------

    @Test
    void theDocumentSaysWhichRulesEndSessionsAndWhoIsExempt() {
        RemediationPolicy policy = load("POLICY", """
                {"remediation": {
                   "long-running": {"terminate": true, "graceMinutes": 30},
                   "unexpected-target": true,
                   "unexpected-owner": {"terminate": false},
                   "exemptOwners": ["arn:aws:sts::*:assumed-role/BreakGlass/*"],
                   "exemptTargets": ["i-0criticaldb*"]
                }}""");
        assertThat(policy.terminate()).isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(30),
                RuleId.UNEXPECTED_TARGET, Duration.ZERO));
        assertThat(policy.exemptOwners().patterns()).extracting(Glob::pattern)
                .containsExactly("arn:aws:sts::*:assumed-role/BreakGlass/*");
        assertThat(policy.exemptTargets().patterns()).extracting(Glob::pattern).containsExactly("i-0criticaldb*");
    }

    @Test
    void aDocumentFalseOverridesTerminateRules() {
        String rules = "unexpected-owner,unexpected-target";
        assertThat(terminated("TERMINATE_RULES", rules, "POLICY", remediation("{\"unexpected-owner\": false}")))
                .isEqualTo(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO));
        assertThat(terminated("TERMINATE_RULES", rules, "POLICY", remediation("{\"unexpected-owner\": {\"terminate\": false}}")))
                .isEqualTo(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO));
    }

    @Test
    void aDocumentGraceOverridesTheFlatGraceAndTerminateRulesStillDecides() {
        String flat = "TERMINATE_GRACE_MINUTES";
        assertThat(terminated("TERMINATE_RULES", "long-running", flat, "30",
                "POLICY", remediation("{\"long-running\": {\"graceMinutes\": 5}}")))
                .isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(5)));
        assertThat(terminated("TERMINATE_RULES", "long-running", flat, "30",
                "POLICY", remediation("{\"long-running\": {\"graceMinutes\": 0}}")))
                .as("zero is said, not absent").isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ZERO));
        assertThat(terminated("POLICY", remediation("{\"long-running\": {\"graceMinutes\": 5}}")))
                .as("a grace alone asks for no termination").isEmpty();
    }

    @Test
    void aDocumentTrueKeepsTheFlatGrace() {
        assertThat(terminated("TERMINATE_GRACE_MINUTES", "20", "POLICY", remediation("{\"long-running\": true}")))
                .isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(20)));
    }

    @Test
    void aRuleTheDocumentIsSilentAboutKeepsTerminateRules() {
        assertThat(terminated("TERMINATE_RULES", "long-running", "TERMINATE_GRACE_MINUTES", "45",
                "POLICY", remediation("{\"unexpected-target\": true, \"unexpected-owner\": false}")))
                .isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(45), RuleId.UNEXPECTED_TARGET, Duration.ZERO));
        assertThat(terminated("TERMINATE_RULES", "long-running", "TERMINATE_GRACE_MINUTES", "45",
                "POLICY", remediation("{\"long-running\": {}}")))
                .as("an empty object says nothing").isEqualTo(Map.of(RuleId.LONG_RUNNING, Duration.ofMinutes(45)));
        assertThat(terminated("TERMINATE_RULES", "unexpected-document", "POLICY", "{\"maxSessionMinutes\": 60}"))
                .isEqualTo(Map.of(RuleId.UNEXPECTED_DOCUMENT, Duration.ZERO));
    }

    @Test
    void exemptionsMayBeGivenAtTheTopLevelOfTheDocument() {
        RemediationPolicy policy = load("TERMINATE_RULES", "unexpected-target", "POLICY",
                "{\"exemptOwners\": [\"arn:aws:sts::*:assumed-role/BreakGlass/*\", \" arn:aws:iam::*:user/oncall \"],"
                        + " \"exemptTargets\": [\"i-0criticaldb*\"]}");
        assertThat(policy.exemptOwners().patterns()).extracting(Glob::pattern)
                .containsExactly("arn:aws:sts::*:assumed-role/BreakGlass/*", "arn:aws:iam::*:user/oncall");
        assertThat(policy.exemptTargets().patterns()).extracting(Glob::pattern).containsExactly("i-0criticaldb*");
    }

    @Test
    void oneExemptListMayBeAtTheTopAndTheOtherNested() {
        RemediationPolicy policy = load("POLICY",
                "{\"exemptOwners\": [\"arn:aws:sts::*:assumed-role/BreakGlass/*\"], \"remediation\": {\"exemptTargets\": [\"mi-*\"]}}");
        assertThat(policy.exemptOwners()).isEqualTo(PatternList.of("arn:aws:sts::*:assumed-role/BreakGlass/*"));
        assertThat(policy.exemptTargets()).isEqualTo(PatternList.of("mi-*"));
        assertThat(policy.terminatesAny()).as("exemptions alone end nothing").isFalse();
    }

    @Test
    void anEmptyExemptListExemptsNobody() {
        assertThat(load("POLICY", remediation("{\"exemptOwners\": []}")).exemptOwners().isOff()).isTrue();
        assertThat(load("POLICY", "{\"exemptTargets\": []}").exemptTargets().isOff()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"exemptOwners", "exemptTargets"})
    void anExemptListGivenInBothPlacesIsAProblem(String key) {
        ConfigException e = problems("POLICY", "{\"" + key + "\": [\"a*\"], \"remediation\": {\"" + key + "\": [\"a*\"]}}");
        assertThat(e.problems()).containsExactly("POLICY at remediation." + key + " repeats " + key
                + ", which is also given at the top level of the document; say it once, in either place");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"remediation": []}                                                   | POLICY at remediation must be an object such as {"long-running": {"terminate": true, "graceMinutes": 30}, "unexpected-target": true}, was a list
            {"remediation": true}                                                 | POLICY at remediation must be an object
            {"remediation": {"foo": true}}                                        | POLICY at remediation.foo is not a known key; known keys are exemptOwners, exemptTargets, long-running, unexpected-document, unexpected-owner, unexpected-target
            {"remediation": {"longRunning": true}}                                | POLICY at remediation.longRunning is not a known key
            {"remediation": {"long-running": "yes"}}                              | POLICY at remediation.long-running must be true or false, or an object such as {"terminate": true, "graceMinutes": 30}, was "yes"
            {"remediation": {"unexpected-target": 1}}                             | POLICY at remediation.unexpected-target must be true or false, or an object such as {"terminate": true}, was 1
            {"remediation": {"unexpected-owner": null}}                           | POLICY at remediation.unexpected-owner must be true or false, or an object such as {"terminate": true}, was null
            {"remediation": {"unexpected-document": [true]}}                      | POLICY at remediation.unexpected-document must be true or false, or an object such as {"terminate": true}, was a list
            {"remediation": {"long-running": {"terminate": "true"}}}              | POLICY at remediation.long-running.terminate must be true or false, was "true"
            {"remediation": {"unexpected-owner": {"terminate": 1}}}               | POLICY at remediation.unexpected-owner.terminate must be true or false, was 1
            {"remediation": {"long-running": {"terminate": true, "grace": 5}}}    | POLICY at remediation.long-running.grace is not a known key; known keys are graceMinutes, terminate
            {"remediation": {"long-running": {"graceMinutes": -1}}}               | POLICY at remediation.long-running.graceMinutes must be a whole number of minutes from 0 to 10080 (a week), was -1
            {"remediation": {"long-running": {"graceMinutes": 10081}}}            | POLICY at remediation.long-running.graceMinutes must be a whole number of minutes from 0 to 10080 (a week), was 10081
            {"remediation": {"long-running": {"graceMinutes": 1.5}}}              | POLICY at remediation.long-running.graceMinutes must be a whole number of minutes from 0 to 10080 (a week), was 1.5
            {"remediation": {"long-running": {"graceMinutes": "30"}}}             | POLICY at remediation.long-running.graceMinutes must be a whole number of minutes from 0 to 10080 (a week), was "30"
            {"remediation": {"long-running": {"graceMinutes": 99999999999999999999}}} | POLICY at remediation.long-running.graceMinutes must be a whole number
            {"remediation": {"unexpected-target": {"terminate": true, "graceMinutes": 5}}} | POLICY at remediation.unexpected-target.graceMinutes is for long-running only: the other rules' violations begin when the session starts, and a rule that terminates ends the session at once; remove it
            {"remediation": {"unexpected-document": {"graceMinutes": 0}}}         | POLICY at remediation.unexpected-document.graceMinutes is for long-running only
            {"exemptOwners": "arn:*"}                                             | POLICY at exemptOwners must be a list of patterns such as ["i-0abc*", "mi-*"], was "arn:*"
            {"remediation": {"exemptTargets": {"a": 1}}}                          | POLICY at remediation.exemptTargets must be a list of patterns such as ["i-0abc*", "mi-*"], was an object
            {"remediation": {"exemptTargets": ["i-*", ""]}}                       | POLICY at remediation.exemptTargets[1] must be a non-empty pattern string, was ""
            {"exemptTargets": [null]}                                             | POLICY at exemptTargets[0] must be a non-empty pattern string, was null
            {"remediation": {"long-running": true, "long-running": false}}        | POLICY gives a key twice: 'long-running'
            {"remediaton": {}}                                                    | POLICY at remediaton is not a known key; known keys are allowedDocuments, allowedOwners, allowedTargets, deniedTargets, durationLimits, exemptOwners, exemptTargets, maxSessionMinutes, remediation, severities
            """)
    void eachBadRemediationNamesWhereAndWhat(String json, String message) {
        assertThat(problem("POLICY", json)).contains(message);
    }

    @Test
    void oneBadRuleDoesNotHideTheOthersProblems() {
        ConfigException e = problems("POLICY", remediation(
                "{\"long-running\": {\"graceMinutes\": -5, \"terminate\": \"yes\"}, \"unexpected-owner\": {\"graceMinutes\": 5}, \"x\": 1}"));
        assertThat(e.problems()).hasSize(4).allSatisfy(p -> assertThat(p).startsWith("POLICY at remediation."));
    }

    // --- the ledger -----------------------------------------------------------------------------------

    @Test
    void terminationNeedsTheLedger() {
        assertThat(problems("TERMINATE_RULES", "unexpected-target", "STATE_TABLE", null).problems())
                .containsExactly(STATE_TABLE_PROBLEM);
        assertThat(problems("TERMINATE_RULES", "unexpected-target", "STATE_TABLE", "  ").problems())
                .containsExactly(STATE_TABLE_PROBLEM);
        assertThat(problems("POLICY", remediation("{\"long-running\": {\"terminate\": true}}"), "STATE_TABLE", null).problems())
                .as("asked by the document alone").containsExactly(STATE_TABLE_PROBLEM);
    }

    @Test
    void aDryRunEndsNothingAndNeedsNoLedger() {
        RemediationPolicy policy = new ConfigLoader().load(Map.of("DRY_RUN", "true", "TERMINATE_RULES", "unexpected-target"))
                .remediation();
        assertThat(policy.terminate()).isEqualTo(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO));
    }

    @Test
    void noTerminationNeedsNoLedger() {
        assertThat(new ConfigLoader().load(Map.of("ALERT_TOPIC_ARN", TOPIC, "TERMINATE_RULES", "unexpected-target",
                "POLICY", "{\"remediation\": {\"unexpected-target\": false, \"exemptOwners\": [\"a*\"]}}")).remediation()
                .terminatesAny()).isFalse();
    }

    @Test
    void allProblemsAreReportedTogether() {
        ConfigException e = problems("TERMINATE_RULES", "forever,,unexpected-owner", "TERMINATE_GRACE_MINUTES", "soon",
                "POLICY", remediation("{\"foo\": 1}"), "STATE_TABLE", null);
        // 'forever', item 2 empty, the grace, the unknown key, and the ledger unexpected-owner still asks for.
        assertThat(e.problems()).hasSize(5).contains(STATE_TABLE_PROBLEM);
        assertThat(e.getMessage()).startsWith("Invalid configuration (5 problems):");
    }
}
