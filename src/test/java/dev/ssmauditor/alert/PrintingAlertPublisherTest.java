package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.alert.Remediation.Outcome;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Dry runs and the terminal print what was done about each session, as text and as JSON. */
class PrintingAlertPublisherTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

    private static List<AlertMessage> messages() {
        Session s = Session.withId("dry-c").owner("arn:aws:iam::123456789012:user/c").target("i-0c")
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(Duration.ofMinutes(5)));
        Session t = Session.withId("term-a").owner("arn:aws:iam::123456789012:user/a").target("i-0a")
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(Duration.ofMinutes(5)));
        return new AlertComposer(new JsonFactory()).compose(new AuditFindings("123456789012", "eu-west-1", T, 2, 0, List.of(
                new Alert(new Violation(s, RuleId.UNEXPECTED_TARGET, Severity.CRITICAL, Duration.ofMinutes(5), "denied"), 0, false)
                        .withRemediation(Remediation.of(Outcome.WOULD_TERMINATE, null, null)),
                new Alert(new Violation(t, RuleId.UNEXPECTED_OWNER, Severity.HIGH, Duration.ofMinutes(5), "unknown owner"), 0, false)
                        .withRemediation(Remediation.of(Outcome.TERMINATED, Instant.parse("2026-11-30T12:03:05Z"), null)))));
    }

    private static String print(PrintingAlertPublisher.Format format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrintingAlertPublisher(new PrintStream(out, true, StandardCharsets.UTF_8), format).publish(messages());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void textShowsTheSubjectsEndedCountAndEachAction() {
        assertThat(print(PrintingAlertPublisher.Format.TEXT))
                .contains("Subject: SSM session audit: 1 CRITICAL violation in 123456789012 eu-west-1\n")
                .contains("Subject: SSM session audit: 1 HIGH violation, 1 session ended in 123456789012 eu-west-1\n")
                .contains("  Action:   Would be ended by the auditor (dry run: nothing was ended)\n")
                .contains("  Action:   Ended by the auditor at 12:03:05Z\n");
    }

    @Test
    void jsonShowsEachRemediation() throws Exception {
        List<String> lines = print(PrintingAlertPublisher.Format.JSON).lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode critical = json.readTree(lines.get(0));
        JsonNode high = json.readTree(lines.get(1));
        assertThat(critical.at("/violations/0/remediation").asText()).isEqualTo("would-terminate");
        assertThat(critical.get("sessionsEnded").asInt()).isZero();
        assertThat(high.at("/violations/0/remediation").asText()).isEqualTo("terminated");
        assertThat(high.at("/violations/0/remediatedAt").asText()).isEqualTo("2026-11-30T12:03:05Z");
        assertThat(high.get("sessionsEnded").asInt()).isEqualTo(1);
    }
}
