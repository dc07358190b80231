package dev.ssmauditor.audit;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where every path records what it alerted, so that together they alert each violation once: a run claims
 * the keys it is about to publish (a conditional write that only one run can win), marks them sent once SNS
 * accepted the messages, and releases them when the publish failed. Every method throws
 * {@link LedgerUnavailableException} when the ledger cannot be reached.
 */
public interface AlertLedger {

    Optional<SweepMark> lastSweep(String account, String region);

    /**
     * Records a sweep. The last complete sweep never moves backwards, unless {@code replace} says the stored one
     * was rejected (a value in the future) and must be overwritten.
     */
    void saveSweep(String account, String region, SweepMark mark, boolean replace);

    /**
     * Claims the keys not yet sent and not held by another run's live lease; returns those this run now holds.
     * A key whose claim has expired (its run died) is taken over.
     */
    Set<AlertKey> claim(Collection<AlertKey> keys, LedgerClaim claim);

    /** The keys are published: they will not be alerted again. */
    void markSent(Collection<AlertKey> keys, LedgerClaim claim);

    /** The keys were not published after all: the next run may claim them at once. */
    void release(Collection<AlertKey> keys, LedgerClaim claim);

    /** False when nothing is kept (terminal runs, dry runs): the run then reports no sweep saved. */
    default boolean persists() {
        return true;
    }

    /** No memory: every key is new every time (terminal runs). */
    AlertLedger NONE = new ReadOnly(null);

    /** Reads what was sent but claims, marks and records nothing: dry runs publish nothing. */
    static AlertLedger readOnly(AlertLedger ledger) {
        return new ReadOnly(ledger);
    }

    /** A ledger that writes nothing: reports as new every key the underlying ledger (if any) would let be claimed. */
    record ReadOnly(AlertLedger underlying) implements AlertLedger {

        @Override
        public Optional<SweepMark> lastSweep(String account, String region) {
            return underlying == null ? Optional.empty() : underlying.lastSweep(account, region);
        }

        @Override
        public void saveSweep(String account, String region, SweepMark mark, boolean replace) {
            // nothing is kept
        }

        @Override
        public Set<AlertKey> claim(Collection<AlertKey> keys, LedgerClaim claim) {
            return underlying == null ? new LinkedHashSet<>(keys) : underlying.unsent(keys, claim);
        }

        @Override
        public void markSent(Collection<AlertKey> keys, LedgerClaim claim) {
            // nothing is kept
        }

        @Override
        public void release(Collection<AlertKey> keys, LedgerClaim claim) {
            // nothing was claimed
        }

        @Override
        public boolean persists() {
            return false;
        }
    }

    /** The keys a claim would win now, without claiming them (dry runs). */
    default Set<AlertKey> unsent(Collection<AlertKey> keys, LedgerClaim claim) {
        return new LinkedHashSet<>(keys);
    }
}
