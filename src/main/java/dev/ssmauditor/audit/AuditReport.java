package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one audit did.
 *
 * @param violations every violation found, alerted now or before
 * @param alerts the violations alerted in this run
 * @param alertMessages how many alert messages were composed
 * @param delivered true when they were published (false in dry runs and terminal runs)
 * @param lastSweepBefore the last complete sweep the ledger held before the run, or null (none, or ignored)
 * @param sweepSaved the last complete sweep recorded by this run, or null when it recorded none
 * @param endedListedInFull false when time ran short while listing a backlog of ended sessions
 * @param sweepProblem why the ledger's sweep record was ignored, or null
 * @param ledgerErrors ledger operations that failed without failing the run (marks, releases, the sweep record)
 * @param sessionsNotReportedByEvents sessions that started long enough ago but no StartSession event reported (the
 *                                    event path is deaf); null when the run does not check the event path
 * @param phaseMillis wall time of each step, in the order run
 * @param remediation the sessions this run ended, failed to end, found over, or would have ended (dry run)
 */
public record AuditReport(Instant referenceTime, int sessionsChecked, int endedSessionsChecked, int pages,
                          List<Violation> violations, List<Alert> alerts, int alertMessages, boolean delivered,
                          Instant lastSweepBefore, Instant sweepSaved, boolean endedListedInFull, String sweepProblem,
                          int ledgerErrors, Integer sessionsNotReportedByEvents, Duration elapsed,
                          Map<String, Long> phaseMillis, RemediationCounts remediation) {

    public AuditReport {
        violations = List.copyOf(violations);
        alerts = List.copyOf(alerts);
        phaseMillis = new java.util.LinkedHashMap<>(phaseMillis);
        remediation = remediation == null ? RemediationCounts.NONE : remediation;
    }

    public Map<RuleId, Integer> violationsByRule() {
        Map<RuleId, Integer> counts = new EnumMap<>(RuleId.class);
        violations.forEach(v -> counts.merge(v.rule(), 1, Integer::sum));
        return counts;
    }

    public Map<Severity, Integer> violationsBySeverity() {
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        violations.forEach(v -> counts.merge(v.severity(), 1, Integer::sum));
        return counts;
    }
}
