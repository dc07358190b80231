package dev.ssmauditor.slack;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.alert.Remediation.Outcome;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Slack forwarder's Block Kit says what the auditor did, from the remediation fields of the JSON body. */
class BlockKitRemediationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXEMPT = "owner matches exempt pattern arn:aws:sts::*:assumed-role/BreakGlass/*";

    private static ObjectNode body(int sessionsEnded) {
        ObjectNode body = JSON.createObjectNode().put("source", "ssm-session-auditor").put("schemaVersion", 1)
                .put("account", "123456789012").put("region", "eu-west-1").put("referenceTime", "2026-11-30T12:00:00Z")
                .put("sessionsChecked", 20).put("severity", "HIGH").put("part", 1).put("parts", 1);
        if (sessionsEnded >= 0) {
            body.put("sessionsEnded", sessionsEnded);
        }
        body.putArray("violations");
        return body;
    }

    /** A violation as the JSON body has it; {@code remediation} and the times may be null. */
    private static void add(ObjectNode body, String id, String remediation, String at, String terminateAt, String detail,
                            boolean followUp) {
        ((ArrayNode) body.get("violations")).addObject().put("sessionId", id).put("rule", "unexpected-owner")
                .put("severity", "HIGH").put("owner", "arn:aws:iam::123456789012:user/" + id).put("target", "i-0" + id)
                .put("documentName", "SSM-SessionManagerRunShell").put("detail", "broken by " + id)
                .put("reminder", 0).put("ended", false).put("detectedBy", "sweep")
                .put("remediation", remediation).put("remediatedAt", at).put("terminateAt", terminateAt)
                .put("remediationDetail", detail).put("followUp", followUp);
    }

    private static JsonNode render(ObjectNode body) throws Exception {
        return JSON.readTree(BlockKitMessage.from(JsonValues.object(JsonValues.read(new JsonFactory(), JSON.writeValueAsString(body))),
                new JsonFactory()));
    }

    private static String section(JsonNode message, String sessionId) {
        for (JsonNode block : message.get("blocks")) {
            String text = block.path("text").path("text").asText();
            if ("section".equals(block.path("type").asText()) && text.contains("`" + sessionId + "`")) {
                return text;
            }
        }
        throw new AssertionError("no section for " + sessionId);
    }

    private static String firstLine(String section) {
        return section.lines().findFirst().orElseThrow();
    }

    @Test
    void eachSectionSaysWhatTheAuditorDid() throws Exception {
        ObjectNode body = body(2);
        add(body, "term-a", "terminated", "2026-11-30T12:03:05Z", null, null, false);
        add(body, "term-b", "terminated", "2026-12-01T00:00:01Z", null, null, false);
        add(body, "dry-c", "would-terminate", null, null, null, false);
        add(body, "exempt-d", "exempt", null, null, EXEMPT, false);
        add(body, "over-e", "already-ended", null, null, null, false);
        add(body, "fail-f", "terminate-failed", "2026-11-30T12:00:00Z", null, "AccessDenied", false);
        add(body, "wait-g", null, null, "2026-11-30T12:30:00Z", null, false);
        add(body, "plain-h", null, null, null, null, false);

        JsonNode message = render(body);

        assertThat(firstLine(section(message, "term-a"))).isEqualTo("*unexpected-owner* `term-a` — _ended by the auditor at 12:03:05Z_");
        assertThat(firstLine(section(message, "term-b")))
                .isEqualTo("*unexpected-owner* `term-b` — _ended by the auditor at 2026-12-01T00:00:01Z_");
        assertThat(firstLine(section(message, "dry-c"))).isEqualTo("*unexpected-owner* `dry-c` — _would be ended (dry run)_");
        assertThat(firstLine(section(message, "exempt-d"))).isEqualTo("*unexpected-owner* `exempt-d` — _exempt from termination_");
        assertThat(firstLine(section(message, "over-e"))).isEqualTo("*unexpected-owner* `over-e` — _already over_");
        assertThat(firstLine(section(message, "fail-f")))
                .isEqualTo("*unexpected-owner* `fail-f` — _could not be ended; retried next run_");
        assertThat(firstLine(section(message, "wait-g"))).isEqualTo("*unexpected-owner* `wait-g` — _ends at 12:30:00Z if still open_");
        assertThat(firstLine(section(message, "plain-h"))).isEqualTo("*unexpected-owner* `plain-h`");
    }

    @Test
    void theHeadlineCountsTheEndedSessions() throws Exception {
        ObjectNode body = body(1);
        add(body, "term-a", "terminated", "2026-11-30T12:03:05Z", null, null, false);
        add(body, "dry-c", "would-terminate", null, null, null, false);
        JsonNode message = render(body);
        assertThat(message.get("text").asText()).isEqualTo("2 HIGH SSM session violations, 1 ended in 123456789012 eu-west-1");
        assertThat(message.at("/blocks/0/text/text").asText()).isEqualTo("2 HIGH SSM session violations, 1 ended in 123456789012 eu-west-1");

        ObjectNode none = body(0);
        add(none, "dry-c", "would-terminate", null, null, null, false);
        assertThat(render(none).get("text").asText()).isEqualTo("1 HIGH SSM session violation in 123456789012 eu-west-1");
    }

    @Test
    void noEndItCommandForASessionThatIsOver() throws Exception {
        ObjectNode body = body(1);
        add(body, "term-a", "terminated", "2026-11-30T12:03:05Z", null, null, false);
        add(body, "over-e", "already-ended", null, null, null, false);
        add(body, "fail-f", "terminate-failed", "2026-11-30T12:00:00Z", null, "AccessDenied", false);
        add(body, "dry-c", "would-terminate", null, null, null, false);
        // The same session under another rule, whose policy asks nothing: it is over all the same.
        add(body, "term-a", null, null, null, null, false);

        JsonNode message = render(body);

        assertThat(section(message, "term-a")).isEqualTo("""
                *unexpected-owner* `term-a` — _ended by the auditor at 12:03:05Z_
                broken by term-a
                Owner `arn:aws:iam::123456789012:user/term-a` on `i-0term-a` with `SSM-SessionManagerRunShell`""");
        assertThat(message.at("/blocks/6/text/text").asText()).startsWith("*unexpected-owner* `term-a`\n")
                .doesNotContain("terminate-session");
        assertThat(section(message, "over-e")).doesNotContain("terminate-session");
        assertThat(section(message, "fail-f")).endsWith("\nEnd it: `aws ssm terminate-session --session-id fail-f --region eu-west-1`");
        assertThat(section(message, "dry-c")).endsWith("\nEnd it: `aws ssm terminate-session --session-id dry-c --region eu-west-1`");
    }

    @Test
    void aFollowUpIsMarkedAsAnUpdate() throws Exception {
        ObjectNode body = body(1);
        add(body, "follow-i", "terminated", "2026-11-30T12:03:05Z", null, null, true);
        ((ObjectNode) body.get("violations").get(0)).put("reminder", 3);
        assertThat(firstLine(section(render(body), "follow-i")))
                .isEqualTo("*unexpected-owner* `follow-i` _(update)_ — _ended by the auditor at 12:03:05Z_");
    }

    @Test
    void aMessageFromBeforeRemediationRendersAsBefore() throws Exception {
        String old = "{\"source\":\"ssm-session-auditor\",\"schemaVersion\":1,\"account\":\"123456789012\",\"region\":\"eu-west-1\","
                + "\"referenceTime\":\"2026-11-30T12:00:00Z\",\"sessionsChecked\":10,\"severity\":\"HIGH\",\"part\":1,\"parts\":1,"
                + "\"violations\":[{\"sessionId\":\"s-1\",\"rule\":\"unexpected-owner\",\"owner\":\"o\",\"target\":\"i-1\","
                + "\"documentName\":\"d\",\"detail\":\"x\",\"reminder\":1,\"ended\":false}]}";
        JsonNode message = JSON.readTree(BlockKitMessage.from(JsonValues.object(JsonValues.read(new JsonFactory(), old)), new JsonFactory()));
        assertThat(message.get("text").asText()).isEqualTo("1 HIGH SSM session violation in 123456789012 eu-west-1");
        assertThat(message.at("/blocks/2/text/text").asText()).isEqualTo("""
                *unexpected-owner* `s-1` _(reminder 1, still open)_
                x
                Owner `o` on `i-1` with `d`
                End it: `aws ssm terminate-session --session-id s-1 --region eu-west-1`""");
    }

    @Test
    void anOutcomeThisVersionDoesNotKnowIsShownByItsIdAndABadTimeIsLeftOut() throws Exception {
        ObjectNode body = body(1);
        add(body, "new-x", "quarantined<!here>", null, null, null, false);
        add(body, "term-a", "terminated", "not a time", null, null, false);
        JsonNode message = render(body);
        assertThat(section(message, "new-x")).startsWith("*unexpected-owner* `new-x` — _remediation: quarantined&lt;!here&gt;_")
                .contains("End it: `aws ssm terminate-session --session-id new-x");
        assertThat(firstLine(section(message, "term-a"))).isEqualTo("*unexpected-owner* `term-a` — _ended by the auditor_");
    }

    @Test
    void theAuditorsOwnJsonBodyRendersWithItsRemediations() throws Exception {
        Instant t = Instant.parse("2026-11-30T12:00:00Z");
        Session ended = Session.withId("term-a").owner("arn:aws:iam::123456789012:user/a").target("i-0a")
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(t.minus(Duration.ofMinutes(5)));
        Session grace = Session.withId("wait-g").owner("arn:aws:iam::123456789012:user/g").target("i-0g")
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(t.minus(Duration.ofHours(9)));
        List<Alert> alerts = List.of(
                new Alert(new Violation(ended, RuleId.UNEXPECTED_TARGET, Severity.HIGH, Duration.ofMinutes(5), "denied"), 0, false)
                        .withRemediation(Remediation.of(Outcome.TERMINATED, Instant.parse("2026-11-30T12:03:05Z"), null)),
                new Alert(new Violation(grace, RuleId.LONG_RUNNING, Severity.HIGH, Duration.ofHours(9), "open 9h; limit 8h"), 0, false)
                        .withRemediation(Remediation.pending(Instant.parse("2026-11-30T12:30:00Z"))));
        String defaultBody = new AlertComposer(new JsonFactory()).compose(
                new AuditFindings("123456789012", "eu-west-1", t, 20, 0, alerts)).get(0).defaultBody();

        JsonNode message = JSON.readTree(BlockKitMessage.from(JsonValues.object(JsonValues.read(new JsonFactory(), defaultBody)),
                new JsonFactory()));

        assertThat(message.get("text").asText()).isEqualTo("2 HIGH SSM session violations, 1 ended in 123456789012 eu-west-1");
        assertThat(section(message, "term-a")).startsWith("*unexpected-target* `term-a` — _ended by the auditor at 12:03:05Z_")
                .doesNotContain("terminate-session");
        assertThat(section(message, "wait-g")).startsWith("*long-running* `wait-g` — _ends at 12:30:00Z if still open_")
                .contains("End it: `aws ssm terminate-session --session-id wait-g --region eu-west-1`");
    }
}
