package dev.ssmauditor.testing;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Faults a fake serves to its next requests, in order, before it answers normally again: "throttle twice, then OK",
 * deterministic where {@link Faults} draws a share at random.
 */
final class ScriptedFaults {

    private final ConcurrentLinkedQueue<Faults.Kind> next = new ConcurrentLinkedQueue<>();

    void add(Faults.Kind kind, int times) {
        for (int i = 0; i < times; i++) {
            next.add(kind);
        }
    }

    /** The fault for this request, or null to answer it. */
    Faults.Kind draw() {
        return next.poll();
    }

    void clear() {
        next.clear();
    }
}
