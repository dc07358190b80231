package dev.ssmauditor.config;

import dev.ssmauditor.policy.Glob;
import dev.ssmauditor.policy.Policy;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("ALERT_TOPIC_ARN", TOPIC);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static AuditorConfig load(String... pairs) {
        return new ConfigLoader().load(env(pairs));
    }

    private static String problem(String... pairs) {
        try {
            load(pairs);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void defaultsAreALongRunningCheckAtEightHours() {
        AuditorConfig config = load();
        assertThat(config.alertTopicArn()).isEqualTo(TOPIC);
        assertThat(config.dryRun()).isFalse();
        assertThat(config.policy()).isEqualTo(Policy.defaults());
        assertThat(config.policy().maxSessionMinutes()).isEqualTo(480);
    }

    @Test
    void flatVariablesSetTheListsAndBlankSwitchesThemOff() {
        Policy policy = load("MAX_SESSION_MINUTES", " 90 ", "ALLOWED_OWNERS", "arn:aws:sts::*:assumed-role/Admin/*, arn:aws:iam::*:user/ops",
                "ALLOWED_TARGETS", "  ", "DENIED_TARGETS", "i-0db*", "ALLOWED_DOCUMENTS", "").policy();
        assertThat(policy.maxSessionMinutes()).isEqualTo(90);
        assertThat(policy.allowedOwners().patterns()).extracting(Glob::pattern)
                .containsExactly("arn:aws:sts::*:assumed-role/Admin/*", "arn:aws:iam::*:user/ops");
        assertThat(policy.allowedTargets().isOff()).isTrue();
        assertThat(policy.deniedTargets().patterns()).extracting(Glob::pattern).containsExactly("i-0db*");
        assertThat(policy.allowedDocuments().isOff()).isTrue();
    }

    @Test
    void theDocumentWinsFieldByFieldAndTheFlatVariablesFillTheRest() {
        Policy policy = load(
                "MAX_SESSION_MINUTES", "480",
                "ALLOWED_TARGETS", "i-*",
                "DENIED_TARGETS", "i-0db*",
                "POLICY", """
                        {"maxSessionMinutes": 240,
                         "deniedTargets": [],
                         "durationLimits": [{"owner": "arn:aws:sts::*:assumed-role/BreakGlass/*", "maxSessionMinutes": 60},
                                            {"target": "i-0batch*", "owner": "arn:aws:sts::*:assumed-role/Batch/*", "maxSessionMinutes": 1440}],
                         "severities": {"unexpected-target": "critical", "long-running": "LOW"}}""").policy();
        assertThat(policy.maxSessionMinutes()).isEqualTo(240);
        assertThat(policy.allowedTargets().patterns()).extracting(Glob::pattern).containsExactly("i-*");
        assertThat(policy.deniedTargets().isOff()).as("an empty list in the document switches the check off").isTrue();
        assertThat(policy.durationLimits()).hasSize(2);
        assertThat(policy.durationLimits().get(0).maxSessionMinutes()).isEqualTo(60);
        assertThat(policy.durationLimits().get(1).target().pattern()).isEqualTo("i-0batch*");
        assertThat(policy.severityOf(RuleId.UNEXPECTED_TARGET)).isEqualTo(Severity.CRITICAL);
        assertThat(policy.severityOf(RuleId.LONG_RUNNING)).isEqualTo(Severity.LOW);
        assertThat(policy.severityOf(RuleId.UNEXPECTED_OWNER)).isEqualTo(Severity.HIGH);
    }

    @Test
    void dryRunNeedsNoTopic() {
        AuditorConfig config = new ConfigLoader().load(Map.of("DRY_RUN", "TRUE"));
        assertThat(config.dryRun()).isTrue();
        assertThat(config.alertTopicArn()).isNull();
    }

    @Test
    void aMissingTopicIsNamedWithItsFix() {
        assertThatThrownBy(() -> new ConfigLoader().load(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ALERT_TOPIC_ARN is not set")
                .hasMessageContaining("DRY_RUN=true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssm-session-alerts", "arn:aws:sqs:eu-west-1:123456789012:q", "arn:aws:sns:eu-west-1:1234:t"})
    void aMalformedTopicArnIsRejected(String arn) {
        assertThat(problem("ALERT_TOPIC_ARN", arn)).contains("ALERT_TOPIC_ARN").contains("is not an SNS topic ARN");
    }

    @Test
    void aFifoTopicIsRejected() {
        assertThat(problem("ALERT_TOPIC_ARN", TOPIC + ".fifo")).contains("FIFO");
    }

    @Test
    void otherPartitionsAreAccepted() {
        assertThat(load("ALERT_TOPIC_ARN", "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts").alertTopicArn())
                .startsWith("arn:aws-us-gov:");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            MAX_SESSION_MINUTES | -5      | MAX_SESSION_MINUTES: '-5' is not a whole number of minutes of at least 1
            MAX_SESSION_MINUTES | 0       | MAX_SESSION_MINUTES: '0' is not a whole number
            MAX_SESSION_MINUTES | 8h      | MAX_SESSION_MINUTES: '8h' is not a whole number
            MAX_SESSION_MINUTES | 1.5     | MAX_SESSION_MINUTES: '1.5' is not a whole number
            DRY_RUN             | yes     | DRY_RUN: 'yes' is neither true nor false
            ALLOWED_OWNERS      | a,,b    | ALLOWED_OWNERS: item 2 of 3 is empty
            ALLOWED_TARGETS     | 'i-*,'  | ALLOWED_TARGETS: item 2 of 2 is empty
            DENIED_TARGETS      | ',i-*'  | DENIED_TARGETS: item 1 of 2 is empty
            ALLOWED_DOCUMENTS   | ' , '   | ALLOWED_DOCUMENTS: item 1 of 2 is empty
            """)
    void eachBadFlatValueNamesItsSetting(String setting, String value, String message) {
        assertThat(problem(setting, value)).contains(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {                                                     | POLICY is not valid JSON
            {"maxSessionMinutes": 60} trailing                    | POLICY is not valid JSON
            []                                                    | POLICY must be a JSON object
            "text"                                                | POLICY must be a JSON object
            {"maxSessionMinute": 60}                              | POLICY at maxSessionMinute is not a known key
            {"maxSessionMinutes": -1}                             | POLICY at maxSessionMinutes must be a whole number of minutes of at least 1, was -1
            {"maxSessionMinutes": "60"}                           | POLICY at maxSessionMinutes must be a whole number
            {"maxSessionMinutes": 1e3}                            | POLICY at maxSessionMinutes must be a whole number
            {"maxSessionMinutes": 99999999999}                    | POLICY at maxSessionMinutes must be a whole number
            {"allowedOwners": "arn:*"}                            | POLICY at allowedOwners must be a list of patterns
            {"allowedOwners": [""]}                               | POLICY at allowedOwners[0] must be a non-empty pattern string
            {"deniedTargets": ["i-*", 5]}                         | POLICY at deniedTargets[1] must be a non-empty pattern string
            {"durationLimits": {}}                                | POLICY at durationLimits must be a list
            {"durationLimits": [5]}                               | POLICY at durationLimits[0] must be an object
            {"durationLimits": [{"maxSessionMinutes": 5}]}        | POLICY at durationLimits[0] needs an owner or a target pattern
            {"durationLimits": [{"owner": "a"}]}                  | POLICY at durationLimits[0] needs maxSessionMinutes
            {"durationLimits": [{"owner": "a", "maxSessionMinutes": 0}]} | POLICY at durationLimits[0].maxSessionMinutes must be a whole number
            {"durationLimits": [{"owner": "a", "minutes": 5, "maxSessionMinutes": 5}]} | POLICY at durationLimits[0].minutes is not a known key
            {"severities": {"long-running": "URGENT"}}            | POLICY at severities.long-running 'URGENT' is not a severity
            {"severities": {"too-long": "HIGH"}}                  | POLICY at severities.too-long 'too-long' is not a rule
            {"severities": {"long-running": 3}}                   | POLICY at severities.long-running must be one of LOW, MEDIUM, HIGH, CRITICAL
            {"severities": []}                                    | POLICY at severities must be an object
            """)
    void eachBadPolicyDocumentNamesWhereAndWhat(String json, String message) {
        assertThat(problem("POLICY", json)).contains(message);
    }

    @Test
    void aKeyGivenTwiceInThePolicyIsAnErrorNotASilentSwitchOff() {
        // The last value would win: an empty list at the end switches the owner check off without a word.
        assertThat(problem("POLICY", "{\"allowedOwners\": [\"arn:aws:sts::*:assumed-role/Admin/*\"], \"allowedOwners\": []}"))
                .contains("POLICY").contains("gives a key twice").contains("'allowedOwners'");
        assertThat(problem("POLICY", "{\"severities\": {\"long-running\": \"LOW\", \"long-running\": \"HIGH\"}}"))
                .contains("'long-running'");
    }

    @Test
    void theLedgerTableIsANameOrUnset() {
        assertThat(load().stateTable()).isNull();
        assertThat(load("STATE_TABLE", " ssm-auditor-AlertLedger-1A2B3C ").stateTable()).isEqualTo("ssm-auditor-AlertLedger-1A2B3C");
        assertThat(problem("STATE_TABLE", "/ssm-session-auditor/audit-state")).contains("STATE_TABLE")
                .contains("is not a DynamoDB table name");
    }

    @Test
    void allProblemsAreReportedTogether() {
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() ->
                new ConfigLoader().load(Map.of("MAX_SESSION_MINUTES", "x", "DRY_RUN", "maybe", "POLICY", "{\"a\":1}")));
        assertThat(e.problems()).hasSize(4); // minutes, dry run, no topic (not a dry run), unknown key
        assertThat(e.getMessage()).startsWith("Invalid configuration (4 problems):");
    }

    @Test
    void aLargeValidDocumentParses() {
        StringBuilder owners = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            owners.append(i == 0 ? "" : ",").append("\"arn:aws:sts::*:assumed-role/Team").append(i).append("/*\"");
        }
        Policy policy = load("POLICY", "{\"allowedOwners\": [" + owners + "]}").policy();
        assertThat(policy.allowedOwners().patterns()).hasSize(200);
    }
}
