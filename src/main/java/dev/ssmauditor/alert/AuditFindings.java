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
 * @param mayRepeat the alert ledger could not be reached: these alerts may repeat earlier ones, and the messages say so
 * @param accountName the account's name in AWS Organizations, or null when not known
 */
public record AuditFindings(String account, String region, Instant referenceTime, int sessionsChecked,
                            int endedSessionsChecked, List<Alert> alerts, boolean mayRepeat, String accountName) {

    public AuditFindings(String account, String region, Instant referenceTime, int sessionsChecked, int endedSessionsChecked,
                         List<Alert> alerts, boolean mayRepeat) {
        this(account, region, referenceTime, sessionsChecked, endedSessionsChecked, alerts, mayRepeat, null);
    }

    /** How alerts name the account: {@code 123456789012 (Production)}, or the id alone. */
    public String accountLabel() {
        return account == null ? null : accountName == null || accountName.isBlank() ? account : account + " (" + accountName + ")";
    }

    public AuditFindings {
        alerts = List.copyOf(alerts);
    }

    public AuditFindings(String account, String region, Instant referenceTime, int sessionsChecked, int endedSessionsChecked,
                         List<Alert> alerts) {
        this(account, region, referenceTime, sessionsChecked, endedSessionsChecked, alerts, false);
    }
}
