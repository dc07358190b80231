package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.policy.Violation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which violations are alerted in a run judged at {@code T}. A violation has a moment it began
 * ({@link Violation#since()}) and, with reminders on, a reminder moment every {@code remindEvery} after it.
 * It is alerted when one of those moments lies in {@code (watermark, T]}: the interval no earlier run has
 * covered. Without a watermark, or after a policy change, every current violation is alerted once.
 * Moments after {@code T} wait for the run that covers them, so nothing is alerted twice in normal operation.
 * A violation that began in the {@link #VISIBILITY_LAG} before the watermark but was not listed by then (a
 * session DescribeSessions showed late) is alerted too, unless the state says it already was.
 */
public final class AlertSelector {

    /** How late DescribeSessions may list a session after it started, and still have its violations alerted. */
    public static final Duration VISIBILITY_LAG = Duration.ofMinutes(5);

    private final Duration remindEvery;

    public AlertSelector(Duration remindEvery) {
        this.remindEvery = remindEvery;
    }

    /**
     * @param active violations of sessions still open at the listing
     * @param ended violations of sessions already over ({@code State=History}): alerted once, never reminded,
     *              and not again after a policy change
     */
    public List<Alert> select(List<Violation> active, List<Violation> ended, Optional<AuditState> state, Instant t,
                              String fingerprint) {
        boolean fresh = state.isEmpty() || !state.get().policyFingerprint().equals(fingerprint);
        Instant watermark = state.map(AuditState::coveredUntil).orElse(null);
        Set<String> recent = state.map(AuditState::recentlyAlerted).orElse(Set.of());
        List<Alert> alerts = new ArrayList<>();
        for (Violation v : active) {
            select(v, false, watermark, fresh ? Set.of() : recent, fresh, t).ifPresent(alerts::add);
        }
        // A new policy re-judges the sessions still open; sessions already over keep to the watermark, or a
        // policy change would re-alert every session of the History listing's reach.
        for (Violation v : ended) {
            select(v, true, watermark, recent, state.isEmpty(), t).ifPresent(alerts::add);
        }
        return alerts;
    }

    /** The violations that began in the lag before {@code t}, for the next run's late-visibility check. */
    public static Set<String> recentKeys(List<Violation> violations, Instant t) {
        Set<String> keys = new LinkedHashSet<>();
        Instant from = t.minus(VISIBILITY_LAG);
        for (Violation v : violations) {
            if (v.since() != null && v.since().isAfter(from) && !v.since().isAfter(t) && v.session().sessionId() != null) {
                keys.add(key(v));
            }
        }
        return keys;
    }

    static String key(Violation v) {
        return v.session().sessionId() + " " + v.rule().id();
    }

    private Optional<Alert> select(Violation v, boolean ended, Instant watermark, Set<String> recent, boolean fresh,
                                   Instant t) {
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
        if (since.isAfter(watermark.minus(VISIBILITY_LAG)) && v.session().sessionId() != null && !recent.contains(key(v))) {
            return Optional.of(new Alert(v, 0, ended)); // began just before the watermark, listed only now
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
