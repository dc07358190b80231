package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Violation;

import java.time.Instant;
import java.util.List;

/**
 * What one audit found, with what alerts say about where and when.
 *
 * @param account the AWS account id, or null when unknown (offline runs)
 * @param region the region audited, or null when unknown
 */
public record AuditFindings(String account, String region, Instant referenceTime, int sessionsChecked,
                            List<Violation> violations) {

    public AuditFindings {
        violations = List.copyOf(violations);
    }
}
