package dev.ssmauditor.audit;

import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.policy.Violation;

import java.util.List;

/**
 * The event path: judges a session the moment its {@code StartSession} event arrives, by the rules that do not
 * need time (owner, target, document), and sends what it breaks through the same {@link AlertDispatch} as the
 * sweep, under the same ledger keys, so that whichever path comes first alerts it and the other finds it sent.
 * Every session seen is recorded, violating or not, so that the sweep can tell a deaf event path from a quiet one:
 * after the alert (the sighting is not needed to send it, and the alert is what is waited for), whether it went out or not.
 *
 * <p>A ledger that cannot be reached does not stop the alert (it goes out saying it may repeat) and does not fail the
 * invocation: a retry would only publish it again. A publish that fails does fail it, so that Lambda retries the
 * event; the sweep is the backstop either way.
 */
public final class StartSessionCheck {

    private final PolicyEvaluator evaluator;
    private final AlertPlanner planner;
    private final AlertDispatch dispatch;
    private final SessionSightings sightings;
    private final Remediator remediator;
    private final JsonLog log;

    /** @param sightings where seen sessions are recorded; null when nothing is kept (no ledger, dry runs) */
    public StartSessionCheck(PolicyEvaluator evaluator, AlertPlanner planner, AlertDispatch dispatch, SessionSightings sightings,
                             JsonLog log) {
        this(evaluator, planner, dispatch, sightings, Remediator.none(), log);
    }

    /** @param remediator ends the session within this invocation when its violation says so, before the alert goes out */
    public StartSessionCheck(PolicyEvaluator evaluator, AlertPlanner planner, AlertDispatch dispatch, SessionSightings sightings,
                             Remediator remediator, JsonLog log) {
        this.remediator = remediator;
        this.evaluator = evaluator;
        this.planner = planner;
        this.dispatch = dispatch;
        this.sightings = sightings;
        this.log = log;
    }

    /**
     * What one event did.
     *
     * @param violations the session's violations (none when the record was incomplete)
     * @param outcome what was sent; null when nothing was to be sent
     * @param ledgerErrors ledger operations that failed (the sighting, marks, releases, the ledger itself)
     */
    public record Report(StartedSession started, List<Violation> violations, AlertDispatch.Outcome outcome, boolean seenRecorded,
                         int ledgerErrors, RemediationCounts remediation) {

        public int alerted() {
            return outcome == null ? 0 : outcome.alerts().size();
        }
    }

    public Report check(StartedSession started, AuditRequest request) {
        List<Violation> violations = started.missing() != null ? List.of() : evaluator.evaluateAtStart(started.session());
        AlertDispatch.Outcome sent = null;
        Remediations remediations = Remediations.none();
        boolean recorded;
        try {
            if (!violations.isEmpty()) {
                List<AlertPlanner.Candidate> candidates = planner.planStarted(violations, started.account(), started.region(),
                        started.eventTime(), started.detection());
                remediations = remediator.remediate(violations, List.of(), started.account(), started.region(),
                        started.eventTime(), started.detection(), request);
                sent = dispatch.send(candidates, (alerts, mayRepeat) -> new AuditFindings(started.account(), started.region(),
                        started.eventTime(), 1, 0, alerts, mayRepeat), request, null, remediations);
            }
        } finally {
            recorded = recordSighting(started);
        }
        int errors = (recorded || sightings == null ? 0 : 1) + remediations.ledgerErrors();
        if (sent == null) {
            return new Report(started, violations, null, recorded, errors, remediations.counts());
        }
        errors += sent.ledgerErrors();
        if (sent.ledgerDown() != null) {
            errors++;
            log.error("alert ledger unavailable; alerts published without it", JsonLog.fields("sessionId",
                    started.session().sessionId(), "alerted", sent.alerts().size(), "error", sent.ledgerDown().getMessage(),
                    "consequence", "the alert went out saying it may repeat, and the sweep may alert it once more; the "
                            + "invocation does not fail, since a retry would only publish it again"));
        }
        return new Report(started, violations, sent, recorded, errors, remediations.counts());
    }

    private boolean recordSighting(StartedSession started) {
        if (sightings == null) {
            return false;
        }
        try {
            sightings.record(started.account(), started.region(), started.session().sessionId(), started.eventTime());
            return true;
        } catch (RuntimeException e) {
            log.error("alert ledger: session sighting not recorded", JsonLog.fields("sessionId", started.session().sessionId(),
                    "error", e.getMessage(), "consequence", "the sweep may count this session as missed by the event path"));
            return false;
        }
    }
}
