package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The summary of a run: the invocation's result, and its log line. */
final class AuditSummary {

    /** The summary fields that are also CloudWatch metrics (Embedded Metric Format), with their units. */
    static final Map<String, String> METRICS = units(
            "sessionsChecked", "Count",
            "endedSessionsChecked", "Count",
            "violations", "Count",
            "alerted", "Count",
            "alertsPublished", "Count",
            "durationMs", "Milliseconds",
            "auditSucceeded", "Count",
            "sweepRecordIgnored", "Count",
            "endedBacklog", "Count",
            "ledgerErrors", "Count",
            "sessionsNotReportedByEvents", "Count",
            "accountRegionsAudited", "Count",
            "coverageGaps", "Count",
            "sessionsTerminated", "Count",
            "terminationsFailed", "Count");
    /** The failure line's metrics: the run failed, and whether the ledger was the cause. */
    static final Map<String, String> FAILURE_METRICS = units("auditSucceeded", "Count", "ledgerErrors", "Count");
    static final Map<String, String> BREAKDOWN_METRICS = Map.of("violations", "Count");

    /** One metrics line: fields and the dimensions (beyond Function) they are counted under. */
    record Breakdown(Map<String, Object> fields, Map<String, String> dimensions) {
    }

    private AuditSummary() {
    }

    static Map<String, String> units(String... namesAndUnits) {
        Map<String, String> units = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndUnits.length; i += 2) {
            units.put(namesAndUnits[i], namesAndUnits[i + 1]);
        }
        return units;
    }

    /** What the run did to sessions: the two metrics the alarms watch, and the rest for the operator. */
    static void remediation(Map<String, Object> f, dev.ssmauditor.audit.RemediationCounts r) {
        f.put("sessionsTerminated", r.terminated());
        f.put("terminationsFailed", r.failed());
        f.put("sessionsAlreadyEnded", r.alreadyEnded());
        f.put("sessionsWouldTerminate", r.wouldTerminate());
    }

    /** Violations by rule and by severity, one line each (only non-zero counts). */
    static java.util.List<Breakdown> breakdowns(AuditReport report) {
        java.util.List<Breakdown> lines = new java.util.ArrayList<>();
        report.violationsByRule().forEach((rule, n) -> lines.add(new Breakdown(Map.of("violations", n), Map.of("Rule", rule.id()))));
        report.violationsBySeverity().forEach((severity, n) ->
                lines.add(new Breakdown(Map.of("violations", n), Map.of("Severity", severity.name()))));
        return lines;
    }

    static Map<String, Object> fields(AuditReport report, boolean dryRun, String eventIgnored) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("referenceTime", report.referenceTime().toString());
        if (eventIgnored != null) {
            f.put("eventIgnored", eventIgnored + "; used the clock instead");
        }
        f.put("sessionsChecked", report.sessionsChecked());
        f.put("endedSessionsChecked", report.endedSessionsChecked());
        f.put("pages", report.pages());
        f.put("violations", report.violations().size());
        Map<String, Object> byRule = new LinkedHashMap<>();
        for (Map.Entry<RuleId, Integer> e : report.violationsByRule().entrySet()) {
            byRule.put(e.getKey().id(), e.getValue());
        }
        f.put("violationsByRule", byRule);
        Map<String, Object> bySeverity = new LinkedHashMap<>();
        for (Map.Entry<Severity, Integer> e : report.violationsBySeverity().entrySet()) {
            bySeverity.put(e.getKey().name(), e.getValue());
        }
        f.put("violationsBySeverity", bySeverity);
        f.put("alerted", report.alerts().size());
        f.put("alertMessages", report.alertMessages());
        f.put("alertsPublished", report.delivered() ? report.alertMessages() : 0);
        f.put("lastSweepBefore", report.lastSweepBefore() == null ? null : report.lastSweepBefore().toString());
        f.put("sweepSaved", report.sweepSaved() == null ? null : report.sweepSaved().toString());
        f.put("sweepRecordIgnored", report.sweepProblem() == null ? 0 : 1);
        f.put("endedBacklog", report.endedListedInFull() ? 0 : 1);
        f.put("ledgerErrors", report.ledgerErrors());
        remediation(f, report.remediation());
        // 0 when the event path is not watched (see eventPathChecked), so that the alarm's metric is never missing.
        f.put("eventPathChecked", report.sessionsNotReportedByEvents() != null);
        f.put("sessionsNotReportedByEvents", report.sessionsNotReportedByEvents() == null ? 0 : report.sessionsNotReportedByEvents());
        f.put("dryRun", dryRun);
        f.put("durationMs", report.elapsed().toMillis());
        Map<String, Object> phases = new LinkedHashMap<>();
        for (String phase : java.util.List.of("loadState", "listActive", "listEnded", "evaluate", "publish", "saveState")) {
            if (report.phaseMillis().containsKey(phase)) {
                phases.put(phase, report.phaseMillis().get(phase));
            }
        }
        f.put("phasesMs", phases);
        // One account-region, audited; the organisation sweep replaces these with its own counts.
        f.put("accountRegionsAudited", 1);
        f.put("coverageGaps", 0);
        f.put("auditSucceeded", 1);
        return f;
    }

    /** The same fields as one JSON object, for the invocation's result. */
    static String json(JsonFactory factory, String message, Map<String, Object> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new JsonLog(print, LogLevel.INFO, factory).info(message, fields);
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}
