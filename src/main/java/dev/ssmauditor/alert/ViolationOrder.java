package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Violation;

import java.time.Instant;
import java.util.Comparator;

/** Most severe first; then by rule, oldest session first, and session id so that output is stable. */
final class ViolationOrder {

    static final Comparator<Violation> MOST_SEVERE_FIRST = Comparator
            .comparing(Violation::severity, Comparator.reverseOrder())
            .thenComparing(Violation::rule)
            .thenComparing(v -> v.session().startDate(), Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(v -> v.session().sessionId(), Comparator.nullsLast(Comparator.<String>naturalOrder()));

    private ViolationOrder() {
    }
}
