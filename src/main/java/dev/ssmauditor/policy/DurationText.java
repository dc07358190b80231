package dev.ssmauditor.policy;

import java.time.Duration;

/** Durations as people write them: {@code 9h 12m}, {@code 8h}, {@code 45m}. */
public final class DurationText {

    private DurationText() {
    }

    public static String of(Duration duration) {
        long minutes = Math.max(0, duration.toMinutes());
        long h = minutes / 60;
        long m = minutes % 60;
        if (h == 0) {
            return m + "m";
        }
        return m == 0 ? h + "h" : h + "h " + m + "m";
    }
}
