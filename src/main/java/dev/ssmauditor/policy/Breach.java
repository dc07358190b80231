package dev.ssmauditor.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * What a rule found wrong with a session.
 *
 * @param since when the session started breaking the rule: its start for owner, target and document rules,
 *              start plus limit for long-running; null when the session has no start date
 */
public record Breach(String detail, Instant since) {

    /** A breach that began when the session did: owner, target and document rules. */
    static Optional<Breach> fromStart(Session session, String detail) {
        return Optional.of(new Breach(detail, session.startDate()));
    }
}
