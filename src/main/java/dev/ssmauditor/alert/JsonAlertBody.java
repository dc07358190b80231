package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;

import java.io.IOException;
import java.util.List;

/**
 * The machine-readable {@code default} body, for SQS, Lambda and anything that is not email or https.
 * Its fields are documented in the README (schema version 1).
 */
final class JsonAlertBody {

    static final int SCHEMA_VERSION = 1;

    private final JsonText json;

    JsonAlertBody(JsonText json) {
        this.json = json;
    }

    /** One alert as a JSON object; the bodies are assembled from these so that parts can be sized. */
    String alert(Alert a) {
        Violation v = a.violation();
        return json.write(g -> {
            g.writeStartObject();
            JsonText.field(g, "sessionId", v.session().sessionId());
            g.writeStringField("rule", v.rule().id());
            g.writeStringField("severity", v.severity().name());
            JsonText.field(g, "owner", v.session().owner());
            JsonText.field(g, "target", v.session().target());
            JsonText.field(g, "documentName", v.session().documentName());
            JsonText.field(g, "status", v.session().status());
            JsonText.field(g, "startDate", text(v.session().startDate()));
            JsonText.field(g, "endDate", text(v.session().endDate()));
            if (v.durationMinutes() == null) {
                g.writeNullField("durationMinutes");
            } else {
                g.writeNumberField("durationMinutes", v.durationMinutes());
            }
            JsonText.field(g, "reason", v.session().reason());
            g.writeStringField("detail", v.detail());
            JsonText.field(g, "violatingSince", text(v.since()));
            g.writeNumberField("reminder", a.reminder());
            g.writeBooleanField("ended", a.ended());
            g.writeStringField("detectedBy", a.detection().path());
            JsonText.field(g, "sourceIPAddress", a.detection().sourceIp());
            JsonText.field(g, "userAgent", a.detection().userAgent());
            remediation(g, a.remediation());
            g.writeEndObject();
        });
    }

    /** Always every field, null when not asked, so that consumers need not tell "absent" from "none". */
    private static void remediation(JsonGenerator g, Remediation r) throws IOException {
        JsonText.field(g, "remediation", r == null || r.outcome() == null ? null : r.outcome().id());
        JsonText.field(g, "remediatedAt", r == null ? null : text(r.at()));
        JsonText.field(g, "terminateAt", r == null ? null : text(r.terminateAt()));
        JsonText.field(g, "remediationDetail", r == null ? null : r.detail());
        g.writeBooleanField("followUp", r != null && r.followUp());
    }

    /** @param sessionsEnded distinct sessions among these alerts that the auditor ended */
    String body(AuditFindings findings, Severity severity, List<String> alertObjects, int sessionsEnded, int part, int parts) {
        return json.write(g -> {
            g.writeStartObject();
            g.writeStringField("source", "ssm-session-auditor");
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            JsonText.field(g, "account", findings.account());
            JsonText.field(g, "accountName", findings.accountName());
            JsonText.field(g, "region", findings.region());
            g.writeStringField("referenceTime", findings.referenceTime().toString());
            g.writeNumberField("sessionsChecked", findings.sessionsChecked());
            g.writeNumberField("endedSessionsChecked", findings.endedSessionsChecked());
            g.writeNumberField("alertsInRun", findings.alerts().size());
            g.writeBooleanField("mayRepeat", findings.mayRepeat());
            g.writeStringField("severity", severity.name());
            g.writeNumberField("part", part);
            g.writeNumberField("parts", parts);
            g.writeNumberField("sessionsEnded", sessionsEnded);
            g.writeArrayFieldStart("violations");
            for (String object : alertObjects) {
                g.writeRawValue(object);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
