package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ssmauditor.policy.Violation;

import java.io.IOException;
import java.util.List;

/**
 * The machine-readable {@code default} body, for SQS, Lambda and anything that is not email:
 * <pre>{"source":"ssm-session-auditor","schemaVersion":1,"account":...,"region":...,"referenceTime":...,
 *  "sessionsChecked":n,"violationsTotal":n,"part":1,"parts":1,"violations":[{...}]}</pre>
 */
final class JsonAlertBody {

    static final int SCHEMA_VERSION = 1;

    private final JsonText json;

    JsonAlertBody(JsonText json) {
        this.json = json;
    }

    /** One violation as a JSON object; the bodies are assembled from these so that parts can be sized. */
    String violation(Violation v) {
        return json.write(g -> {
            g.writeStartObject();
            JsonText.field(g, "sessionId", v.session().sessionId());
            g.writeStringField("rule", v.rule().id());
            g.writeStringField("severity", v.severity().name());
            JsonText.field(g, "owner", v.session().owner());
            JsonText.field(g, "target", v.session().target());
            JsonText.field(g, "documentName", v.session().documentName());
            JsonText.field(g, "status", v.session().status());
            JsonText.field(g, "startDate", v.session().startDate() == null ? null : v.session().startDate().toString());
            if (v.durationMinutes() == null) {
                g.writeNullField("durationMinutes");
            } else {
                g.writeNumberField("durationMinutes", v.durationMinutes());
            }
            JsonText.field(g, "reason", v.session().reason());
            g.writeStringField("detail", v.detail());
            g.writeEndObject();
        });
    }

    String body(AuditFindings findings, List<String> violationObjects, int part, int parts) {
        return json.write(g -> {
            g.writeStartObject();
            g.writeStringField("source", "ssm-session-auditor");
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            JsonText.field(g, "account", findings.account());
            JsonText.field(g, "region", findings.region());
            g.writeStringField("referenceTime", findings.referenceTime().toString());
            g.writeNumberField("sessionsChecked", findings.sessionsChecked());
            g.writeNumberField("violationsTotal", findings.violations().size());
            g.writeNumberField("part", part);
            g.writeNumberField("parts", parts);
            g.writeArrayFieldStart("violations");
            for (String object : violationObjects) {
                g.writeRawValue(object);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
