package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.policy.Violation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides which violations are alerted in a run judged at {@code T}. A violation has a moment it began
 * ({@link Violation#since()}) and, with reminders on, a reminder moment every {@code remindEvery} after it.
 * It is alerted when one of those moments lies in {@code (watermark, T]}: the interval no earlier run has
 * covered. Without a watermark, or after a policy change, every current violation is alerted once.
 * Moments after {@code T} wait for the run that covers them, so nothing is alerted twice in normal operation.
 */
public final class AlertSelector {

    private final Duration remindEvery;

    public AlertSelector(Duration remindEvery) {
        this.remindEvery = remindEvery;
    }

    /**
     * @param active violations of sessions still open at the listing
     * @param ended violations of sessions already over ({@code State=History}): alerted once, never reminded
     */
    public List<Alert> select(List<Violation> active, List<Violation> ended, Optional<AuditState> state, Instant t,
                              String fingerprint) {
        boolean fresh = state.isEmpty() || !state.get().policyFingerprint().equals(fingerprint);
        Instant watermark = fresh ? null : state.get().coveredUntil();
        List<Alert> alerts = new ArrayList<>();
        for (Violation v : active) {
            select(v, false, watermark, fresh, t).ifPresent(alerts::add);
        }
        for (Violation v : ended) {
            select(v, true, watermark, fresh, t).ifPresent(alerts::add);
        }
        return alerts;
    }

    private Optional<Alert> select(Violation v, boolean ended, Instant watermark, boolean fresh, Instant t) {
        Instant since = v.since();
        if (since == null) {
            return Optional.of(new Alert(v, 0, ended)); // cannot be placed in time: alerted every run rather than risk never
        }
        if (since.isAfter(t)) {
            return Optional.empty(); // began after the reference time: the next run's interval holds it
        }
        if (fresh || since.isAfter(watermark)) {
            return Optional.of(new Alert(v, 0, ended));
        }
        int reminder = ended ? 0 : latestReminderAtOrBefore(since, t);
        if (reminder > 0 && since.plus(remindEvery.multipliedBy(reminder)).isAfter(watermark)) {
            return Optional.of(new Alert(v, reminder, false));
        }
        return Optional.empty();
    }

    private int latestReminderAtOrBefore(Instant since, Instant t) {
        if (remindEvery.isZero()) {
            return 0;
        }
        long k = Duration.between(since, t).toMillis() / remindEvery.toMillis();
        return (int) Math.min(Integer.MAX_VALUE, k);
    }
}
