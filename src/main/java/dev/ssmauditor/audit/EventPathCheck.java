package dev.ssmauditor.audit;

import dev.ssmauditor.policy.Session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The sweep listening for silence on the event path. Every session the sweep lists that started more than
 * {@link #GRACE} before the run, and that no {@code StartSession} event reported, means the event path is deaf: no
 * CloudTrail trail records management events in this region, the EventBridge rule is disabled or deleted, or the
 * event function fails before it records anything.
 *
 * <p>Each session is checked once, by the first run after its grace has passed: the sweep record keeps the start
 * time up to which sessions were checked ({@link SweepMark#eventsCheckedTo()}), which only moves forward. A run
 * starts watching afresh (checks nothing, and records its own reference time, since sessions started before it may
 * predate the event path or its sightings) when there is no such time yet, when it lies in the future, or when it
 * trails the run by more than {@link #MAX_LAG} (an outage, a dry run, or a watch switched off and on again: sessions
 * started meanwhile were never meant to be seen). A sweep that does not watch forgets the time too. At most
 * {@link #MAX_PER_RUN} sessions are looked up in a run; the window stops at the last of them and the next run goes on.
 */
public final class EventPathCheck {

    /** CloudTrail delivers within seconds as a rule, sometimes minutes late; past this the event counts as missing. */
    public static final Duration GRACE = Duration.ofMinutes(10);
    /**
     * A checked-to time trailing the run by more than this is not followed: the watch starts afresh. Longer than the
     * longest schedule the template offers (an hour) plus the grace, so that a slow schedule still checks.
     */
    static final Duration MAX_LAG = Duration.ofHours(2);
    /** Ten BatchGetItem calls: the check never holds a run up for long, whatever the backlog. */
    static final int MAX_PER_RUN = 1_000;

    private final SessionSightings sightings;
    private final boolean watching;

    /** @param watching false: the sweep does not check the event path, and forgets how far it was checked */
    public EventPathCheck(SessionSightings sightings, boolean watching) {
        this.sightings = sightings;
        this.watching = watching;
    }

    public boolean watching() {
        return watching;
    }

    /**
     * @param checked how many sessions were looked up
     * @param unreported the ids of those no event reported, sorted
     * @param checkedFrom the start of the window checked (exclusive); null when the watch starts afresh
     * @param checkedTo what the sweep record should say was checked up to
     * @param restart the stored time is replaced, not moved forward (it was in the future)
     * @param error the sightings could not be read (the window is not moved, so the next run checks it); null if read
     */
    public record Result(int checked, List<String> unreported, Instant checkedFrom, Instant checkedTo, boolean restart,
                         String error) {

        public Result {
            unreported = List.copyOf(unreported);
        }
    }

    /**
     * @param mark the sweep record read at the start of the run (null when none)
     * @param t the run's reference time
     * @param now the function's clock
     * @param listedUpTo when listing ended sessions stopped short: the start time from which they were not listed (the
     *                   window stops there); null when everything was listed
     */
    public Result check(String account, String region, SweepMark mark, Instant t, Instant now, Instant listedUpTo,
                        Collection<Session> sessions) {
        Instant from = mark == null ? null : mark.eventsCheckedTo();
        if (from == null || from.isBefore(t.minus(GRACE).minus(MAX_LAG))) {
            return new Result(0, List.of(), null, t, false, null);
        }
        if (from.isAfter(now.plus(HistoryReach.CLOCK_SKEW))) {
            return new Result(0, List.of(), null, t, true, null); // a time in the future would silence the check
        }
        Instant upTo = t.minus(GRACE);
        if (listedUpTo != null && !listedUpTo.isAfter(upTo)) {
            upTo = listedUpTo.minusMillis(1); // sessions started at the cursor itself were not listed
        }
        if (!upTo.isAfter(from)) {
            return new Result(0, List.of(), from, from, false, null); // an older event, or a backlog not yet listed
        }
        List<Session> due = new ArrayList<>();
        for (Session s : sessions) {
            Instant start = s.startDate();
            if (start != null && start.isAfter(from) && !start.isAfter(upTo) && s.sessionId() != null && !s.sessionId().isBlank()) {
                due.add(s);
            }
        }
        due.sort(Comparator.comparing(Session::startDate));
        if (due.size() > MAX_PER_RUN) {
            Instant last = due.get(MAX_PER_RUN - 1).startDate();
            upTo = last;
            due.removeIf(s -> s.startDate().isAfter(last));
        }
        Set<String> ids = new LinkedHashSet<>();
        due.forEach(s -> ids.add(s.sessionId()));
        if (ids.isEmpty()) {
            return new Result(0, List.of(), from, upTo, false, null);
        }
        try {
            List<String> unseen = new ArrayList<>(sightings.unseen(account, region, ids));
            unseen.sort(null);
            return new Result(ids.size(), unseen, from, upTo, false, null);
        } catch (LedgerUnavailableException e) {
            return new Result(0, List.of(), from, from, false, e.getMessage());
        }
    }

    /** Records how far sessions were checked; only forward, unless the result restarts the watch. */
    public void save(String account, String region, SweepMark mark, Result result) {
        Instant before = mark == null ? null : mark.eventsCheckedTo();
        if (result.error() == null && !result.checkedTo().equals(before)) {
            sightings.checkedUpTo(account, region, result.checkedTo(), result.restart());
        }
    }

    /** A sweep that does not watch forgets how far the last watching one got. */
    public void forget(String account, String region, SweepMark mark) {
        if (mark != null && mark.eventsCheckedTo() != null) {
            sightings.checkedUpTo(account, region, null, true);
        }
    }
}
