package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AlertComposerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String ACCOUNT = "123456789012";

    private final AlertComposer composer = new AlertComposer(new JsonFactory());

    private static Alert alert(String id, RuleId rule, Severity severity, Duration open, String detail) {
        Session s = Session.withId(id).owner("arn:aws:sts::123456789012:assumed-role/Admin/" + id).target("i-0abc" + id.length())
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(open))
                .reason("ticket OPS-" + id.length());
        return new Alert(new Violation(s, rule, severity, open, detail), 0, false);
    }

    private static AuditFindings findings(List<Alert> alerts) {
        return new AuditFindings(ACCOUNT, "eu-west-1", T, 1000, 3, alerts);
    }

    /** bob has been open too long (a reminder), mallory is on a denied host, trudy came and went (oldest first). */
    private List<AlertMessage> mixedRun() {
        Session bob = Session.withId("bob-0b").owner("arn:aws:sts::123456789012:assumed-role/Admin/bob-0b").target("i-0abc6")
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(Duration.ofMinutes(552)))
                .reason("ticket OPS-6");
        Violation longRunning = new Violation(bob, RuleId.LONG_RUNNING, Severity.MEDIUM, Duration.ofMinutes(552),
                "open 9h 12m; limit 8h", T.minus(Duration.ofMinutes(72)));
        Session mallory = new Session("mallory-0c", "i-0db1", "Connected", T.minus(Duration.ofMinutes(5)), null,
                "SSM-SessionManagerRunShell", "arn:aws:iam::123456789012:user/mallory", null, null, null);
        Violation denied = new Violation(mallory, RuleId.UNEXPECTED_TARGET, Severity.CRITICAL, Duration.ofMinutes(5),
                "target i-0db1 matches denied pattern i-0db*");
        Session trudy = new Session("trudy-0d", "i-0db2", "Terminated", T.minus(Duration.ofMinutes(4)),
                T.minus(Duration.ofMinutes(2)), "AWS-StartPortForwardingSession", "arn:aws:iam::123456789012:user/trudy",
                null, null, null);
        Violation came = new Violation(trudy, RuleId.UNEXPECTED_TARGET, Severity.CRITICAL, Duration.ofMinutes(2),
                "target i-0db2 matches denied pattern i-0db*");
        return composer.compose(findings(List.of(new Alert(longRunning, 1, false), new Alert(denied, 0, false),
                new Alert(came, 0, true))));
    }

    @Test
    void noAlertsNoMessages() {
        assertThat(composer.compose(findings(List.of()))).isEmpty();
    }

    @Test
    void oneMessagePerSeverityMostSevereFirst() {
        List<AlertMessage> messages = mixedRun();
        assertThat(messages).extracting(AlertMessage::severity).containsExactly(Severity.CRITICAL, Severity.MEDIUM);
        assertThat(messages).extracting(AlertMessage::subject).containsExactly(
                "SSM session audit: 2 CRITICAL violations in 123456789012 eu-west-1",
                "SSM session audit: 1 MEDIUM violation in 123456789012 eu-west-1");
        assertThat(MessageAttributes.of(messages.get(0))).hasSize(2);
        assertThat(MessageAttributes.of(messages.get(0)).get("severity")).containsExactly("String", "CRITICAL");
        assertThat(MessageAttributes.of(messages.get(0)).get("severityRank")).containsExactly("Number", "4");
        assertThat(MessageAttributes.of(messages.get(1)).get("severityRank")).containsExactly("Number", "2");
    }

    @Test
    void theEmailIsPlainTextWithWhatToDoNext() {
        List<AlertMessage> messages = mixedRun();
        assertThat(messages.get(0).emailBody()).isEqualTo("""
                SSM session audit: 2 CRITICAL violations in account 123456789012 (eu-west-1).
                Checked 1000 active sessions and 3 that ended since the last audit at 2026-11-30T12:00:00Z.
                This audit alerts 3 violations in all (2 CRITICAL, 1 MEDIUM), one message per severity.

                [CRITICAL] unexpected-target - session mallory-0c
                  target i-0db1 matches denied pattern i-0db*
                  Owner:    arn:aws:iam::123456789012:user/mallory
                  Target:   i-0db1
                  Document: SSM-SessionManagerRunShell
                  Status:   Connected, started 2026-11-30T11:55:00Z (open 5m)
                  End it:   aws ssm terminate-session --session-id mallory-0c --region eu-west-1

                [CRITICAL] unexpected-target - session trudy-0d (already ended)
                  target i-0db2 matches denied pattern i-0db*
                  Owner:    arn:aws:iam::123456789012:user/trudy
                  Target:   i-0db2
                  Document: AWS-StartPortForwardingSession
                  Status:   Terminated, started 2026-11-30T11:56:00Z, ended 2026-11-30T11:58:00Z (lasted 2m)
                  Review:   aws ssm describe-sessions --state History --filters key=SessionId,value=trudy-0d --region eu-west-1

                --\s
                Sent by ssm-session-auditor. Its README explains the rules, the limits and when alerts are sent.
                """);
        assertThat(messages.get(1).emailBody()).contains("""
                [MEDIUM] long-running - session bob-0b (reminder 1: still open)
                  open 9h 12m; limit 8h
                  Owner:    arn:aws:sts::123456789012:assumed-role/Admin/bob-0b
                  Target:   i-0abc6
                  Document: SSM-SessionManagerRunShell
                  Status:   Connected, started 2026-11-30T02:48:00Z (open 9h 12m)
                  Reason:   ticket OPS-6
                  End it:   aws ssm terminate-session --session-id bob-0b --region eu-west-1
                """);
    }

    @Test
    void theDefaultBodyCarriesEveryFieldAMachineNeeds() throws Exception {
        JsonNode body = JSON.readTree(mixedRun().get(1).defaultBody());

        assertThat(body.get("source").asText()).isEqualTo("ssm-session-auditor");
        assertThat(body.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(body.get("account").asText()).isEqualTo(ACCOUNT);
        assertThat(body.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(body.get("referenceTime").asText()).isEqualTo("2026-11-30T12:00:00Z");
        assertThat(body.get("sessionsChecked").asInt()).isEqualTo(1000);
        assertThat(body.get("endedSessionsChecked").asInt()).isEqualTo(3);
        assertThat(body.get("alertsInRun").asInt()).isEqualTo(3);
        assertThat(body.get("severity").asText()).isEqualTo("MEDIUM");
        assertThat(body.get("part").asInt()).isEqualTo(1);
        assertThat(body.get("parts").asInt()).isEqualTo(1);
        JsonNode only = body.get("violations").get(0);
        assertThat(only.get("sessionId").asText()).isEqualTo("bob-0b");
        assertThat(only.get("rule").asText()).isEqualTo("long-running");
        assertThat(only.get("severity").asText()).isEqualTo("MEDIUM");
        assertThat(only.get("owner").asText()).isEqualTo("arn:aws:sts::123456789012:assumed-role/Admin/bob-0b");
        assertThat(only.get("target").asText()).isEqualTo("i-0abc6");
        assertThat(only.get("documentName").asText()).isEqualTo("SSM-SessionManagerRunShell");
        assertThat(only.get("status").asText()).isEqualTo("Connected");
        assertThat(only.get("startDate").asText()).isEqualTo("2026-11-30T02:48:00Z");
        assertThat(only.get("endDate").isNull()).isTrue();
        assertThat(only.get("durationMinutes").asInt()).isEqualTo(552);
        assertThat(only.get("reason").asText()).isEqualTo("ticket OPS-6");
        assertThat(only.get("detail").asText()).isEqualTo("open 9h 12m; limit 8h");
        assertThat(only.get("violatingSince").asText()).isEqualTo("2026-11-30T10:48:00Z");
        assertThat(only.get("reminder").asInt()).isEqualTo(1);
        assertThat(only.get("ended").asBoolean()).isFalse();
    }

    @Test
    void theHttpsBodyIsAChatbotCustomNotification() throws Exception {
        JsonNode chat = JSON.readTree(mixedRun().get(0).chatBody());

        assertThat(chat.fieldNames()).toIterable().containsExactly("version", "source", "id", "content", "metadata");
        assertThat(chat.get("version").asText()).isEqualTo("1.0");
        assertThat(chat.get("source").asText()).isEqualTo("custom");
        assertThat(chat.get("id").asText()).isEqualTo("ssm-session-auditor-2026-11-30T12:00:00Z-CRITICAL-1");
        JsonNode content = chat.get("content");
        assertThat(content.fieldNames()).toIterable().containsExactly("textType", "title", "description", "nextSteps", "keywords");
        assertThat(content.get("textType").asText()).isEqualTo("client-markdown");
        assertThat(content.get("title").asText())
                .isEqualTo(":red_circle: 2 CRITICAL SSM session violations in 123456789012 (eu-west-1)")
                .hasSizeLessThanOrEqualTo(250);
        assertThat(content.get("description").asText()).isEqualTo(
                "• *unexpected-target* `mallory-0c` on `i-0db1` by `arn:aws:iam::123456789012:user/mallory`: "
                        + "target i-0db1 matches denied pattern i-0db*\n"
                        + "• *unexpected-target* _(already ended)_ `trudy-0d` on `i-0db2` by `arn:aws:iam::123456789012:user/trudy`: "
                        + "target i-0db2 matches denied pattern i-0db*");
        assertThat(content.get("nextSteps")).hasSize(1);
        assertThat(content.get("nextSteps").get(0).asText())
                .isEqualTo("End `mallory-0c`: `aws ssm terminate-session --session-id mallory-0c --region eu-west-1`");
        assertThat(content.get("keywords")).extracting(JsonNode::asText).containsExactly("CRITICAL", "unexpected-target");
        JsonNode metadata = chat.get("metadata");
        assertThat(metadata.fieldNames()).toIterable()
                .containsExactly("threadId", "summary", "eventType", "relatedResources", "additionalContext");
        assertThat(metadata.get("threadId").asText()).isEqualTo("ssm-audit-123456789012-eu-west-1-CRITICAL");
        assertThat(metadata.get("summary").asText()).isEqualTo("2 CRITICAL SSM session violations in 123456789012 (eu-west-1)");
        assertThat(metadata.get("eventType").asText()).isEqualTo("SsmSessionViolation");
        assertThat(metadata.get("relatedResources")).extracting(JsonNode::asText).containsExactly("i-0db1", "i-0db2");
        JsonNode context = metadata.get("additionalContext");
        assertThat(context.get("account").asText()).isEqualTo(ACCOUNT);
        assertThat(context.get("severity").asText()).isEqualTo("CRITICAL");
        context.fields().forEachRemaining(e -> assertThat(e.getValue().isTextual()).as("additionalContext is string to string").isTrue());
    }

    @Test
    void sessionFieldsCannotForgeChatMarkupOrEmailLines() throws Exception {
        Session s = new Session("eve-01", "i-0web<1>", "Connected", T.minus(Duration.ofMinutes(5)), null,
                "SSM-SessionManagerRunShell", "arn:aws:iam::123456789012:user/eve", "ok\u0007\u001b[2K\nFrom: security@corp\u202E",
                null, null);
        Violation v = new Violation(s, RuleId.UNEXPECTED_OWNER, Severity.HIGH, Duration.ofMinutes(5),
                "owner <!channel> <https://x|Approve> matches no allowed owner pattern");
        AlertMessage m = composer.compose(findings(List.of(new Alert(v, 0, false)))).get(0);

        String description = JSON.readTree(m.chatBody()).at("/content/description").asText();
        assertThat(description).contains("owner &lt;!channel&gt; &lt;https://x|Approve&gt; matches").contains("`i-0web&lt;1&gt;`")
                .doesNotContain("<!channel>").doesNotContain("<https");
        assertThat(m.emailBody()).contains("  Reason:   ok??[2K From: security@corp?\n")
                .doesNotContain("\u0007").doesNotContain("\u001b").doesNotContain("\u202E");
        assertThat(m.emailBody().lines().filter(l -> l.startsWith("From:"))).as("no forged line").isEmpty();
        assertThat(JSON.readTree(m.defaultBody()).at("/violations/0/reason").asText()).as("the JSON body keeps the raw value")
                .isEqualTo("ok\u0007\u001b[2K\nFrom: security@corp\u202E");
    }

    @Test
    void whenTheLedgerIsUnreachableEveryBodySaysTheAlertsMayRepeat() throws Exception {
        AlertMessage m = composer.compose(new AuditFindings(ACCOUNT, "eu-west-1", T, 10, 0,
                List.of(alert("s-1", RuleId.UNEXPECTED_OWNER, Severity.HIGH, Duration.ofMinutes(5), "x")), true)).get(0);
        assertThat(JSON.readTree(m.defaultBody()).get("mayRepeat").asBoolean()).isTrue();
        assertThat(m.emailBody()).contains("may repeat alerts already sent");
        assertThat(JSON.readTree(m.chatBody()).at("/content/description").asText()).contains("may repeat");
        AlertMessage normal = composer.compose(findings(List.of(alert("s-1", RuleId.UNEXPECTED_OWNER, Severity.HIGH,
                Duration.ofMinutes(5), "x")))).get(0);
        assertThat(JSON.readTree(normal.defaultBody()).get("mayRepeat").asBoolean()).isFalse();
        assertThat(normal.emailBody()).doesNotContain("may repeat");
    }

    @Test
    void aMessageAboutOneSessionThreadsUnderThatSession() throws Exception {
        JsonNode chat = JSON.readTree(mixedRun().get(1).chatBody());
        assertThat(chat.at("/metadata/threadId").asText()).isEqualTo("ssm-session-bob-0b");
        assertThat(chat.at("/content/description").asText()).contains("_(reminder 1, still open)_");
    }

    @Test
    void missingFieldsAreNullInJsonAndUnknownInText() throws Exception {
        Violation v = new Violation(new Session(null, null, null, null, null, null, null, null, null, null),
                RuleId.UNEXPECTED_OWNER, Severity.HIGH, null, "owner unknown");
        AlertMessage m = composer.compose(findings(List.of(new Alert(v, 0, false)))).get(0);
        JsonNode only = JSON.readTree(m.defaultBody()).get("violations").get(0);
        assertThat(only.get("sessionId").isNull()).isTrue();
        assertThat(only.get("durationMinutes").isNull()).isTrue();
        assertThat(only.get("violatingSince").isNull()).isTrue();
        assertThat(m.emailBody()).contains("session (unknown)").doesNotContain("terminate-session");
        assertThat(JSON.readTree(m.chatBody()).at("/content/nextSteps/0").asText()).startsWith("Review who started");
    }

    @Test
    void fiveHundredViolationsAreSplitWithinTheLimitsAndNoneIsDropped() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        Severity[] severities = Severity.values();
        for (int i = 0; i < 500; i++) {
            Session s = new Session("user" + i + "-" + "0".repeat(17), "i-" + "f".repeat(398), "Connected",
                    T.minusSeconds(60L * i), null, "SSM-SessionManagerRunShell",
                    "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUser_0123456789abcdef/user" + i,
                    "\"quoted\" reason with ünïcödé ✓ and a\nline break " + "x".repeat(200), "60", "Standard");
            alerts.add(new Alert(new Violation(s, RuleId.values()[i % 4], severities[i % 4], Duration.ofMinutes(i),
                    "detail " + i + " " + "y".repeat(150)), i % 3, i % 7 == 0));
        }

        List<AlertMessage> messages = composer.compose(findings(alerts));

        Set<String> seen = new HashSet<>();
        Severity previous = Severity.CRITICAL;
        for (AlertMessage m : messages) {
            assertThat(composer.publishSize(m)).isLessThanOrEqualTo(256 * 1024);
            assertThat(m.subject()).hasSizeLessThan(100).doesNotContain("\n");
            assertThat(m.severity()).isLessThanOrEqualTo(previous);
            previous = m.severity();
            JsonNode body = JSON.readTree(m.defaultBody());
            assertThat(body.get("alertsInRun").asInt()).isEqualTo(500);
            assertThat(body.get("violations")).hasSize(m.alertCount());
            if (m.parts() > 1) {
                assertThat(m.subject()).endsWith("[part " + m.part() + "/" + m.parts() + "]");
                assertThat(m.emailBody()).contains("This is part " + m.part() + " of " + m.parts() + " of the " + m.severity());
            }
            JsonNode chat = JSON.readTree(m.chatBody());
            assertThat(chat.at("/content/description").asText()).hasSizeLessThanOrEqualTo(8000);
            assertThat(chat.at("/content/title").asText()).hasSizeLessThanOrEqualTo(250);
            for (JsonNode v : body.get("violations")) {
                assertThat(v.get("severity").asText()).isEqualTo(m.severity().name());
                assertThat(seen.add(v.get("sessionId").asText() + v.get("rule").asText())).isTrue();
                assertThat(m.emailBody()).contains("session " + v.get("sessionId").asText());
            }
        }
        assertThat(seen).hasSize(500);
        // Split, but not needlessly: every part but the last of its severity is well filled.
        for (AlertMessage m : messages) {
            if (m.part() < m.parts()) {
                assertThat(composer.publishSize(m)).as("part %d/%d of %s", m.part(), m.parts(), m.severity())
                        .isGreaterThan(160 * 1024);
            }
        }
        assertThat(messages.stream().filter(m -> m.parts() > 1)).as("125 violations of 2 KB each do not fit one message")
                .isNotEmpty();
    }

    @Test
    void aSmallLimitForcesOneViolationPerPart() {
        AlertComposer tight = new AlertComposer(new JsonFactory(), 9_000);
        List<Alert> alerts = List.of(
                alert("a", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "d".repeat(2000)),
                alert("b", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "d".repeat(2000)),
                alert("c", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "d".repeat(2000)));
        List<AlertMessage> messages = tight.compose(findings(alerts));
        assertThat(messages).extracting(AlertMessage::alertCount).containsExactly(1, 1, 1);
        assertThat(messages).extracting(AlertMessage::part).containsExactly(1, 2, 3);
        assertThat(messages).allSatisfy(m -> assertThat(tight.publishSize(m)).isLessThanOrEqualTo(9_000));
    }

    @Test
    void theEnvelopeHasADefaultAnEmailAndAnHttpsBody() throws Exception {
        AlertMessage m = composer.compose(findings(List.of(
                alert("a", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "x")))).get(0);
        JsonNode envelope = JSON.readTree(composer.envelope().of(m));
        assertThat(envelope.fieldNames()).toIterable().containsExactly("default", "email", "https");
        assertThat(envelope.get("default").asText()).isEqualTo(m.defaultBody());
        assertThat(envelope.get("email").asText()).isEqualTo(m.emailBody());
        assertThat(envelope.get("https").asText()).isEqualTo(m.chatBody());
    }
}
