package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.policy.Session;

import java.time.Instant;

/**
 * A session as its {@code StartSession} event reports it, the moment it starts.
 *
 * @param account the account the session is in (the event's, not the function's: a central bus serves many)
 * @param region the region the session is in
 * @param session what the rules judge; its start is the call's time
 * @param detection where the call came from
 * @param missing what the record lacks for the rules to judge it (a truncated record), or null when complete: the
 *                session is then only recorded as seen, and the sweep judges it
 */
public record StartedSession(String account, String region, Session session, Instant eventTime, Detection detection,
                             String missing) {
}
