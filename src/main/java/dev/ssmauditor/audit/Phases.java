package dev.ssmauditor.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time of each step of a run, for the summary log line: which call was slow. */
final class Phases {

    private final Clock clock;
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private Instant last;

    Phases(Clock clock) {
        this.clock = clock;
        this.last = clock.instant();
    }

    void end(String phase) {
        Instant now = clock.instant();
        millis.put(phase, now.toEpochMilli() - last.toEpochMilli());
        last = now;
    }

    Map<String, Long> millis() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(millis));
    }
}
