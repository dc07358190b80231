package dev.ssmauditor.alert;

import java.time.Instant;
import java.util.List;

/**
 * What one audit alerts about, with what alerts say about where and when.
 *
 * @param account the AWS account id, or null when unknown (offline runs)
 * @param region the region audited, or null when unknown
 * @param sessionsChecked active sessions checked
 * @param endedSessionsChecked sessions that started and ended since the last run, checked too
 */
public record AuditFindings(String account, String region, Instant referenceTime, int sessionsChecked,
                            int endedSessionsChecked, List<Alert> alerts) {

    public AuditFindings {
        alerts = List.copyOf(alerts);
    }
}
