package dev.ssmauditor.audit;

import dev.ssmauditor.policy.Session;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventPathCheckTest {

    private static final Instant T = Instant.parse("2026-11-30T12:30:00Z");

    /** Sightings of the sessions named, and the lookups made. */
    private static final class Seen implements SessionSightings {
        final Set<String> seen = new LinkedHashSet<>();
        final List<Collection<String>> asked = new ArrayList<>();
        boolean down;

        @Override
        public void record(String account, String region, String sessionId, Instant startedAt) {
            seen.add(sessionId);
        }

        @Override
        public Set<String> unseen(String account, String region, Collection<String> sessionIds) {
            if (down) {
                throw new LedgerUnavailableException("down", null);
            }
            asked.add(List.copyOf(sessionIds));
            Set<String> unseen = new LinkedHashSet<>(sessionIds);
            unseen.removeAll(seen);
            return unseen;
        }
    }

    private final Seen sightings = new Seen();
    private final EventPathCheck check = new EventPathCheck(sightings);

    private static Session started(String id, String hhmm) {
        return Session.withId(id).startDate(Instant.parse("2026-11-30T" + hhmm + ":00Z"));
    }

    private static SweepMark checkedTo(String hhmm) {
        return new SweepMark(T.minusSeconds(300), null, Instant.parse("2026-11-30T" + hhmm + ":00Z"));
    }

    @Test
    void theFirstWatchingRunChecksNothingAndStartsFromItsOwnTime() {
        EventPathCheck.Result r = check.check("a", "r", new SweepMark(T.minusSeconds(300), null), false, T,
                List.of(started("old", "12:00")));
        assertThat(r.checked()).isZero();
        assertThat(r.checkedTo()).isEqualTo(T);
        assertThat(check.check("a", "r", null, false, T, List.of()).checkedTo()).isEqualTo(T);
        assertThat(sightings.asked).isEmpty();
    }

    @Test
    void sessionsPastTheirGraceSinceTheLastCheckAreLookedUpOnce() {
        sightings.seen.add("heard");
        List<Session> listed = List.of(started("before", "12:10"), started("heard", "12:12"), started("deaf", "12:19"),
                started("edge", "12:20"), started("young", "12:21"), Session.withId("no-start"), started(null, "12:15"));
        EventPathCheck.Result r = check.check("a", "r", checkedTo("12:10"), false, T, listed);
        assertThat(sightings.asked).containsExactly(List.of("heard", "deaf", "edge"));
        assertThat(r.unreported()).containsExactly("deaf", "edge");
        assertThat(r.checked()).isEqualTo(3);
        assertThat(r.checkedFrom()).isEqualTo(Instant.parse("2026-11-30T12:10:00Z"));
        assertThat(r.checkedTo()).isEqualTo(T.minus(EventPathCheck.GRACE));
    }

    @Test
    void aRecordInTheFutureOrRejectedRestartsTheWatch() {
        assertThat(check.check("a", "r", checkedTo("13:00"), false, T, List.of(started("s", "12:15"))).checkedTo()).isEqualTo(T);
        assertThat(check.check("a", "r", checkedTo("12:00"), true, T, List.of(started("s", "12:15"))).checkedTo()).isEqualTo(T);
        assertThat(sightings.asked).isEmpty();
    }

    @Test
    void anOlderRunDoesNotMoveTheCheckBack() {
        EventPathCheck.Result r = check.check("a", "r", checkedTo("12:25"), false, T, List.of(started("s", "12:22")));
        assertThat(r.checkedTo()).isEqualTo(Instant.parse("2026-11-30T12:25:00Z"));
        assertThat(sightings.asked).isEmpty();
    }

    @Test
    void whenSightingsCannotBeReadTheWindowStaysForTheNextRun() {
        sightings.down = true;
        EventPathCheck.Result r = check.check("a", "r", checkedTo("12:10"), false, T, List.of(started("s", "12:15")));
        assertThat(r.error()).isEqualTo("down");
        assertThat(r.checkedTo()).isEqualTo(Instant.parse("2026-11-30T12:10:00Z"));
        assertThat(r.unreported()).isEmpty();
    }
}
