package dev.ssmauditor.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.ssmauditor.coverage.CoverageSettings;
import dev.ssmauditor.policy.DurationLimit;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.Policy;
import dev.ssmauditor.policy.RemediationPolicy;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the {@link AuditorConfig} from environment variables (see {@link Settings}), once per execution
 * environment. Every problem found is reported together in one {@link ConfigException}.
 */
public final class ConfigLoader {

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{3,255}");
    private static final Pattern TOPIC_ARN = Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}");

    public AuditorConfig load(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        boolean dryRun = dryRun(env.get(Settings.DRY_RUN), problems);
        String topicArn = topicArn(env.get(Settings.ALERT_TOPIC_ARN), dryRun, problems);
        PolicyDocumentParser.PolicyDocument doc = document(env.get(Settings.POLICY), problems);
        Policy policy = policy(env, doc, problems);
        Duration remindEvery = remindEvery(env.get(Settings.REMIND_EVERY_MINUTES), problems);
        String stateTable = stateTable(env.get(Settings.STATE_TABLE), problems);
        boolean expectEvents = expectEvents(env.get(Settings.EXPECT_START_SESSION_EVENTS), stateTable, problems);
        CoverageSettings coverage = CoverageParser.parse(env, problems);
        RemediationPolicy remediation = RemediationParser.parse(env, doc == null ? null : doc.remediation(), problems);
        terminationNeedsLedger(remediation, stateTable, dryRun, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new AuditorConfig(topicArn, dryRun, policy, remindEvery, stateTable, expectEvents, coverage, remediation);
    }

    private static void terminationNeedsLedger(RemediationPolicy remediation, String stateTable, boolean dryRun,
                                               List<String> problems) {
        if (remediation.terminatesAny() && (stateTable == null || stateTable.isBlank()) && !dryRun) {
            problems.add(Settings.TERMINATE_RULES + " (or the " + Settings.POLICY + " remediation) needs " + Settings.STATE_TABLE
                    + ": the alert ledger records each termination, so that the sweep and the event function end a session "
                    + "once; set STATE_TABLE (the template does), or DRY_RUN=true to report what would be ended");
        }
    }

    private static boolean expectEvents(String value, String stateTable, List<String> problems) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        if (!value.trim().equalsIgnoreCase("true")) {
            problems.add(Settings.EXPECT_START_SESSION_EVENTS + ": '" + value + "' is neither true nor false; set it to true "
                    + "when the event function receives StartSession events (the template does), or false");
            return false;
        }
        if (stateTable == null || stateTable.isBlank()) {
            problems.add(Settings.EXPECT_START_SESSION_EVENTS + "=true needs " + Settings.STATE_TABLE + ": the event path "
                    + "records the sessions it sees in the alert ledger; set STATE_TABLE, or EXPECT_START_SESSION_EVENTS=false");
        }
        return true;
    }

    private static boolean dryRun(String value, List<String> problems) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        problems.add(Settings.DRY_RUN + ": '" + value + "' is neither true nor false; set DRY_RUN=true to publish nothing, "
                + "or false (or leave it unset) to publish alerts");
        return false;
    }

    private static String topicArn(String value, boolean dryRun, List<String> problems) {
        if (value == null || value.isBlank()) {
            if (!dryRun) {
                problems.add(Settings.ALERT_TOPIC_ARN + " is not set; set it to the SNS topic ARN alerts go to "
                        + "(arn:aws:sns:REGION:ACCOUNT:NAME), or set DRY_RUN=true to only log alerts");
            }
            return null;
        }
        String arn = value.trim();
        if (arn.endsWith(".fifo")) {
            problems.add(Settings.ALERT_TOPIC_ARN + ": '" + arn + "' is a FIFO topic; use a standard topic "
                    + "(email and HTTPS subscribers need one)");
        } else if (!TOPIC_ARN.matcher(arn).matches()) {
            problems.add(Settings.ALERT_TOPIC_ARN + ": '" + arn + "' is not an SNS topic ARN; expected "
                    + "arn:aws:sns:REGION:ACCOUNT:NAME, e.g. arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts");
        }
        return arn;
    }

    private static Duration remindEvery(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        try {
            int minutes = Integer.parseInt(value.trim());
            if (minutes >= 0) {
                return Duration.ofMinutes(minutes);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(Settings.REMIND_EVERY_MINUTES + ": '" + value + "' is not a whole number of minutes of 0 or more; "
                + "set e.g. REMIND_EVERY_MINUTES=60 to be reminded hourly of violations still open, or 0 for no reminders");
        return Duration.ZERO;
    }

    private static String stateTable(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String name = value.trim();
        if (!TABLE_NAME.matcher(name).matches()) {
            problems.add(Settings.STATE_TABLE + ": '" + name + "' is not a DynamoDB table name; use 3 to 255 letters, digits "
                    + "and . - _ (the template sets it to the alert ledger table it creates), or leave it unset to keep no ledger");
        }
        return name;
    }

    /** The POLICY document, read once for the policy and the remediation; null when unset or unreadable. */
    private static PolicyDocumentParser.PolicyDocument document(String json, List<String> problems) {
        if (json == null || json.isBlank()) {
            return null;
        }
        // A key given twice would otherwise silently take its last value ("allowedOwners": [] at the end switches the
        // check off): the policy must fail closed, so duplicates are an error.
        return new PolicyDocumentParser(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .parse(json, problems);
    }

    private static Policy policy(Map<String, String> env, PolicyDocumentParser.PolicyDocument doc, List<String> problems) {
        Integer flatMinutes = flatMinutes(env.get(Settings.MAX_SESSION_MINUTES), problems);
        PatternList owners = PatternListParser.parse(Settings.ALLOWED_OWNERS, env.get(Settings.ALLOWED_OWNERS), problems);
        PatternList targets = PatternListParser.parse(Settings.ALLOWED_TARGETS, env.get(Settings.ALLOWED_TARGETS), problems);
        PatternList denied = PatternListParser.parse(Settings.DENIED_TARGETS, env.get(Settings.DENIED_TARGETS), problems);
        PatternList documents = PatternListParser.parse(Settings.ALLOWED_DOCUMENTS, env.get(Settings.ALLOWED_DOCUMENTS), problems);
        if (!problems.isEmpty()) {
            return null;
        }
        int minutes = flatMinutes == null ? Policy.DEFAULT_MAX_SESSION_MINUTES : flatMinutes;
        List<DurationLimit> limits = List.of();
        Map<RuleId, Severity> severities = Map.of();
        if (doc != null) {
            minutes = orElse(doc.maxSessionMinutes(), minutes);
            limits = orElse(doc.durationLimits(), limits);
            owners = orElse(doc.allowedOwners(), owners);
            targets = orElse(doc.allowedTargets(), targets);
            denied = orElse(doc.deniedTargets(), denied);
            documents = orElse(doc.allowedDocuments(), documents);
            severities = orElse(doc.severities(), severities);
        }
        return new Policy(minutes, limits, owners, targets, denied, documents, severities);
    }

    private static <T> T orElse(T fromDocument, T fromFlat) {
        return fromDocument != null ? fromDocument : fromFlat;
    }

    private static Integer flatMinutes(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int minutes = Integer.parseInt(value.trim());
            if (minutes >= 1) {
                return minutes;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(Settings.MAX_SESSION_MINUTES + ": '" + value + "' is not a whole number of minutes of at least 1; "
                + "set e.g. MAX_SESSION_MINUTES=480 for 8 hours");
        return null;
    }
}
