package dev.ssmauditor.policy;

import java.time.Duration;
import java.util.Optional;

/** One check a session must pass. */
public interface Rule {

    RuleId id();

    /**
     * @param openFor how long the session has been open at the reference time, or null when unknown
     */
    Optional<Breach> check(Session session, Duration openFor);
}
