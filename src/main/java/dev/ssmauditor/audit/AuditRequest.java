package dev.ssmauditor.audit;

import java.time.Instant;

/**
 * One audit to run.
 *
 * @param referenceTime the moment sessions are judged at: the scheduled event's time, so a retried event
 *                      gives the same answer
 * @param account the account audited, or null when unknown
 * @param region the region audited, or null when unknown
 * @param deadline the time the invocation has left
 * @param accountName the account's name in AWS Organizations, or null when not known
 */
public record AuditRequest(Instant referenceTime, String account, String region, Deadline deadline, String accountName) {

    public AuditRequest(Instant referenceTime, String account, String region, Deadline deadline) {
        this(referenceTime, account, region, deadline, null);
    }

    public AuditRequest(Instant referenceTime, String account, String region) {
        this(referenceTime, account, region, Deadline.NONE);
    }
}
