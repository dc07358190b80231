package dev.ssmauditor.audit;

import java.time.Instant;

/**
 * The ledger's record of how far the sweeps of one account and region got, used to decide how far back to list
 * ended sessions ({@code State=History}) and which sessions to check against the event path. What was alerted is
 * never derived from it: the alert keys say that.
 *
 * @param lastCompleteSweep the reference time of the last run that listed everything it had to; null if none yet
 * @param endedCursor when a run ran out of time while listing a backlog of ended sessions: the start time from
 *                    which the next run continues; null when there is no backlog
 * @param eventsCheckedTo sessions started up to this moment have been checked for their {@code StartSession} event
 *                        (see {@link EventPathCheck}; written apart, by {@link SessionSightings#checkedUpTo}); null
 *                        when the sweep does not watch the event path
 */
public record SweepMark(Instant lastCompleteSweep, Instant endedCursor, Instant eventsCheckedTo) {

    public SweepMark(Instant lastCompleteSweep, Instant endedCursor) {
        this(lastCompleteSweep, endedCursor, null);
    }
}
