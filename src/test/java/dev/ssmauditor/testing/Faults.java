package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import java.util.Random;
import java.util.Set;

/**
 * Faults a fake endpoint injects into a share of the calls it serves, drawn from a seeded random so that a
 * run of the fault suite is reproducible. Each kind applies to the operations named (empty: all).
 */
public final class Faults {

    public enum Kind { THROTTLE, SERVER_ERROR, RESET, DELAY, DOWN }

    private final Random random;
    private volatile double throttle;
    private volatile double serverError;
    private volatile double reset;
    private volatile double delay;
    private volatile int delayMillis;
    private volatile boolean down;
    private volatile Set<String> operations = Set.of();
    private int injected;
    /** Faults scripted for the next calls of an operation, in order, before any drawn at random. */
    private final java.util.Map<String, java.util.Deque<Kind>> scripted = new java.util.HashMap<>();

    public Faults(long seed) {
        this.random = new Random(seed);
    }

    public Faults set(double throttle, double serverError, double reset, double delay, int delayMillis, boolean down,
                      Set<String> operations) {
        this.throttle = throttle;
        this.serverError = serverError;
        this.reset = reset;
        this.delay = delay;
        this.delayMillis = delayMillis;
        this.down = down;
        this.operations = operations;
        return this;
    }

    public Faults none() {
        return set(0, 0, 0, 0, 0, false, Set.of());
    }

    /** The next calls of {@code operation} get these faults, one each, in order; then it is served as usual. */
    public synchronized Faults next(String operation, Kind... kinds) {
        scripted.computeIfAbsent(operation, k -> new java.util.ArrayDeque<>()).addAll(java.util.List.of(kinds));
        return this;
    }

    public synchronized int injected() {
        return injected;
    }

    /** The fault to inject for this call, if any. */
    synchronized Kind draw(String operation) {
        java.util.Deque<Kind> script = scripted.get(operation);
        if (script != null && !script.isEmpty()) {
            injected++;
            return script.poll();
        }
        if (!operations.isEmpty() && !operations.contains(operation)) {
            return null;
        }
        if (down) {
            injected++;
            return Kind.DOWN;
        }
        double r = random.nextDouble();
        Kind kind = null;
        if ((r -= throttle) < 0) {
            kind = Kind.THROTTLE;
        } else if ((r -= serverError) < 0) {
            kind = Kind.SERVER_ERROR;
        } else if ((r -= reset) < 0) {
            kind = Kind.RESET;
        } else if (r - delay < 0) {
            kind = Kind.DELAY;
        }
        if (kind != null) {
            injected++;
        }
        return kind;
    }

    int delayMillis() {
        return delayMillis;
    }

    static ResponseDefinitionBuilder reset() {
        return new ResponseDefinitionBuilder().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }
}
