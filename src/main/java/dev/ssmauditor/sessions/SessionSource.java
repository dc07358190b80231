package dev.ssmauditor.sessions;

import java.time.Instant;

/**
 * Where sessions come from: SSM itself, or a saved snapshot. A listing is partial only when its
 * {@link PageGate} stopped it (and then says so); any failure throws rather than return a partial list.
 */
public interface SessionSource {

    /** Every active session (connected or disconnected). */
    SessionListing activeSessions(PageGate gate);

    /**
     * Every session already over that started at or after {@code from} and, when {@code before} is not null,
     * before {@code before}.
     */
    SessionListing endedSessions(Instant from, Instant before, PageGate gate);

    default SessionListing activeSessions() {
        return activeSessions(PageGate.ALWAYS);
    }
}
