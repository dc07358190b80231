package dev.ssmauditor.policy;

import java.time.Duration;
import java.util.Optional;

/**
 * The target matches a denied pattern, or none of the allowed ones. A denied match is reported first,
 * since it says more. Both fail closed: denied patterns match without regard to case (so {@code i-0PCI*}
 * still denies {@code i-0pci...}), allowed ones only exactly; and a session without a target breaks the rule
 * whenever a list is in force, since it can be shown neither allowed nor not denied.
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
        if (target == null && !denied.isOff()) {
            return Breach.fromStart(session, "target unknown (DescribeSessions gave none); it cannot be shown not to be a "
                    + "denied target");
        }
        Optional<Glob> deniedBy = denied.firstMatchIgnoringCase(target);
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
