package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.sessions.SessionTerminator;
import dev.ssmauditor.policy.RuleId;

import java.time.Instant;

/**
 * Where every path records the sessions it ends, so that together they end each session once: a run claims the
 * session (a conditional write only one run can win), ends it, and records the outcome. A failed attempt keeps its
 * lease: another run may try again only once the lease of the run that failed has passed, so no two runs try at once
 * and a failing session is tried at most once per run. Every method throws {@link LedgerUnavailableException} when the
 * ledger cannot be reached.
 */
public interface TerminationLedger {

    /** Where a record is: one per session, whatever rules it broke. */
    record SessionRef(String account, String region, String sessionId) {

        public String id() {
            return "end#" + orUnknown(account) + "#" + orUnknown(region) + "#" + sessionId;
        }

        private static String orUnknown(String s) {
            return s == null ? "unknown" : s;
        }
    }

    /** INPROGRESS: a run is ending it; ENDED: over (see outcome); FAILED: the last attempt failed. */
    enum Status { INPROGRESS, ENDED, FAILED }

    /**
     * One session's record.
     *
     * @param outcome what the last finished attempt found; null while in progress
     * @param leaseUntil until when the run that claimed (or failed) holds it
     * @param reported the outcome last carried by a published alert, or null: a changed outcome is reported once more
     * @param attempts attempts made so far, this one included
     */
    record Entry(Status status, Remediation.Outcome outcome, Instant at, Instant leaseUntil, Remediation.Outcome reported,
                 int attempts, String error) {
    }

    /**
     * @param won true when this run may end the session
     * @param previous the record as it was before the claim (won over a failed or abandoned attempt), or as another
     *                 run holds it (lost); null when there was none
     */
    record Claim(boolean won, Entry previous) {
    }

    Claim claim(SessionRef session, RuleId rule, LedgerClaim claim);

    /** The records of these sessions of one account and region, by session id; sessions without one are absent. */
    java.util.Map<String, Entry> read(String account, String region, java.util.Collection<String> sessionIds);

    /** Records what the attempt found: ENDED for terminated or already ended, FAILED (the lease kept) otherwise. */
    void finish(SessionRef session, LedgerClaim claim, SessionTerminator.Result result);

    /** A published alert carried this outcome: it is not reported again. */
    void reported(SessionRef session, Remediation.Outcome outcome);

    /** Nothing kept: every claim is won (no ledger, terminal runs). */
    TerminationLedger NONE = new TerminationLedger() {
        @Override
        public Claim claim(SessionRef session, RuleId rule, LedgerClaim claim) {
            return new Claim(true, null);
        }

        @Override
        public java.util.Map<String, Entry> read(String account, String region, java.util.Collection<String> sessionIds) {
            return java.util.Map.of();
        }

        @Override
        public void finish(SessionRef session, LedgerClaim claim, SessionTerminator.Result result) {
            // nothing is kept
        }

        @Override
        public void reported(SessionRef session, Remediation.Outcome outcome) {
            // nothing is kept
        }
    };
}
