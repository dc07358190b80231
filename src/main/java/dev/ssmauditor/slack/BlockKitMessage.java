package dev.ssmauditor.slack;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.alert.RemediationWords;
import dev.ssmauditor.alert.SafeText;
import dev.ssmauditor.json.JsonValues;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An alert's JSON body (the SNS {@code default} body) as a Slack Block Kit message. Slack allows 50 blocks
 * a message, 150 characters in a header and 3,000 in a section: past those, the message says how many
 * violations it leaves out and where to read them all.
 */
final class BlockKitMessage {

    static final int MAX_BLOCKS = 50;
    static final int MAX_HEADER = 150;
    static final int MAX_SECTION = 3000;
    /** Header, context and the "more" note. */
    static final int FIXED_BLOCKS = 3;

    private BlockKitMessage() {
    }

    static String from(Map<String, Object> alert, JsonFactory json) {
        List<?> violations = JsonValues.list(alert.get("violations"));
        String severity = text(alert, "severity", "UNKNOWN");
        int count = violations.size();
        String region = SafeText.chat(text(alert, "region", null));
        String name = alert.get("accountName") instanceof String n && !n.isBlank() ? " (" + SafeText.chat(n) + ")" : "";
        String where = alert.get("account") instanceof String account ? " in " + SafeText.chat(account) + name + " " + (region == null ? "" : region) : "";
        int ended = number(alert, "sessionsEnded", 0);
        String headline = (count + " " + severity + " SSM session " + (count == 1 ? "violation" : "violations")
                + (ended > 0 ? ", " + ended + " ended" : "") + where).strip();
        Instant reference = instant(alert.get("referenceTime"));
        Set<String> over = over(violations);
        int parts = number(alert, "parts", 1);
        String part = parts > 1 ? " - part " + number(alert, "part", 1) + " of " + parts : "";
        String context = "Audit at " + SafeText.chat(text(alert, "referenceTime", "?")) + ", " + number(alert, "sessionsChecked", 0)
                + " active sessions checked" + part;

        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("text", cut(headline, MAX_SECTION)); // notifications and clients that cannot show blocks
            g.writeArrayFieldStart("blocks");
            g.writeStartObject();
            g.writeStringField("type", "header");
            g.writeObjectFieldStart("text");
            g.writeStringField("type", "plain_text");
            g.writeStringField("text", cut(headline, MAX_HEADER));
            g.writeBooleanField("emoji", true);
            g.writeEndObject();
            g.writeEndObject();
            context(g, cut(context, MAX_SECTION));
            int shown = 0;
            for (Object v : violations) {
                if (shown == MAX_BLOCKS - FIXED_BLOCKS) {
                    break;
                }
                Map<String, Object> violation = JsonValues.object(v);
                g.writeStartObject();
                g.writeStringField("type", "section");
                g.writeObjectFieldStart("text");
                g.writeStringField("type", "mrkdwn");
                g.writeStringField("text", cut(describe(violation == null ? Map.of() : violation, region, reference, over), MAX_SECTION));
                g.writeEndObject();
                g.writeEndObject();
                shown++;
            }
            if (shown < count) {
                context(g, "...and " + (count - shown) + " more in this alert: see the email or the JSON message.");
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * A CloudWatch alarm notification (the auditor's alarms publish to the same topic): a header with the state and
     * the alarm's name, and its description and reason.
     */
    static String fromAlarm(Map<String, Object> alarm, JsonFactory json) {
        String state = text(alarm, "NewStateValue", "?");
        String icon = switch (state) {
            case "ALARM" -> ":rotating_light: ";
            case "OK" -> ":white_check_mark: ";
            default -> "";
        };
        String headline = icon + state + ": " + text(alarm, "AlarmName", "?");
        String description = SafeText.chat(text(alarm, "AlarmDescription", ""));
        String reason = SafeText.chat(text(alarm, "NewStateReason", ""));
        String where = "Account " + SafeText.chat(text(alarm, "AWSAccountId", "?")) + ", " + SafeText.chat(text(alarm, "Region", "?"))
                + ", at " + SafeText.chat(text(alarm, "StateChangeTime", "?"));
        String text = (description.isEmpty() ? "" : "*" + description + "*\n") + reason;
        return headed(json, headline, where, text.isBlank() ? "(no reason given)" : text);
    }

    /**
     * A coverage alert ({@code "type": "coverage"}): the account-regions not audited any more, with why, and those
     * audited again.
     */
    static String fromCoverage(Map<String, Object> alert, JsonFactory json) {
        List<?> gaps = JsonValues.list(alert.get("gaps"));
        List<?> recovered = JsonValues.list(alert.get("recovered"));
        List<String> bits = new java.util.ArrayList<>();
        if (!gaps.isEmpty()) {
            bits.add(":warning: Coverage gap: " + gaps.size() + " account-region" + (gaps.size() == 1 ? "" : "s") + " not audited");
        }
        if (!recovered.isEmpty()) {
            bits.add(":white_check_mark: " + recovered.size() + " audited again");
        }
        String headline = bits.isEmpty() ? "SSM session audit coverage" : String.join("; ", bits);
        StringBuilder lines = new StringBuilder();
        for (Object o : gaps) {
            Map<String, Object> c = JsonValues.object(o);
            lines.append("• *not audited* `").append(where(c == null ? Map.of() : c)).append("`: ")
                    .append(SafeText.chat(text(c == null ? Map.of() : c, "reason", "?"))).append('\n');
        }
        for (Object o : recovered) {
            Map<String, Object> c = JsonValues.object(o);
            lines.append("• *audited again* `").append(where(c == null ? Map.of() : c)).append("`\n");
        }
        return headed(json, headline, "Sweep at " + SafeText.chat(text(alert, "referenceTime", "?")),
                lines.length() == 0 ? "(no change listed)" : lines.toString().strip());
    }

    /** A header, a context line and one section: the messages that are not a list of violations. */
    private static String headed(JsonFactory json, String headline, String context, String section) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("text", cut(SafeText.line(headline), MAX_SECTION));
            g.writeArrayFieldStart("blocks");
            g.writeStartObject();
            g.writeStringField("type", "header");
            g.writeObjectFieldStart("text");
            g.writeStringField("type", "plain_text");
            g.writeStringField("text", cut(SafeText.line(headline), MAX_HEADER));
            g.writeBooleanField("emoji", true);
            g.writeEndObject();
            g.writeEndObject();
            context(g, cut(context, MAX_SECTION));
            g.writeStartObject();
            g.writeStringField("type", "section");
            g.writeObjectFieldStart("text");
            g.writeStringField("type", "mrkdwn");
            g.writeStringField("text", cut(section, MAX_SECTION));
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static String where(Map<String, Object> c) {
        String name = c.get("accountName") instanceof String n && !n.isBlank() ? " (" + n + ")" : "";
        return SafeText.chat(text(c, "account", "?") + name + " " + text(c, "region", "all regions"));
    }

    private static void context(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "context");
        g.writeArrayFieldStart("elements");
        g.writeStartObject();
        g.writeStringField("type", "mrkdwn");
        g.writeStringField("text", text);
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
    }

    /** @param over sessions of this message that are over (ended by the auditor or already): no command to end them */
    private static String describe(Map<String, Object> v, String region, Instant reference, Set<String> over) {
        boolean ended = Boolean.TRUE.equals(v.get("ended"));
        int reminder = number(v, "reminder", 0);
        StringBuilder b = new StringBuilder();
        b.append('*').append(SafeText.chat(text(v, "rule", "?"))).append("* `").append(code(v, "sessionId")).append('`');
        if (Boolean.TRUE.equals(v.get("followUp"))) {
            b.append(" _(update)_");
        } else if (ended) {
            b.append(" _(already ended)_");
        } else if (reminder > 0) {
            b.append(" _(reminder ").append(reminder).append(", still open)_");
        }
        if ("event".equals(v.get("detectedBy"))) {
            b.append(" _(at StartSession");
            if (v.get("sourceIPAddress") instanceof String) {
                b.append(", from `").append(code(v, "sourceIPAddress")).append('`');
            }
            b.append(")_");
        }
        String done = remediationWords(v, reference);
        if (done != null) {
            b.append(" — _").append(done).append('_');
        }
        b.append('\n').append(SafeText.chat(text(v, "detail", "")));
        b.append("\nOwner `").append(code(v, "owner")).append("` on `").append(code(v, "target")).append("` with `")
                .append(code(v, "documentName")).append('`');
        if (!ended && v.get("sessionId") instanceof String id && !over.contains(id)) {
            b.append("\nEnd it: `aws ssm terminate-session --session-id ").append(code(v, "sessionId"))
                    .append(region == null ? "" : " --region " + region).append('`');
        }
        return b.toString();
    }

    /**
     * The words Chatbot uses for the same remediation; null for a message from before remediation (no such fields)
     * or a violation its policy asks nothing for. An outcome this version does not know is shown by its id.
     */
    private static String remediationWords(Map<String, Object> v, Instant reference) {
        String id = text(v, "remediation", null);
        Remediation.Outcome outcome = Remediation.Outcome.fromId(id);
        if (id != null && outcome == null) {
            return "remediation: " + SafeText.chat(id);
        }
        Remediation r = new Remediation(outcome, instant(v.get("remediatedAt")), instant(v.get("terminateAt")),
                text(v, "remediationDetail", null), Boolean.TRUE.equals(v.get("followUp")));
        return RemediationWords.chat(r, reference);
    }

    /**
     * The sessions of this message that are over, whichever of their violations says so. Only this message's: the
     * forwarder sees one message at a time, so a session ended in the CRITICAL message can still be offered for ending
     * in the MEDIUM one (the email and Chatbot bodies, composed together, do not).
     */
    private static Set<String> over(List<?> violations) {
        Set<String> ids = new HashSet<>();
        for (Object o : violations) {
            Map<String, Object> v = JsonValues.object(o);
            Remediation.Outcome outcome = v == null ? null : Remediation.Outcome.fromId(text(v, "remediation", null));
            if (outcome != null && outcome.sessionOver() && v.get("sessionId") instanceof String id) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Null when absent or not an instant: the words then leave the time out rather than fail the post. */
    private static Instant instant(Object value) {
        if (!(value instanceof String s)) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String text(Map<String, Object> m, String field, String otherwise) {
        return m.get(field) instanceof String s ? s : otherwise;
    }

    private static int number(Map<String, Object> m, String field, int otherwise) {
        return m.get(field) instanceof Number n ? n.intValue() : otherwise;
    }

    private static String code(Map<String, Object> v, String field) {
        return v.get(field) instanceof String s ? SafeText.chat(s) : "unknown";
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
