package dev.ssmauditor.sessions;

import dev.ssmauditor.policy.Session;

import java.util.List;

/**
 * The sessions one listing returned, and how many pages it took.
 *
 * @param complete false when the {@link PageGate} stopped the listing before its last page
 */
public record SessionListing(List<Session> sessions, int pages, boolean complete) {

    public SessionListing {
        sessions = List.copyOf(sessions);
    }

    public SessionListing(List<Session> sessions, int pages) {
        this(sessions, pages, true);
    }
}
