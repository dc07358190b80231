package dev.ssmauditor.audit;

import dev.ssmauditor.policy.Session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
 * time up to which sessions were checked ({@link SweepMark#eventsCheckedTo()}). The first run that watches (no such
 * time yet, or a sweep record that was rejected) checks nothing and starts from its own reference time, since
 * sessions started before it may predate the event path.
 */
public final class EventPathCheck {

    /** CloudTrail delivers within seconds as a rule, sometimes minutes late; past this the event counts as missing. */
    public static final Duration GRACE = Duration.ofMinutes(10);

    private final SessionSightings sightings;

    public EventPathCheck(SessionSightings sightings) {
        this.sightings = sightings;
    }

    /**
     * @param checked how many sessions were looked up
     * @param unreported the ids of those no event reported, sorted
     * @param checkedFrom the start of the window checked (exclusive); null on the first watching run
     * @param checkedTo what the sweep record should say was checked up to
     * @param error the sightings could not be read (the window is not moved, so the next run checks it); null if read
     */
    public record Result(int checked, List<String> unreported, Instant checkedFrom, Instant checkedTo, String error) {

        public Result {
            unreported = List.copyOf(unreported);
        }
    }

    /**
     * @param mark the sweep record read at the start of the run (null when none)
     * @param rejected the sweep record was rejected (in the future, or too old): start watching afresh
     */
    public Result check(String account, String region, SweepMark mark, boolean rejected, Instant t, Collection<Session> sessions) {
        Instant from = mark == null || rejected ? null : mark.eventsCheckedTo();
        if (from == null || from.isAfter(t)) {
            return new Result(0, List.of(), null, t, null); // a time in the future would silence the check: start afresh
        }
        Instant upTo = t.minus(GRACE);
        if (!upTo.isAfter(from)) {
            return new Result(0, List.of(), from, from, null);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (Session s : sessions) {
            Instant start = s.startDate();
            if (start != null && start.isAfter(from) && !start.isAfter(upTo) && s.sessionId() != null && !s.sessionId().isBlank()) {
                ids.add(s.sessionId());
            }
        }
        if (ids.isEmpty()) {
            return new Result(0, List.of(), from, upTo, null);
        }
        try {
            List<String> unseen = new ArrayList<>(sightings.unseen(account, region, ids));
            unseen.sort(null);
            return new Result(ids.size(), unseen, from, upTo, null);
        } catch (LedgerUnavailableException e) {
            return new Result(0, List.of(), from, from, e.getMessage());
        }
    }
}
