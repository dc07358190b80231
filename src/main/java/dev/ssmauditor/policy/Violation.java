package dev.ssmauditor.policy;

import java.time.Duration;
import java.time.Instant;

/**
 * One session breaking one rule.
 *
 * @param openFor how long the session had been open at the audit's reference time; null without a start date
 * @param detail a one-line explanation a person can act on, e.g. {@code open 9h 12m; limit 8h}
 * @param since when the session began breaking the rule (see {@link Breach#since()}); null when unknown
 */
public record Violation(Session session, RuleId rule, Severity severity, Duration openFor, String detail, Instant since) {

    /** A violation whose start is unknown or does not matter (tests, ended sessions evaluated without a clock). */
    public Violation(Session session, RuleId rule, Severity severity, Duration openFor, String detail) {
        this(session, rule, severity, openFor, detail, session.startDate());
    }

    /** Whole minutes open, or null when the session has no start date. Never negative (clock skew). */
    public Long durationMinutes() {
        return openFor == null ? null : Math.max(0, openFor.toMinutes());
    }
}
