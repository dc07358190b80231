package dev.ssmauditor.audit;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * A ledger whose sweep records were read in advance (the organisation sweep reads them for every account-region at
 * once); everything else, and any record not read, goes to the ledger itself.
 */
public record PrefetchedSweeps(AlertLedger ledger, Map<String, Optional<SweepMark>> marks) implements AlertLedger {

    @Override
    public Optional<SweepMark> lastSweep(String account, String region) {
        Optional<SweepMark> mark = marks.get(account + "#" + region);
        return mark != null ? mark : ledger.lastSweep(account, region);
    }

    @Override
    public void saveSweep(String account, String region, SweepMark mark, boolean replace) {
        ledger.saveSweep(account, region, mark, replace);
    }

    @Override
    public Claimable claimable(Collection<AlertKey> keys, LedgerClaim claim) {
        return ledger.claimable(keys, claim);
    }

    @Override
    public boolean claim(AlertKey key, LedgerClaim claim) {
        return ledger.claim(key, claim);
    }

    @Override
    public void markSent(Collection<AlertKey> keys, LedgerClaim claim) {
        ledger.markSent(keys, claim);
    }

    @Override
    public void release(Collection<AlertKey> keys, LedgerClaim claim) {
        ledger.release(keys, claim);
    }

    @Override
    public boolean persists() {
        return ledger.persists();
    }
}
