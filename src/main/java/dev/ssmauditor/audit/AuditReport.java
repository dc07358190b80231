package dev.ssmauditor.audit;

import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one audit did.
 *
 * @param alertMessages how many alert messages were composed
 * @param delivered true when they were published (false in dry runs and terminal runs)
 */
public record AuditReport(Instant referenceTime, int sessionsChecked, int pages, List<Violation> violations,
                          int alertMessages, boolean delivered, Duration elapsed) {

    public AuditReport {
        violations = List.copyOf(violations);
    }

    public Map<RuleId, Integer> violationsByRule() {
        Map<RuleId, Integer> counts = new EnumMap<>(RuleId.class);
        violations.forEach(v -> counts.merge(v.rule(), 1, Integer::sum));
        return counts;
    }

    public Map<Severity, Integer> violationsBySeverity() {
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        violations.forEach(v -> counts.merge(v.severity(), 1, Integer::sum));
        return counts;
    }
}
