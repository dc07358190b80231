package dev.ssmauditor.audit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryReachTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration EIGHT_HOURS = Duration.ofHours(8);

    private static Instant at(String time) {
        return Instant.parse("2026-11-30T" + time + "Z");
    }

    @Test
    void aFirstRunLooksBackOneHourInOneListing() {
        HistoryReach reach = HistoryReach.of(null, T, T, EIGHT_HOURS);
        assertThat(reach.windows()).containsExactly(new HistoryReach.Window(at("11:00:00"), null));
        assertThat(reach.problem()).isNull();
    }

    @Test
    void aRunAfterACompleteSweepReachesBackByTheLongestLimitAndTheOverlapInOneListing() {
        HistoryReach reach = HistoryReach.of(new SweepMark(at("11:55:00"), null), T, T, EIGHT_HOURS);
        assertThat(reach.windows()).containsExactly(new HistoryReach.Window(at("03:50:00"), null));
        assertThat(reach.problem()).isNull();
    }

    @Test
    void aStuckSweepIsWorkedOffInTwoHourWindowsOldestFirst() {
        HistoryReach reach = HistoryReach.of(new SweepMark(at("06:00:00"), null), T, T, EIGHT_HOURS);
        assertThat(reach.from()).isEqualTo(Instant.parse("2026-11-29T21:55:00Z"));
        List<HistoryReach.Window> windows = reach.windows();
        assertThat(windows).hasSize(8);
        assertThat(windows.get(0)).isEqualTo(new HistoryReach.Window(Instant.parse("2026-11-29T21:55:00Z"),
                Instant.parse("2026-11-29T23:55:00Z")));
        assertThat(windows.get(7)).isEqualTo(new HistoryReach.Window(at("11:55:00"), null));
        for (int i = 1; i < windows.size(); i++) {
            assertThat(windows.get(i).from()).as("no gap between windows").isEqualTo(windows.get(i - 1).before());
        }
    }

    @Test
    void aRunGoesOnFromTheCursorTheLastOneLeftInWindows() {
        HistoryReach reach = HistoryReach.of(new SweepMark(at("06:00:00"), at("01:55:00")), T, T, EIGHT_HOURS);
        assertThat(reach.from()).isEqualTo(at("01:55:00"));
        assertThat(reach.windows().get(0)).isEqualTo(new HistoryReach.Window(at("01:55:00"), at("03:55:00")));
        assertThat(reach.problem()).isNull();
    }

    @Test
    void aSweepInTheFutureIsIgnoredReplacedAndTheRunReachesBackADay() {
        // Whoever can write the table could otherwise hide every ended session by writing a date in 2099.
        HistoryReach reach = HistoryReach.of(new SweepMark(Instant.parse("2099-01-01T00:00:00Z"), null), T, T, EIGHT_HOURS);
        assertThat(reach.problem()).contains("is in the future");
        assertThat(reach.replace()).isTrue();
        assertThat(reach.from()).isEqualTo(T.minus(Duration.ofHours(24)).minus(EIGHT_HOURS).minusSeconds(300));
    }

    @Test
    void aSweepOlderThanADayIsIgnoredAndTheReachBounded() {
        HistoryReach reach = HistoryReach.of(new SweepMark(Instant.parse("2026-10-01T00:00:00Z"), null), T, T, EIGHT_HOURS);
        assertThat(reach.problem()).contains("more than 24 hours old");
        assertThat(reach.replace()).isFalse();
        assertThat(reach.from()).isEqualTo(T.minus(Duration.ofHours(24)).minus(EIGHT_HOURS).minusSeconds(300));
        assertThat(reach.windows()).hasSize(17);
    }

    @Test
    void aCursorOutOfRangeIsIgnored() {
        HistoryReach reach = HistoryReach.of(new SweepMark(at("11:55:00"), Instant.parse("2099-01-01T00:00:00Z")), T, T, EIGHT_HOURS);
        assertThat(reach.problem()).contains("cursor");
        assertThat(reach.windows()).containsExactly(new HistoryReach.Window(at("03:50:00"), null));
    }

    @Test
    void anOlderEventIsJudgedAgainstTheClockNotItsOwnTime() {
        // An event from 10:00 arriving at 12:00, after the 11:55 sweep: the sweep is not "in the future".
        HistoryReach reach = HistoryReach.of(new SweepMark(at("11:55:00"), null), at("10:00:00"), T, EIGHT_HOURS);
        assertThat(reach.problem()).isNull();
        assertThat(reach.windows()).containsExactly(new HistoryReach.Window(at("03:50:00"), null));
    }

    @Test
    void withoutALastCompleteSweepTheCursorIsFollowedHoweverFarBack() {
        // A first run that stopped short, or one after a rejected record: the cursor is all there is.
        HistoryReach reach = HistoryReach.of(new SweepMark(null, at("02:00:00")), T, T, EIGHT_HOURS);
        assertThat(reach.from()).isEqualTo(at("02:00:00"));
        assertThat(reach.windows().get(0)).isEqualTo(new HistoryReach.Window(at("02:00:00"), at("04:00:00")));
        assertThat(reach.problem()).isNull();
    }
}
