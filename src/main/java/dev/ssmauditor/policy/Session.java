package dev.ssmauditor.policy;

import java.time.Instant;

/**
 * One Session Manager session as the policy sees it. Every field may be null: DescribeSessions
 * promises none of them, and a session with odd data must still be checked by the rules that can be applied.
 *
 * @param owner the owner ARN, already normalised to start with {@code arn:} where it looked like an ARN
 * @param maxSessionDuration the session's own cap in minutes as DescribeSessions reports it (free text)
 */
public record Session(
        String sessionId,
        String target,
        String status,
        Instant startDate,
        Instant endDate,
        String documentName,
        String owner,
        String reason,
        String maxSessionDuration,
        String accessType) {

    /** A builder-like start for tests and adapters: only the id set. */
    public static Session withId(String sessionId) {
        return new Session(sessionId, null, null, null, null, null, null, null, null, null);
    }

    public Session target(String value) {
        return new Session(sessionId, value, status, startDate, endDate, documentName, owner, reason, maxSessionDuration, accessType);
    }

    public Session status(String value) {
        return new Session(sessionId, target, value, startDate, endDate, documentName, owner, reason, maxSessionDuration, accessType);
    }

    public Session startDate(Instant value) {
        return new Session(sessionId, target, status, value, endDate, documentName, owner, reason, maxSessionDuration, accessType);
    }

    public Session endDate(Instant value) {
        return new Session(sessionId, target, status, startDate, value, documentName, owner, reason, maxSessionDuration, accessType);
    }

    public Session documentName(String value) {
        return new Session(sessionId, target, status, startDate, endDate, value, owner, reason, maxSessionDuration, accessType);
    }

    public Session owner(String value) {
        return new Session(sessionId, target, status, startDate, endDate, documentName, value, reason, maxSessionDuration, accessType);
    }

    public Session reason(String value) {
        return new Session(sessionId, target, status, startDate, endDate, documentName, owner, value, maxSessionDuration, accessType);
    }
}
