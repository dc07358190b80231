package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code 1 CRITICAL, 2 HIGH, 4 MEDIUM}: most severe first. */
final class SeverityCounts {

    private SeverityCounts() {
    }

    static String text(Map<Severity, Integer> counts) {
        List<String> parts = new ArrayList<>();
        for (Severity s : List.of(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)) {
            if (counts.containsKey(s)) {
                parts.add(counts.get(s) + " " + s);
            }
        }
        return String.join(", ", parts);
    }
}
