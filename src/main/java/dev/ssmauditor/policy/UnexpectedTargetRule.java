package dev.ssmauditor.policy;

import java.time.Duration;
import java.util.Optional;

/**
 * The target matches a denied pattern, or none of the allowed ones. A denied match is reported first,
 * since it says more. A missing target fails the allow-list (it cannot be shown to be allowed) but cannot
 * match a deny-list.
 */
final class UnexpectedTargetRule implements Rule {

    private final PatternList allowed;
    private final PatternList denied;

    UnexpectedTargetRule(PatternList allowed, PatternList denied) {
        this.allowed = allowed;
        this.denied = denied;
    }

    @Override
    public RuleId id() {
        return RuleId.UNEXPECTED_TARGET;
    }

    @Override
    public Optional<Breach> check(Session session, Duration openFor) {
        String target = session.target();
        Optional<Glob> deniedBy = denied.firstMatch(target);
        if (deniedBy.isPresent()) {
            return Breach.fromStart(session, "target " + target + " matches denied pattern " + deniedBy.get());
        }
        if (allowed.isOff()) {
            return Optional.empty();
        }
        if (target == null) {
            return Breach.fromStart(session, "target unknown (DescribeSessions gave none); only allowed targets may be reached");
        }
        if (allowed.firstMatch(target).isPresent()) {
            return Optional.empty();
        }
        return Breach.fromStart(session, "target " + target + " matches no allowed target pattern");
    }
}
