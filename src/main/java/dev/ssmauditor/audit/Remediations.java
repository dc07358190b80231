package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.policy.Violation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one run decided and did about its violations' sessions: what each alert reports, the follow-up alerts for
 * sessions ended after their violation was alerted, and, once a message is published, the ledger's note that its
 * outcome was reported (so that the next run does not report it again).
 */
public final class Remediations {

    /** Nothing asked: every alert's remediation is null. A new one each time: it counts, so it is not shared. */
    public static Remediations none() {
        return new Remediations(Map.of(), Map.of(), Detection.SWEEP, TerminationLedger.NONE, null, 0);
    }

    /**
     * One session the policy says to end now, and what became of it.
     *
     * @param reportedBefore the outcome an alert already carried, from an earlier attempt
     */
    record Action(Violation violation, TerminationLedger.SessionRef ref, Remediation remediation, By by,
                  Remediation.Outcome reportedBefore) {

        boolean actedNow() {
            return by == By.THIS_RUN;
        }

        /** This run sends a follow-up when no alert of its own carries the outcome. */
        boolean followsUp() {
            return by == By.THIS_RUN || by == By.UNREPORTED;
        }

        /** An alert carrying this outcome, once published, is recorded in the session's record as reported. */
        boolean recordsReported() {
            return followsUp() || (by == By.OTHER_RUN && remediation.outcome() != null);
        }

        /** An outcome people have not heard yet: ended, or could not be ended, or over after "could not be ended". */
        boolean news() {
            Remediation.Outcome o = remediation.outcome();
            boolean worth = o == Remediation.Outcome.TERMINATED || o == Remediation.Outcome.TERMINATE_FAILED
                    || (o == Remediation.Outcome.ALREADY_ENDED && reportedBefore == Remediation.Outcome.TERMINATE_FAILED);
            return worth && o != reportedBefore;
        }
    }

    /**
     * Who acted: this run (it holds the session's record), another run (its record is reported), nobody yet; or an
     * earlier run that ended a session now over and never got its outcome published (this run reports it).
     */
    enum By { THIS_RUN, OTHER_RUN, NOT_TRIED, DRY_RUN, UNREPORTED }

    private final Map<String, Remediation> byViolation;
    private final Map<String, Action> bySession;
    private final Detection detection;
    private final TerminationLedger ledger;
    private final JsonLog log;
    private final Set<String> reported = new HashSet<>();
    private int ledgerErrors;

    Remediations(Map<String, Remediation> byViolation, Map<String, Action> bySession, Detection detection,
                 TerminationLedger ledger, JsonLog log, int ledgerErrors) {
        this.byViolation = byViolation;
        this.bySession = bySession;
        this.detection = detection;
        this.ledger = ledger;
        this.log = log;
        this.ledgerErrors = ledgerErrors;
    }

    static String key(Violation v, boolean ended) {
        return AlertPlanner.sessionKey(v.session()) + "#" + v.rule().id() + (ended ? "#ended" : "");
    }

    /** What an alert of this violation reports: its session's fate when it was to be ended, else its own decision. */
    public Remediation of(Violation v, boolean ended) {
        if (!ended) {
            Action a = bySession.get(AlertPlanner.sessionKey(v.session()));
            if (a != null) {
                return a.remediation();
            }
        }
        return byViolation.get(key(v, ended));
    }

    /**
     * The sessions this run ended (or first failed to end) that none of {@code alerts} reports, because their
     * violation was alerted before (within its grace, or by a run whose attempt failed): one follow-up alert each.
     *
     * @param contested sessions whose alert another run claimed during this very send: that run reports what it found,
     *                  and if it could not say, the next sweep sends the follow-up from the session's record
     */
    public List<Alert> followUps(Collection<Alert> alerts, Set<String> contested) {
        Set<String> carried = new HashSet<>();
        alerts.forEach(a -> carried.add(AlertPlanner.sessionKey(a.violation().session())));
        List<Action> due = new ArrayList<>();
        bySession.forEach((session, a) -> {
            if (a.followsUp() && a.news() && !carried.contains(session) && !contested.contains(session)) {
                due.add(a);
            }
        });
        Map<String, TerminationLedger.Entry> now = recordsNow(due);
        List<Alert> followUps = new ArrayList<>();
        for (Action a : due) {
            TerminationLedger.Entry e = now.get(a.ref().sessionId());
            // Another run may have published this outcome since (it lost the claim, then read the record): said once.
            if (e == null || e.reported() != a.remediation().outcome()) {
                followUps.add(new Alert(a.violation(), 0, a.by() == By.UNREPORTED, detection, a.remediation().asFollowUp()));
            }
        }
        return followUps;
    }

    /** The records of the sessions about to be followed up, as they are now; none when they cannot be read. */
    private Map<String, TerminationLedger.Entry> recordsNow(List<Action> due) {
        if (due.isEmpty()) {
            return Map.of();
        }
        TerminationLedger.SessionRef first = due.get(0).ref();
        try {
            return ledger.read(first.account(), first.region(), due.stream().map(a -> a.ref().sessionId()).toList());
        } catch (RuntimeException e) {
            ledgerErrors++;
            log.error("alert ledger: termination records not read again", JsonLog.fields("sessions", due.size(), "error",
                    e.getMessage(), "consequence", "the follow-ups go out, and may repeat what another run just sent"));
            return Map.of();
        }
    }

    /** As {@link #followUps(Collection, Set)}, nothing contested. */
    public List<Alert> followUps(Collection<Alert> alerts) {
        return followUps(alerts, Set.of());
    }

    /** SNS accepted these alerts: the outcomes this run produced are recorded as reported. Never throws. */
    public void published(List<Alert> alerts) {
        for (Alert alert : alerts) {
            String session = AlertPlanner.sessionKey(alert.violation().session());
            Action a = bySession.get(session);
            if (a == null || !a.recordsReported() || !reported.add(session)) {
                continue;
            }
            try {
                ledger.reported(a.ref(), a.remediation().outcome());
            } catch (RuntimeException e) {
                ledgerErrors++;
                log.error("alert ledger: reported termination not recorded", JsonLog.fields("sessionId", a.ref().sessionId(),
                        "error", e.getMessage(), "consequence", "a later success or failure is reported as news; nothing else"));
            }
        }
    }

    public int ledgerErrors() {
        return ledgerErrors;
    }

    /** By session: what this run ended, failed to end, found over, or (dry run) would have ended. */
    public RemediationCounts counts() {
        int terminated = 0;
        int failed = 0;
        int alreadyEnded = 0;
        int would = 0;
        for (Action a : bySession.values()) {
            Remediation.Outcome o = a.remediation().outcome();
            if (o == Remediation.Outcome.WOULD_TERMINATE) {
                would++;
            } else if (o == Remediation.Outcome.TERMINATE_FAILED && (a.actedNow() || a.by() == By.NOT_TRIED)) {
                failed++;
            } else if (a.actedNow() && o == Remediation.Outcome.TERMINATED) {
                terminated++;
            } else if (a.actedNow() && o == Remediation.Outcome.ALREADY_ENDED) {
                alreadyEnded++;
            }
        }
        return new RemediationCounts(terminated, failed, alreadyEnded, would);
    }
}
