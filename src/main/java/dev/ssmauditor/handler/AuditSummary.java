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

    private AuditSummary() {
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
        f.put("watermarkBefore", report.watermarkBefore() == null ? null : report.watermarkBefore().toString());
        f.put("watermarkAfter", report.watermarkAfter() == null ? null : report.watermarkAfter().toString());
        f.put("dryRun", dryRun);
        f.put("durationMs", report.elapsed().toMillis());
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
