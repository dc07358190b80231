package dev.ssmauditor.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which violations end their session, and which sessions are never ended. Pure: the same violation at the same time
 * gets the same decision.
 *
 * @param terminate the rules whose violations end the session, each with its grace: how long after the violation
 *                  began the session is ended (only {@code long-running} has one, so that the owner reads the alert
 *                  first; the other rules' violations begin with the session and end it at once)
 * @param exemptOwners owners whose sessions are never ended (the break-glass role), matched without regard to case
 * @param exemptTargets targets whose sessions are never ended, matched without regard to case
 */
public record RemediationPolicy(Map<RuleId, Duration> terminate, PatternList exemptOwners, PatternList exemptTargets) {

    /** Nothing is ever ended: the default. */
    public static final RemediationPolicy NONE = new RemediationPolicy(Map.of(), PatternList.OFF, PatternList.OFF);

    public RemediationPolicy {
        EnumMap<RuleId, Duration> copy = new EnumMap<>(RuleId.class);
        terminate.forEach((rule, grace) -> {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("the grace of " + rule + " must be zero or more, was " + grace);
            }
            copy.put(rule, grace);
        });
        terminate = Map.copyOf(copy);
    }

    /** True when some violation may end its session: the functions then need {@code ssm:TerminateSession}. */
    public boolean terminatesAny() {
        return !terminate.isEmpty();
    }

    public boolean terminates(RuleId rule) {
        return terminate.containsKey(rule);
    }

    /** What to do with the session of a violation still open at {@code t}. */
    public Decision decide(Violation v, Instant t) {
        Duration grace = terminate.get(v.rule());
        if (grace == null) {
            return Decision.NOT_ASKED;
        }
        Optional<Glob> owner = exemptOwners.firstMatchIgnoringCase(v.session().owner());
        if (owner.isPresent()) {
            return new Decision(Action.EXEMPT, null, "owner matches exempt pattern " + owner.get());
        }
        Optional<Glob> target = exemptTargets.firstMatchIgnoringCase(v.session().target());
        if (target.isPresent()) {
            return new Decision(Action.EXEMPT, null, "target matches exempt pattern " + target.get());
        }
        if (grace.isZero() || v.since() == null) {
            return new Decision(Action.TERMINATE, null, null);
        }
        Instant at = v.since().plus(grace);
        return t.isBefore(at) ? new Decision(Action.WAIT, at, null) : new Decision(Action.TERMINATE, at, null);
    }

    /** What the policy asks for one violation. */
    public enum Action {
        /** Its rule does not end sessions. */
        NOT_ASKED,
        /** Its rule would end it, but its owner or target is exempt. */
        EXEMPT,
        /** It is to be ended once its grace has passed ({@link Decision#terminateAt()}). */
        WAIT,
        /** It is to be ended now. */
        TERMINATE
    }

    /**
     * @param terminateAt when the grace ends (for {@link Action#WAIT}, and {@link Action#TERMINATE} after a grace); null
     *                    otherwise
     * @param exemptBecause which exempt pattern matched, for {@link Action#EXEMPT}
     */
    public record Decision(Action action, Instant terminateAt, String exemptBecause) {

        public static final Decision NOT_ASKED = new Decision(Action.NOT_ASKED, null, null);
    }
}
