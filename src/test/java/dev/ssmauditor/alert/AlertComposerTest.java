package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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

    private static Violation violation(String id, RuleId rule, Severity severity, Duration open, String detail) {
        Session s = Session.withId(id).owner("arn:aws:sts::123456789012:assumed-role/Admin/" + id).target("i-0abc" + id.length())
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(open))
                .reason("ticket OPS-" + id.length());
        return new Violation(s, rule, severity, open, detail);
    }

    private static AuditFindings findings(List<Violation> violations) {
        return new AuditFindings(ACCOUNT, "eu-west-1", T, 1000, violations);
    }

    private int publishSize(AlertMessage m) {
        return composer.envelope().of(m).getBytes(StandardCharsets.UTF_8).length + m.subject().getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void noViolationsNoMessages() {
        assertThat(composer.compose(findings(List.of()))).isEmpty();
    }

    @Test
    void theEmailIsPlainTextMostSevereFirstWithTheCommandToEndEachSession() {
        Violation medium = violation("bob-0b", RuleId.LONG_RUNNING, Severity.MEDIUM, Duration.ofMinutes(552), "open 9h 12m; limit 8h");
        Session stranger = new Session("mallory-0c", "i-0db1", "Connected", T.minus(Duration.ofMinutes(5)), null,
                "SSM-SessionManagerRunShell", "arn:aws:iam::123456789012:user/mallory", null, null, null);
        Violation critical = new Violation(stranger, RuleId.UNEXPECTED_TARGET, Severity.CRITICAL, Duration.ofMinutes(5),
                "target i-0db1 matches denied pattern i-0db*");

        List<AlertMessage> messages = composer.compose(findings(List.of(medium, critical)));

        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).subject()).isEqualTo("SSM session audit: 2 violations (1 CRITICAL, 1 MEDIUM) in 123456789012 eu-west-1");
        assertThat(messages.get(0).emailBody()).isEqualTo("""
                SSM session audit found 2 violations in account 123456789012 (eu-west-1).
                Checked 1000 active sessions at 2026-11-30T12:00:00Z.

                [CRITICAL] unexpected-target - session mallory-0c
                  target i-0db1 matches denied pattern i-0db*
                  Owner:    arn:aws:iam::123456789012:user/mallory
                  Target:   i-0db1
                  Document: SSM-SessionManagerRunShell
                  Status:   Connected, started 2026-11-30T11:55:00Z (open 5m)
                  End it:   aws ssm terminate-session --session-id mallory-0c --region eu-west-1

                [MEDIUM] long-running - session bob-0b
                  open 9h 12m; limit 8h
                  Owner:    arn:aws:sts::123456789012:assumed-role/Admin/bob-0b
                  Target:   i-0abc6
                  Document: SSM-SessionManagerRunShell
                  Status:   Connected, started 2026-11-30T02:48:00Z (open 9h 12m)
                  Reason:   ticket OPS-6
                  End it:   aws ssm terminate-session --session-id bob-0b --region eu-west-1

                --\s
                Sent by ssm-session-auditor. The rules, limits and how to change them are in its README.
                """);
    }

    @Test
    void theDefaultBodyCarriesEveryFieldAMachineNeeds() throws Exception {
        Violation v = violation("bob-0b", RuleId.LONG_RUNNING, Severity.MEDIUM, Duration.ofMinutes(552), "open 9h 12m; limit 8h");

        JsonNode body = JSON.readTree(composer.compose(findings(List.of(v))).get(0).defaultBody());

        assertThat(body.get("source").asText()).isEqualTo("ssm-session-auditor");
        assertThat(body.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(body.get("account").asText()).isEqualTo(ACCOUNT);
        assertThat(body.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(body.get("referenceTime").asText()).isEqualTo("2026-11-30T12:00:00Z");
        assertThat(body.get("sessionsChecked").asInt()).isEqualTo(1000);
        assertThat(body.get("violationsTotal").asInt()).isEqualTo(1);
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
        assertThat(only.get("durationMinutes").asInt()).isEqualTo(552);
        assertThat(only.get("reason").asText()).isEqualTo("ticket OPS-6");
        assertThat(only.get("detail").asText()).isEqualTo("open 9h 12m; limit 8h");
    }

    @Test
    void missingFieldsAreNullInJsonAndUnknownInTheEmail() throws Exception {
        Violation v = new Violation(new Session(null, null, null, null, null, null, null, null, null, null),
                RuleId.UNEXPECTED_OWNER, Severity.HIGH, null, "owner unknown");
        AlertMessage m = composer.compose(findings(List.of(v))).get(0);
        JsonNode only = JSON.readTree(m.defaultBody()).get("violations").get(0);
        assertThat(only.get("sessionId").isNull()).isTrue();
        assertThat(only.get("durationMinutes").isNull()).isTrue();
        assertThat(m.emailBody()).contains("session (unknown)").doesNotContain("terminate-session");
    }

    @Test
    void fiveHundredViolationsAreSplitWithinTheLimitsAndNoneIsDropped() throws Exception {
        List<Violation> violations = new ArrayList<>();
        Severity[] severities = Severity.values();
        for (int i = 0; i < 500; i++) {
            Session s = new Session("user" + i + "-" + "0".repeat(17), "i-" + "f".repeat(398), "Connected",
                    T.minusSeconds(60L * i), null, "SSM-SessionManagerRunShell",
                    "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUser_0123456789abcdef/user" + i,
                    "\"quoted\" reason with ünïcödé and a\nline break " + "x".repeat(200), "60", "Standard");
            violations.add(new Violation(s, RuleId.values()[i % 4], severities[i % 4], Duration.ofMinutes(i),
                    "detail " + i + " " + "y".repeat(150)));
        }

        List<AlertMessage> messages = composer.compose(findings(violations));

        assertThat(messages.size()).isGreaterThan(1);
        Set<String> seen = new HashSet<>();
        Severity previous = Severity.CRITICAL;
        for (AlertMessage m : messages) {
            assertThat(publishSize(m)).isLessThanOrEqualTo(256 * 1024);
            assertThat(m.subject()).hasSizeLessThan(100).doesNotContain("\n").endsWith("[part " + m.part() + "/" + messages.size() + "]");
            assertThat(m.emailBody()).contains("This is part " + m.part() + " of " + messages.size());
            JsonNode body = JSON.readTree(m.defaultBody());
            assertThat(body.get("parts").asInt()).isEqualTo(messages.size());
            assertThat(body.get("violationsTotal").asInt()).isEqualTo(500);
            assertThat(body.get("violations")).hasSize(m.violationCount());
            for (JsonNode v : body.get("violations")) {
                Severity severity = Severity.valueOf(v.get("severity").asText());
                assertThat(severity).isLessThanOrEqualTo(previous);
                previous = severity;
                assertThat(seen.add(v.get("sessionId").asText() + v.get("rule").asText())).isTrue();
                assertThat(m.emailBody()).contains("session " + v.get("sessionId").asText() + "\n");
            }
        }
        assertThat(seen).hasSize(500);
    }

    @Test
    void aSmallLimitForcesOneViolationPerPart() {
        AlertComposer tight = new AlertComposer(new JsonFactory(), 5_000);
        List<Violation> violations = List.of(
                violation("a", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "d".repeat(900)),
                violation("b", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "d".repeat(900)),
                violation("c", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "d".repeat(900)));
        List<AlertMessage> messages = tight.compose(findings(violations));
        assertThat(messages).extracting(AlertMessage::violationCount).containsExactly(1, 1, 1);
        assertThat(messages).allSatisfy(m -> assertThat(composer.envelope().of(m).length()).isLessThanOrEqualTo(5_000));
    }

    @Test
    void theEnvelopeHasADefaultAndAnEmailBody() throws Exception {
        AlertMessage m = composer.compose(findings(List.of(
                violation("a", RuleId.LONG_RUNNING, Severity.LOW, Duration.ofHours(9), "x")))).get(0);
        JsonNode envelope = JSON.readTree(composer.envelope().of(m));
        assertThat(envelope.fieldNames()).toIterable().containsExactly("default", "email");
        assertThat(envelope.get("default").asText()).isEqualTo(m.defaultBody());
        assertThat(envelope.get("email").asText()).isEqualTo(m.emailBody());
    }
}
