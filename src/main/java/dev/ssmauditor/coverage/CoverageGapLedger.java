package dev.ssmauditor.coverage;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Which account-regions are known to be failing, so that a gap is alerted when it opens and when it closes, not every
 * run. Conditional writes make the alert once across overlapping runs and shards.
 */
public interface CoverageGapLedger {

    /** Of these account-regions ({@link AccountRegion#label()}), those with an open gap, and since when. */
    Map<String, Instant> openGaps(Collection<String> labels);

    /** Opens a gap; false when it was open already (another run opened it). */
    boolean open(String label, String reason, Instant since);

    /** Closes a gap; false when it was not open (another run closed it). */
    boolean close(String label);

    /** Without a ledger: no gap is ever known, so every run alerts every gap, and no recovery. */
    CoverageGapLedger NONE = new CoverageGapLedger() {
        @Override
        public Map<String, Instant> openGaps(Collection<String> labels) {
            return Map.of();
        }

        @Override
        public boolean open(String label, String reason, Instant since) {
            return true;
        }

        @Override
        public boolean close(String label) {
            return false;
        }
    };
}
