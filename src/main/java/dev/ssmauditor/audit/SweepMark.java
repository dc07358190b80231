package dev.ssmauditor.audit;

import java.time.Instant;

/**
 * The ledger's record of how far the sweeps of one account and region got, used only to decide how far back
 * to list ended sessions ({@code State=History}). What was alerted is never derived from it: the alert keys
 * say that.
 *
 * @param lastCompleteSweep the reference time of the last run that listed everything it had to; null if none yet
 * @param endedCursor when a run ran out of time while listing a backlog of ended sessions: the start time from
 *                    which the next run continues; null when there is no backlog
 */
public record SweepMark(Instant lastCompleteSweep, Instant endedCursor) {
}
