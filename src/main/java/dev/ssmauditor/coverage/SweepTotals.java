package dev.ssmauditor.coverage;

import dev.ssmauditor.audit.AuditReport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The account-regions' audits added up, so that the summary and its metrics read as for one account. */
public final class SweepTotals {

    private SweepTotals() {
    }

    /**
     * Counts are summed, lists joined; the sweep records are per account-region, so the totals keep none
     * ({@code lastSweepBefore}, {@code sweepSaved} null); phases are summed over account-regions (time spent, not wall).
     */
    public static AuditReport combine(List<AuditReport> reports, Instant referenceTime, Duration elapsed) {
        int sessions = 0;
        int ended = 0;
        int pages = 0;
        int messages = 0;
        int ledgerErrors = 0;
        boolean delivered = false;
        boolean endedInFull = true;
        String sweepProblem = null;
        Integer unreported = null;
        List<dev.ssmauditor.policy.Violation> violations = new ArrayList<>();
        List<dev.ssmauditor.alert.Alert> alerts = new ArrayList<>();
        Map<String, Long> phases = new LinkedHashMap<>();
        dev.ssmauditor.audit.RemediationCounts remediation = dev.ssmauditor.audit.RemediationCounts.NONE;
        for (AuditReport r : reports) {
            sessions += r.sessionsChecked();
            ended += r.endedSessionsChecked();
            pages += r.pages();
            messages += r.alertMessages();
            ledgerErrors += r.ledgerErrors();
            delivered |= r.delivered();
            endedInFull &= r.endedListedInFull();
            sweepProblem = sweepProblem != null ? sweepProblem : r.sweepProblem();
            if (r.sessionsNotReportedByEvents() != null) {
                unreported = (unreported == null ? 0 : unreported) + r.sessionsNotReportedByEvents();
            }
            violations.addAll(r.violations());
            alerts.addAll(r.alerts());
            r.phaseMillis().forEach((k, v) -> phases.merge(k, v, Long::sum));
            remediation = remediation.plus(r.remediation());
        }
        return new AuditReport(referenceTime, sessions, ended, pages, violations, alerts, messages, delivered, null, null,
                endedInFull, sweepProblem, ledgerErrors, unreported, elapsed, phases, remediation);
    }
}
