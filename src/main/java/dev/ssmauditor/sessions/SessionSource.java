package dev.ssmauditor.sessions;

/** Where the active sessions come from: SSM itself, or a saved snapshot. */
public interface SessionSource {

    /** Every active session; throws rather than return a partial list. */
    SessionListing activeSessions();
}
