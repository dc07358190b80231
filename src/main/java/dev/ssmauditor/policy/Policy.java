package dev.ssmauditor.policy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The whole policy in force for one audit. An empty pattern list switches its check off.
 *
 * @param maxSessionMinutes the default session length limit
 * @param durationLimits per-owner / per-target limits; the first that applies to a session wins over the default
 * @param severities severity per rule; rules not named get their default
 */
public record Policy(
        int maxSessionMinutes,
        List<DurationLimit> durationLimits,
        PatternList allowedOwners,
        PatternList allowedTargets,
        PatternList deniedTargets,
        PatternList allowedDocuments,
        Map<RuleId, Severity> severities) {

    public static final int DEFAULT_MAX_SESSION_MINUTES = 480;

    public Policy {
        if (maxSessionMinutes < 1) {
            throw new IllegalArgumentException("maxSessionMinutes must be at least 1, was " + maxSessionMinutes);
        }
        durationLimits = List.copyOf(durationLimits);
        EnumMap<RuleId, Severity> complete = new EnumMap<>(RuleId.class);
        for (RuleId rule : RuleId.values()) {
            complete.put(rule, severities.getOrDefault(rule, rule.defaultSeverity()));
        }
        severities = Map.copyOf(complete);
    }

    /** Only the long-running check, at the default limit: what an unconfigured auditor enforces. */
    public static Policy defaults() {
        return new Policy(DEFAULT_MAX_SESSION_MINUTES, List.of(), PatternList.OFF, PatternList.OFF, PatternList.OFF,
                PatternList.OFF, Map.of());
    }

    public Severity severityOf(RuleId rule) {
        return severities.get(rule);
    }
}
