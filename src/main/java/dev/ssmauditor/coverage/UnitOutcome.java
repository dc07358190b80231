package dev.ssmauditor.coverage;

import dev.ssmauditor.audit.AuditReport;

/**
 * What became of one account-region in a run.
 *
 * @param report the audit, when it ran; null when it did not
 * @param problem why it was not audited; null when it was
 * @param attempts how many times it was tried in the run
 * @param failure the error to fail the run with although the unit was audited (the ledger down) or not tried (out of
 *                time); null otherwise
 */
public record UnitOutcome(AccountRegion unit, AuditReport report, String problem, int attempts, RuntimeException failure) {

    public boolean audited() {
        return report != null;
    }

    /** Not audited because of the account or region (a gap), rather than because the run ran out of time. */
    public boolean gap() {
        return report == null && problem != null && failure == null;
    }
}
