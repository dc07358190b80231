package dev.ssmauditor.audit;

/** How much time the invocation has left; the audit stops loudly rather than run out of it half-way. */
@FunctionalInterface
public interface Deadline {

    long remainingMillis();

    /** Terminal runs have all the time they need. */
    Deadline NONE = () -> Long.MAX_VALUE;
}
