package dev.ssmauditor.audit;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * What the event path saw: every session whose {@code StartSession} event reached it, violating or not. The sweep
 * compares the sessions it lists with it to find out whether the event path hears anything at all (see
 * {@link EventPathCheck}). Every method throws {@link LedgerUnavailableException} when the store cannot be reached.
 */
public interface SessionSightings {

    /** The event path saw this session start. */
    void record(String account, String region, String sessionId, Instant startedAt);

    /** Those of the session ids that the event path never saw. */
    Set<String> unseen(String account, String region, Collection<String> sessionIds);

    /**
     * Records, with the sweep record, that sessions started up to {@code time} were checked: never backwards unless
     * {@code replace}. A null time with {@code replace} forgets it.
     */
    void checkedUpTo(String account, String region, Instant time, boolean replace);
}
