package dev.ssmauditor.audit;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
     * The sweep records of many account-regions ({@code account}, {@code region} pairs), keyed
     * {@code account#region}; absent ones map to empty. The organisation sweep reads them 100 a call up front instead
     * of one call each.
     */
    default Map<String, Optional<SweepMark>> lastSweeps(List<String[]> accountRegions) {
        Map<String, Optional<SweepMark>> marks = new java.util.HashMap<>();
        accountRegions.forEach(ar -> marks.put(ar[0] + "#" + ar[1], lastSweep(ar[0], ar[1])));
        return marks;
    }

    /**
     * Records a sweep. The last complete sweep never moves backwards, unless {@code replace} says the stored one
     * was rejected (a value in the future) and must be overwritten.
     */
    void saveSweep(String account, String region, SweepMark mark, boolean replace);

    /**
     * What a claim could win among these keys.
     *
     * @param free not sent, and not held by another run (or held by one whose lease has passed: it died)
     * @param heldElsewhere how many are held by another run's live claim: that run may still fail to send them
     * @param held which ones, when the ledger says
     */
    record Claimable(Set<AlertKey> free, int heldElsewhere, Set<AlertKey> held) {

        public Claimable(Set<AlertKey> free, int heldElsewhere) {
            this(free, heldElsewhere, Set.of());
        }
    }

    /** Reads which of the keys are free to claim; writes nothing. */
    Claimable claimable(Collection<AlertKey> keys, LedgerClaim claim);

    /** Claims one key with a conditional write; false when another run sent it or holds it after all. */
    boolean claim(AlertKey key, LedgerClaim claim);

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

    /** A ledger that writes nothing: what the underlying ledger (if any) says is free counts as won. */
    record ReadOnly(AlertLedger underlying) implements AlertLedger {

        @Override
        public Optional<SweepMark> lastSweep(String account, String region) {
            return underlying == null ? Optional.empty() : underlying.lastSweep(account, region);
        }

        @Override
        public Map<String, Optional<SweepMark>> lastSweeps(List<String[]> accountRegions) {
            return underlying == null ? AlertLedger.super.lastSweeps(accountRegions) : underlying.lastSweeps(accountRegions);
        }

        @Override
        public void saveSweep(String account, String region, SweepMark mark, boolean replace) {
            // nothing is kept
        }

        @Override
        public Claimable claimable(Collection<AlertKey> keys, LedgerClaim claim) {
            return underlying == null ? new Claimable(new LinkedHashSet<>(keys), 0) : underlying.claimable(keys, claim);
        }

        @Override
        public boolean claim(AlertKey key, LedgerClaim claim) {
            return true; // nothing is written: the run would win what is free
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
}
