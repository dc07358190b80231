package dev.ssmauditor.sessions;

import dev.ssmauditor.policy.Session;

import java.util.List;

/** The sessions one listing returned, and how many pages it took. */
public record SessionListing(List<Session> sessions, int pages) {

    public SessionListing {
        sessions = List.copyOf(sessions);
    }
}
