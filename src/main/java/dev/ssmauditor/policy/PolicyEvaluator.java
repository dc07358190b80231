package dev.ssmauditor.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Checks sessions against a policy at a reference time. Pure: same input, same violations. */
public final class PolicyEvaluator {

    private final Policy policy;
    private final List<Rule> rules;

    public PolicyEvaluator(Policy policy) {
        this.policy = policy;
        List<Rule> active = new ArrayList<>();
        active.add(new LongRunningRule(policy.maxSessionMinutes(), policy.durationLimits()));
        if (!policy.allowedOwners().isOff()) {
            active.add(new UnexpectedOwnerRule(policy.allowedOwners()));
        }
        if (!policy.allowedTargets().isOff() || !policy.deniedTargets().isOff()) {
            active.add(new UnexpectedTargetRule(policy.allowedTargets(), policy.deniedTargets()));
        }
        if (!policy.allowedDocuments().isOff()) {
            active.add(new UnexpectedDocumentRule(policy.allowedDocuments()));
        }
        this.rules = List.copyOf(active);
    }

    /** The violations of all sessions, in session order and, per session, in rule order. */
    public List<Violation> evaluate(Collection<Session> sessions, Instant referenceTime) {
        List<Violation> violations = new ArrayList<>();
        for (Session session : sessions) {
            violations.addAll(evaluate(session, referenceTime));
        }
        return violations;
    }

    public List<Violation> evaluate(Session session, Instant referenceTime) {
        Duration openFor = session.startDate() == null ? null : Duration.between(session.startDate(), referenceTime);
        return check(session, openFor);
    }

    /**
     * A session that has already ended (listed with {@code State=History}), judged on how long it lasted:
     * one that passed its limit and ended between two runs is still a long-running violation. Without an
     * end date its length is unknown, and only the other rules apply.
     */
    public List<Violation> evaluateEnded(Session session) {
        Duration lasted = session.startDate() == null || session.endDate() == null ? null
                : Duration.between(session.startDate(), session.endDate());
        return check(session, lasted);
    }

    /**
     * A session judged the moment it starts (its {@code StartSession} call): by who opened it, to what and with which
     * document. How long it stays open is the sweep's to judge, later.
     */
    public List<Violation> evaluateAtStart(Session session) {
        return check(session, Duration.ZERO, false);
    }

    private List<Violation> check(Session session, Duration openFor) {
        return check(session, openFor, true);
    }

    private List<Violation> check(Session session, Duration openFor, boolean withDuration) {
        List<Violation> violations = new ArrayList<>(1);
        for (Rule rule : rules) {
            if (!withDuration && rule.id() == RuleId.LONG_RUNNING) {
                continue;
            }
            Optional<Breach> breach = rule.check(session, openFor);
            breach.ifPresent(b -> violations.add(new Violation(session, rule.id(), policy.severityOf(rule.id()), openFor,
                    b.detail(), b.since())));
        }
        return violations;
    }

    /** The longest session any limit allows: a session still within it at one run may pass it before the next. */
    public Duration longestLimit() {
        int minutes = policy.maxSessionMinutes();
        for (DurationLimit l : policy.durationLimits()) {
            minutes = Math.max(minutes, l.maxSessionMinutes());
        }
        return Duration.ofMinutes(minutes);
    }

    public List<RuleId> activeRules() {
        return rules.stream().map(Rule::id).toList();
    }
}
