package dev.ssmauditor.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How far back a run lists ended sessions ({@code State=History}), in which windows, and what it made of the
 * ledger's sweep record. {@code InvokedAfter} filters on the start, so the listing reaches back from the last
 * complete sweep by the longest limit: a session open and within its limit then may have passed it before ending.
 *
 * <p>The sweep record is not trusted blindly: one in the future (written by hand, or by a broken clock) would
 * hide ended sessions, and one older than {@link #MAX_SWEEP_AGE} would make every run list days of History. Both
 * are ignored (the caller logs an ERROR and emits a metric) and the run reaches back {@code MAX_SWEEP_AGE}.
 * A reach longer than the usual one is a backlog: it is listed in windows of {@link #WINDOW}, oldest first, so a
 * run that runs out of time saves where it stopped and the next one goes on from there.
 *
 * @param problem why the stored sweep record was ignored, or null
 * @param replace true when the stored record must be overwritten (it is in the future)
 */
public record HistoryReach(Instant from, List<Window> windows, String problem, boolean replace) {

    /** Without a sweep record yet, ended sessions are looked for this far back. */
    static final Duration FIRST_RUN_LOOKBACK = Duration.ofHours(1);
    /** DescribeSessions may list a session a little after it started; the reach overlaps by this much. */
    static final Duration OVERLAP = Duration.ofMinutes(5);
    /** How far ahead of the function's clock a stored time may be (clocks differ a little). */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** A sweep record older than this is not followed back; a longer outage is reported, not re-listed in full. */
    static final Duration MAX_SWEEP_AGE = Duration.ofHours(24);
    /** A backlog is listed in windows this long. */
    static final Duration WINDOW = Duration.ofHours(2);

    /** One listing: sessions started in {@code [from, before)}; {@code before} null for "up to now". */
    public record Window(Instant from, Instant before) {
    }

    public HistoryReach {
        windows = List.copyOf(windows);
    }

    static HistoryReach of(SweepMark mark, Instant t, Instant now, Duration longestLimit) {
        if (mark == null || (mark.lastCompleteSweep() == null && mark.endedCursor() == null)) {
            return single(t.minus(FIRST_RUN_LOOKBACK), null, false);
        }
        Instant oldest = earlier(t, now).minus(MAX_SWEEP_AGE);
        Instant latest = now.plus(CLOCK_SKEW);
        Instant w = mark.lastCompleteSweep();
        String problem = null;
        boolean replace = false;
        Instant base = w;
        if (w != null && w.isAfter(latest)) {
            problem = "the last complete sweep " + w + " is in the future (the function's clock says " + now + ")";
            replace = true;
            base = oldest;
        } else if (w != null && w.isBefore(oldest)) {
            problem = "the last complete sweep " + w + " is more than " + MAX_SWEEP_AGE.toHours() + " hours old";
            base = oldest;
        }
        Instant from = base == null ? t.minus(FIRST_RUN_LOOKBACK) : base.minus(longestLimit).minus(OVERLAP);
        Instant cursor = mark.endedCursor();
        boolean backlog = false;
        if (cursor != null) {
            if (cursor.isAfter(latest) || cursor.isBefore(oldest.minus(longestLimit).minus(OVERLAP))) {
                String p = "the ended-sessions cursor " + cursor + " is out of range";
                problem = problem == null ? p : problem + "; " + p;
                replace = true;
            } else if (cursor.isAfter(from) || base == null) {
                // Without a last complete sweep (a first run, or one whose record was rejected, stopped short) the
                // cursor is all there is to go on from, however far back it is.
                from = cursor;
                backlog = true;
            }
        }
        if (!backlog && Duration.between(from, t).compareTo(longestLimit.plus(OVERLAP).plus(OVERLAP).plus(WINDOW)) <= 0) {
            return single(from, problem, replace);
        }
        List<Window> windows = new ArrayList<>();
        Instant start = from;
        while (start.plus(WINDOW).isBefore(t)) {
            windows.add(new Window(start, start.plus(WINDOW)));
            start = start.plus(WINDOW);
        }
        windows.add(new Window(start, null));
        return new HistoryReach(from, windows, problem, replace);
    }

    private static HistoryReach single(Instant from, String problem, boolean replace) {
        return new HistoryReach(from, List.of(new Window(from, null)), problem, replace);
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
