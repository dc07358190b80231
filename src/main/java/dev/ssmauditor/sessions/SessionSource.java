package dev.ssmauditor.sessions;

import java.time.Instant;

/** Where sessions come from: SSM itself, or a saved snapshot. Both methods throw rather than return a partial list. */
public interface SessionSource {

    /** Every active session (connected or disconnected). */
    SessionListing activeSessions();

    /** Every session that started at or after {@code since} and is already over. */
    SessionListing endedSessions(Instant since);
}
