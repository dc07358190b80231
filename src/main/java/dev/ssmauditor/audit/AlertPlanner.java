package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Violation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Turns the violations of a run into ledger keys, and the keys a run won back into alerts.
 *
 * <p>A violation has a moment it began ({@link Violation#since()}) and, with reminders on, a reminder moment
 * every {@code remindEvery} after it. A run judged at {@code T} stands for the first alert (reminder 0) and the
 * latest reminder at or before {@code T}. Whichever run claims a key first sends it; the others find it taken.
 * A violation that began after {@code T} waits for a later run. The first alert always goes first: a violation
 * seen for the first time after some reminder moments is alerted as new (reminder 0), and that latest reminder
 * is recorded with it, so the next run does not send it straight after.
 */
public final class AlertPlanner {

    private final Duration remindEvery;

    public AlertPlanner(Duration remindEvery) {
        this.remindEvery = remindEvery;
    }

    /**
     * A violation that may be alerted in this run, and the keys that stand for it.
     *
     * @param latest the latest reminder's key; the same as {@code first} when no reminder is due
     */
    public record Candidate(Violation violation, boolean ended, AlertKey first, AlertKey latest, Detection detection) {

        public List<AlertKey> keys() {
            return first.equals(latest) ? List.of(first) : List.of(first, latest);
        }

        /** The alert to send when this run won {@code claimed} keys, if any of this candidate's. */
        public Optional<Alert> alert(Set<AlertKey> claimed) {
            if (claimed.contains(first)) {
                return Optional.of(new Alert(violation, 0, ended, detection));
            }
            if (claimed.contains(latest)) {
                return Optional.of(new Alert(violation, latest.reminder(), ended, detection));
            }
            return Optional.empty();
        }
    }

    /**
     * @param active violations of sessions still open at the listing
     * @param ended violations of sessions already over: alerted once, never reminded
     * @param noReminders true for a run judged before the last complete sweep (an older event arriving late): it
     *                    sends first alerts the ledger does not have, but no reminder older than one already sent
     */
    public List<Candidate> plan(List<Violation> active, List<Violation> ended, String account, String region, Instant t,
                                boolean noReminders) {
        List<Candidate> candidates = new ArrayList<>(active.size() + ended.size());
        for (Violation v : active) {
            candidate(v, false, account, region, t, noReminders, Detection.SWEEP).ifPresent(candidates::add);
        }
        for (Violation v : ended) {
            candidate(v, true, account, region, t, true, Detection.SWEEP).ifPresent(candidates::add);
        }
        return candidates;
    }

    /**
     * The violations of a session that has just started, reported by its {@code StartSession} event: first alerts
     * only, under the same keys the sweep uses for that session, so that whichever path claims a key first sends it.
     */
    public List<Candidate> planStarted(List<Violation> started, String account, String region, Instant t, Detection detection) {
        List<Candidate> candidates = new ArrayList<>(started.size());
        for (Violation v : started) {
            candidate(v, false, account, region, t, true, detection).ifPresent(candidates::add);
        }
        return candidates;
    }

    private Optional<Candidate> candidate(Violation v, boolean ended, String account, String region, Instant t,
                                          boolean noReminders, Detection detection) {
        Instant since = v.since();
        if (since != null && since.isAfter(t)) {
            return Optional.empty(); // began after the reference time: a later run holds it
        }
        String id = sessionKey(v.session());
        AlertKey first = new AlertKey(account, region, id, v.rule(), 0);
        int reminder = since == null || noReminders ? 0 : latestReminderAtOrBefore(since, t);
        AlertKey latest = reminder == 0 ? first : new AlertKey(account, region, id, v.rule(), reminder);
        return Optional.of(new Candidate(v, ended, first, latest, detection));
    }

    private int latestReminderAtOrBefore(Instant since, Instant t) {
        if (remindEvery.isZero()) {
            return 0;
        }
        long k = Duration.between(since, t).toMillis() / remindEvery.toMillis();
        return (int) Math.min(Integer.MAX_VALUE, k);
    }

    /**
     * The session id; for the rare session DescribeSessions gives without one, a stable stand-in made from what
     * it does give, so that it too is alerted once rather than in every run.
     */
    static String sessionKey(Session s) {
        if (s.sessionId() != null && !s.sessionId().isEmpty()) {
            return s.sessionId();
        }
        CRC32C crc = new CRC32C();
        crc.update((s.owner() + "|" + s.target() + "|" + s.startDate() + "|" + s.documentName()).getBytes(StandardCharsets.UTF_8));
        return "no-session-id-" + HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
