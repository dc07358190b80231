package dev.ssmauditor.audit;

/** The invocation would time out before the audit finishes; nothing was published as if it were complete. */
public final class AuditDeadlineException extends RuntimeException {

    public AuditDeadlineException(String message) {
        super(message);
    }
}
