package dev.ssmauditor.policy;

import java.time.Duration;
import java.util.Optional;

/** The owner matches none of the allowed owner patterns. A missing owner is unexpected too. */
final class UnexpectedOwnerRule implements Rule {

    private final PatternList allowed;

    UnexpectedOwnerRule(PatternList allowed) {
        this.allowed = allowed;
    }

    @Override
    public RuleId id() {
        return RuleId.UNEXPECTED_OWNER;
    }

    @Override
    public Optional<Breach> check(Session session, Duration openFor) {
        if (session.owner() == null) {
            return Breach.fromStart(session, "owner unknown (DescribeSessions gave none); only allowed owners may hold sessions");
        }
        if (allowed.firstMatch(session.owner()).isPresent()) {
            return Optional.empty();
        }
        return Breach.fromStart(session, "owner " + session.owner() + " matches no allowed owner pattern");
    }
}
