package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** The one-line JSON summary of a run: the invocation's result and its log line. */
final class AuditSummary {

    private AuditSummary() {
    }

    static String json(JsonFactory factory, AuditReport report, boolean dryRun, String eventNote) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("message", "audit complete");
            g.writeStringField("referenceTime", report.referenceTime().toString());
            if (eventNote != null) {
                g.writeStringField("eventIgnored", eventNote + "; used the clock instead");
            }
            g.writeNumberField("sessionsChecked", report.sessionsChecked());
            g.writeNumberField("pages", report.pages());
            g.writeNumberField("violations", report.violations().size());
            g.writeObjectFieldStart("violationsByRule");
            for (Map.Entry<RuleId, Integer> e : report.violationsByRule().entrySet()) {
                g.writeNumberField(e.getKey().id(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("violationsBySeverity");
            for (Map.Entry<Severity, Integer> e : report.violationsBySeverity().entrySet()) {
                g.writeNumberField(e.getKey().name(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("alertMessages", report.alertMessages());
            g.writeNumberField("alertsPublished", report.delivered() ? report.alertMessages() : 0);
            g.writeBooleanField("dryRun", dryRun);
            g.writeNumberField("durationMs", report.elapsed().toMillis());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
