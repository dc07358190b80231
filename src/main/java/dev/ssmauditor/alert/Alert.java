package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Violation;

/**
 * A violation being alerted now.
 *
 * @param reminder 0 the first time, then 1, 2, ... for each reminder while it stays open
 * @param ended true for a session that was already over when it was listed (State=History)
 * @param detection which path found it
 * @param remediation what the auditor did about the session; null when its policy asks for nothing
 */
public record Alert(Violation violation, int reminder, boolean ended, Detection detection, Remediation remediation) {

    public Alert(Violation violation, int reminder, boolean ended, Detection detection) {
        this(violation, reminder, ended, detection, null);
    }

    public Alert withRemediation(Remediation value) {
        return new Alert(violation, reminder, ended, detection, value);
    }

    /** Found by the sweep. */
    public Alert(Violation violation, int reminder, boolean ended) {
        this(violation, reminder, ended, Detection.SWEEP);
    }
}
