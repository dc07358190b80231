package dev.ssmauditor.config;

import dev.ssmauditor.config.RemediationDocumentParser.RemediationDocument;
import dev.ssmauditor.config.RemediationDocumentParser.RuleRemediation;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.RemediationPolicy;
import dev.ssmauditor.policy.RuleId;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which violations end their session: {@code TERMINATE_RULES} and {@code TERMINATE_GRACE_MINUTES}, merged with the
 * {@code POLICY} document's {@code remediation} field by field, the document winning where it says something.
 */
final class RemediationParser {

    /** A week: a longer grace is no grace but a slow way of saying "do not terminate", which the document says plainly. */
    static final int MAX_GRACE_MINUTES = 7 * 24 * 60;

    private RemediationParser() {
    }

    /**
     * @param doc what the document says; null without a document (or an unreadable one). The result is built from
     *            whatever could be read, so that a caller can still see whether termination is asked.
     */
    static RemediationPolicy parse(Map<String, String> env, RemediationDocument doc, List<String> problems) {
        Set<RuleId> rules = rules(env.get(Settings.TERMINATE_RULES), problems);
        Duration grace = grace(env.get(Settings.TERMINATE_GRACE_MINUTES), problems);
        return merge(rules, grace, doc);
    }

    private static RemediationPolicy merge(Set<RuleId> flatRules, Duration flatGrace, RemediationDocument doc) {
        Map<RuleId, Duration> terminate = new EnumMap<>(RuleId.class);
        for (RuleId rule : RuleId.values()) {
            RuleRemediation said = doc == null ? null : doc.rules().get(rule);
            boolean terminates = said != null && said.terminate() != null ? said.terminate() : flatRules.contains(rule);
            if (!terminates) {
                continue;
            }
            // Only a long-running violation begins after the session does; the others end it at once.
            Duration grace = Duration.ZERO;
            if (rule == RuleId.LONG_RUNNING) {
                grace = said != null && said.graceMinutes() != null ? Duration.ofMinutes(said.graceMinutes()) : flatGrace;
            }
            terminate.put(rule, grace);
        }
        // There are no flat variables for the exempt lists: a list of ARN patterns is what the document is for.
        PatternList owners = doc == null || doc.exemptOwners() == null ? PatternList.OFF : doc.exemptOwners();
        PatternList targets = doc == null || doc.exemptTargets() == null ? PatternList.OFF : doc.exemptTargets();
        return new RemediationPolicy(terminate, owners, targets);
    }

    private static Set<RuleId> rules(String value, List<String> problems) {
        Set<RuleId> rules = EnumSet.noneOf(RuleId.class);
        if (value == null || value.isBlank()) {
            return rules;
        }
        String[] items = value.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (item.isEmpty()) {
                problems.add(Settings.TERMINATE_RULES + ": item " + (i + 1) + " of " + items.length + " is empty (a stray "
                        + "comma?); give comma-separated rule ids such as 'unexpected-target,long-running', or leave "
                        + Settings.TERMINATE_RULES + " empty to end no session");
                continue;
            }
            RuleId rule = rule(item);
            if (rule == null) {
                problems.add(Settings.TERMINATE_RULES + ": '" + item + "' is not a rule id; the rules are "
                        + String.join(", ", Arrays.stream(RuleId.values()).map(RuleId::id).toList()));
            } else {
                rules.add(rule);
            }
        }
        return rules;
    }

    private static RuleId rule(String id) {
        for (RuleId rule : RuleId.values()) {
            if (rule.id().equals(id)) {
                return rule;
            }
        }
        return null;
    }

    private static Duration grace(String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        try {
            int minutes = Integer.parseInt(value.trim());
            if (minutes >= 0 && minutes <= MAX_GRACE_MINUTES) {
                return Duration.ofMinutes(minutes);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(Settings.TERMINATE_GRACE_MINUTES + ": '" + value + "' is not a whole number of minutes from 0 to "
                + MAX_GRACE_MINUTES + " (a week); set e.g. " + Settings.TERMINATE_GRACE_MINUTES + "=30 to end a long-running "
                + "session 30 minutes after its limit, or 0 to end it at once");
        return Duration.ZERO;
    }
}
