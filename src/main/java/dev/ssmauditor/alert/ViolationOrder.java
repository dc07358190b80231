package dev.ssmauditor.alert;

import java.time.Instant;
import java.util.Comparator;

/** Most severe first; then by rule, oldest session first, and session id so that output is stable. */
final class ViolationOrder {

    static final Comparator<Alert> MOST_SEVERE_FIRST = Comparator
            .comparing((Alert a) -> a.violation().severity(), Comparator.reverseOrder())
            .thenComparing(a -> a.violation().rule())
            .thenComparing(a -> a.violation().session().startDate(), Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(a -> a.violation().session().sessionId(), Comparator.nullsLast(Comparator.<String>naturalOrder()));

    private ViolationOrder() {
    }
}
