package dev.ssmauditor.audit;

import dev.ssmauditor.policy.Session;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventPathCheckTest {

    private static final Instant T = Instant.parse("2026-11-30T12:30:00Z");
    private static final Instant NOW = T.plusSeconds(5);

    /** Sightings of the sessions named, the lookups made and what was saved. */
    private static final class Seen implements SessionSightings {
        final Set<String> seen = new LinkedHashSet<>();
        final List<Collection<String>> asked = new ArrayList<>();
        final List<String> saved = new ArrayList<>();
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

        @Override
        public void checkedUpTo(String account, String region, Instant time, boolean replace) {
            saved.add(time + (replace ? " replace" : ""));
        }
    }

    private final Seen sightings = new Seen();
    private final EventPathCheck check = new EventPathCheck(sightings, true);

    private static Session started(String id, String hhmm) {
        return Session.withId(id).startDate(at(hhmm));
    }

    private static Instant at(String hhmm) {
        return Instant.parse("2026-11-30T" + hhmm + ":00Z");
    }

    private static SweepMark checkedTo(Instant t) {
        return new SweepMark(T.minusSeconds(300), null, t);
    }

    private EventPathCheck.Result check(SweepMark mark, Instant listedUpTo, Session... sessions) {
        return check.check("a", "r", mark, T, NOW, listedUpTo, List.of(sessions));
    }

    @Test
    void theFirstWatchingRunChecksNothingAndStartsFromItsOwnTime() {
        EventPathCheck.Result r = check(new SweepMark(T.minusSeconds(300), null), null, started("old", "12:00"));
        assertThat(r.checked()).isZero();
        assertThat(r.checkedTo()).isEqualTo(T);
        assertThat(r.restart()).isFalse();
        assertThat(check(null, null).checkedTo()).isEqualTo(T);
        assertThat(sightings.asked).isEmpty();
        check.save("a", "r", null, r);
        assertThat(sightings.saved).containsExactly(T.toString());
    }

    @Test
    void sessionsPastTheirGraceSinceTheLastCheckAreLookedUpOnce() {
        sightings.seen.add("heard");
        EventPathCheck.Result r = check(checkedTo(at("12:10")), null, started("before", "12:10"), started("heard", "12:12"),
                started("deaf", "12:19"), started("edge", "12:20"), started("young", "12:21"), Session.withId("no-start"),
                started(null, "12:15"));
        assertThat(sightings.asked).containsExactly(List.of("heard", "deaf", "edge"));
        assertThat(r.unreported()).containsExactly("deaf", "edge");
        assertThat(r.checked()).isEqualTo(3);
        assertThat(r.checkedFrom()).isEqualTo(at("12:10"));
        assertThat(r.checkedTo()).isEqualTo(T.minus(EventPathCheck.GRACE));
    }

    @Test
    void aTimeInTheFutureIsReplacedButALaterReferenceTimeIsKept() {
        EventPathCheck.Result future = check(checkedTo(NOW.plus(Duration.ofMinutes(6))), null, started("s", "12:15"));
        assertThat(future.checkedTo()).isEqualTo(T);
        assertThat(future.restart()).isTrue();
        // An older event (a retry) runs after a newer sweep: the stored time stands, nothing is checked twice.
        EventPathCheck.Result older = check(checkedTo(T.plusSeconds(240)), null, started("s", "12:15"));
        assertThat(older.checkedTo()).isEqualTo(T.plusSeconds(240));
        assertThat(older.restart()).isFalse();
        assertThat(sightings.asked).isEmpty();
        check.save("a", "r", checkedTo(T.plusSeconds(240)), older);
        assertThat(sightings.saved).as("nothing moved, nothing written").isEmpty();
    }

    @Test
    void aTimeTrailingByMoreThanTwoHoursRestartsTheWatch() {
        // An outage, a dry run, or the watch switched off and on: sessions started meanwhile were never meant to be seen.
        Instant lagging = T.minus(EventPathCheck.GRACE).minus(Duration.ofHours(2)).minusSeconds(1);
        EventPathCheck.Result r = check(checkedTo(lagging), null, started("s", "12:15"));
        assertThat(r.checkedTo()).isEqualTo(T);
        assertThat(r.checked()).isZero();
        // An hourly schedule still checks.
        assertThat(check(checkedTo(T.minus(Duration.ofMinutes(70))), null, started("s", "12:15")).checked()).isEqualTo(1);
    }

    @Test
    void atMostAThousandSessionsARunTheRestNextRun() {
        List<Session> many = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            many.add(Session.withId("s" + i).startDate(at("12:00").plusMillis(i)));
        }
        EventPathCheck.Result r = check.check("a", "r", checkedTo(at("11:59")), T, NOW, null, many);
        assertThat(r.checked()).isEqualTo(1_000);
        assertThat(r.checkedTo()).isEqualTo(at("12:00").plusMillis(999));
        EventPathCheck.Result next = check.check("a", "r", checkedTo(r.checkedTo()), T, NOW, null, many);
        assertThat(next.checked()).isEqualTo(500);
    }

    @Test
    void aBacklogNotYetListedIsNotCheckedPastWhereTheListingStopped() {
        EventPathCheck.Result r = check(checkedTo(at("12:05")), at("12:12"), started("listed", "12:10"), started("at-cursor", "12:12"),
                started("later", "12:15"));
        assertThat(sightings.asked).containsExactly(List.of("listed"));
        assertThat(r.checkedTo()).as("short of the cursor: its own window is not listed yet").isEqualTo(at("12:12").minusMillis(1));
        check(checkedTo(r.checkedTo()), null, started("at-cursor", "12:12"));
        assertThat(sightings.asked).last().isEqualTo(List.of("at-cursor"));
        assertThat(check(checkedTo(at("12:05")), at("11:00")).checkedTo()).as("never backwards").isEqualTo(at("12:05"));
    }

    @Test
    void whenSightingsCannotBeReadTheWindowStaysForTheNextRun() {
        sightings.down = true;
        EventPathCheck.Result r = check(checkedTo(at("12:10")), null, started("s", "12:15"));
        assertThat(r.error()).isEqualTo("down");
        assertThat(r.checkedTo()).isEqualTo(at("12:10"));
        assertThat(r.unreported()).isEmpty();
        check.save("a", "r", checkedTo(at("12:10")), r);
        assertThat(sightings.saved).isEmpty();
    }

    @Test
    void aSweepThatDoesNotWatchForgetsHowFarTheLastOneGot() {
        EventPathCheck off = new EventPathCheck(sightings, false);
        assertThat(off.watching()).isFalse();
        off.forget("a", "r", new SweepMark(T, null));
        assertThat(sightings.saved).isEmpty();
        off.forget("a", "r", checkedTo(at("12:10")));
        assertThat(sightings.saved).containsExactly("null replace");
    }
}
