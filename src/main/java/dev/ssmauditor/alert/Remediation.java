package dev.ssmauditor.alert;

import java.time.Instant;

/**
 * What the auditor did about a violating session, as every alert format reports it.
 *
 * @param outcome what became of the session; null when nothing was done (yet): see {@code terminateAt}
 * @param at when the session was found ended (terminated, already ended), or when the attempt failed
 * @param terminateAt when a session still within its grace will be ended if it is still open; null otherwise
 * @param detail why a session is exempt (the pattern), or why the termination failed; null otherwise
 * @param followUp true when the violation was alerted before and this alert only reports what the auditor did since
 *                 (a session ended after its grace, or on a later try)
 */
public record Remediation(Outcome outcome, Instant at, Instant terminateAt, String detail, boolean followUp) {

    /** The values of the {@code remediation} field of the JSON body. */
    public enum Outcome {
        TERMINATED("terminated"),
        WOULD_TERMINATE("would-terminate"),
        EXEMPT("exempt"),
        ALREADY_ENDED("already-ended"),
        TERMINATE_FAILED("terminate-failed");

        private final String id;

        Outcome(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The session is over, by the auditor's hand or its own: offering a terminate command would be wrong. */
        public boolean sessionOver() {
            return this == TERMINATED || this == ALREADY_ENDED;
        }

        /** Null for null or an id this version does not know. */
        public static Outcome fromId(String id) {
            for (Outcome o : values()) {
                if (o.id.equals(id)) {
                    return o;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    public static Remediation of(Outcome outcome, Instant at, String detail) {
        return new Remediation(outcome, at, null, detail, false);
    }

    /** Still within its grace: ended at {@code terminateAt} if still open then. */
    public static Remediation pending(Instant terminateAt) {
        return new Remediation(null, null, terminateAt, null, false);
    }

    public Remediation asFollowUp() {
        return new Remediation(outcome, at, terminateAt, detail, true);
    }

    /** The session is over because the auditor ended it. */
    public boolean endedByAuditor() {
        return outcome == Outcome.TERMINATED;
    }

    /** See {@link Outcome#sessionOver()}. */
    public boolean sessionOver() {
        return outcome != null && outcome.sessionOver();
    }

    /** Nothing done and nothing planned: a remediation with nothing to report. */
    public boolean isEmpty() {
        return outcome == null && terminateAt == null;
    }
}
