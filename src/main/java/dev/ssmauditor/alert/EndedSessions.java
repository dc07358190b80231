package dev.ssmauditor.alert;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sessions counted by session, not by violation: one session can break several rules, and it is ended once.
 */
final class EndedSessions {

    private EndedSessions() {
    }

    /** How many distinct sessions among these alerts the auditor ended. */
    static int byAuditor(List<Alert> alerts) {
        Set<String> ids = new HashSet<>();
        for (Alert a : alerts) {
            if (a.remediation() != null && a.remediation().endedByAuditor()) {
                ids.add(a.violation().session().sessionId());
            }
        }
        return ids.size();
    }

    /**
     * The sessions over by the auditor's hand or their own, as the remediation of any of their alerts says: no
     * alert offers to end them, even one for another rule, whose own remediation may be null.
     */
    static Set<String> over(List<Alert> alerts) {
        Set<String> ids = new HashSet<>();
        for (Alert a : alerts) {
            if (a.remediation() != null && a.remediation().sessionOver() && a.violation().session().sessionId() != null) {
                ids.add(a.violation().session().sessionId());
            }
        }
        return Set.copyOf(ids);
    }
}
