package dev.ssmauditor.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    static String from(JsonNode alert, ObjectMapper mapper) {
        JsonNode violations = alert.path("violations");
        String severity = alert.path("severity").asText("UNKNOWN");
        int count = violations.size();
        String where = alert.path("account").isTextual()
                ? " in " + alert.path("account").asText() + " " + alert.path("region").asText("") : "";
        String headline = count + " " + severity + " SSM session " + (count == 1 ? "violation" : "violations") + where;

        ObjectNode message = mapper.createObjectNode();
        message.put("text", cut(headline, MAX_SECTION)); // notifications and clients that cannot show blocks
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(headline, MAX_HEADER)).put("emoji", true);
        ObjectNode context = blocks.addObject().put("type", "context");
        String part = alert.path("parts").asInt(1) > 1 ? " - part " + alert.path("part").asInt() + " of " + alert.path("parts").asInt() : "";
        context.putArray("elements").addObject().put("type", "mrkdwn").put("text", cut("Audit at " + alert.path("referenceTime").asText()
                + ", " + alert.path("sessionsChecked").asInt() + " active sessions checked" + part, MAX_SECTION));

        int room = MAX_BLOCKS - FIXED_BLOCKS;
        int shown = 0;
        for (JsonNode v : violations) {
            if (shown == room) {
                break;
            }
            ObjectNode section = blocks.addObject().put("type", "section");
            section.putObject("text").put("type", "mrkdwn").put("text", cut(describe(v, alert.path("region").asText(null)), MAX_SECTION));
            shown++;
        }
        if (shown < count) {
            blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                    .put("text", "...and " + (count - shown) + " more in this alert: see the email or the JSON message.");
        }
        return message.toString();
    }

    private static String describe(JsonNode v, String region) {
        StringBuilder b = new StringBuilder();
        b.append('*').append(v.path("rule").asText()).append("* `").append(code(v, "sessionId")).append('`');
        if (v.path("ended").asBoolean(false)) {
            b.append(" _(already ended)_");
        } else if (v.path("reminder").asInt(0) > 0) {
            b.append(" _(reminder ").append(v.path("reminder").asInt()).append(", still open)_");
        }
        b.append('\n').append(v.path("detail").asText());
        b.append("\nOwner `").append(code(v, "owner")).append("` on `").append(code(v, "target")).append("` with `")
                .append(code(v, "documentName")).append('`');
        if (!v.path("ended").asBoolean(false) && v.path("sessionId").isTextual()) {
            b.append("\nEnd it: `aws ssm terminate-session --session-id ").append(code(v, "sessionId"))
                    .append(region == null ? "" : " --region " + region).append('`');
        }
        return b.toString();
    }

    private static String code(JsonNode v, String field) {
        return v.path(field).isTextual() ? v.path(field).asText().replace('`', '\'') : "unknown";
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
