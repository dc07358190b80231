package dev.ssmauditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command: the bundled snapshot and env file, no AWS account. */
class AuditCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

    private int run(Map<String, String> env, String... args) {
        return new AuditCli(env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                clock).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theDemoFindsTheBundledViolationsAndExitsOne() {
        int status = run(Map.of(), "--snapshot", "events/describe-sessions-active.json", "--env-file", "events/env.json",
                "--at", "2026-11-30T12:00:00Z");

        assertThat(status).isEqualTo(1);
        // The sample's story, told by its README section: who breaks which rule.
        assertThat(out()).contains("Subject: SSM session audit: 1 CRITICAL violation\n")
                .contains("Subject: SSM session audit: 2 HIGH violations\n")
                .contains("Subject: SSM session audit: 4 MEDIUM violations\n")
                .contains("This audit alerts 7 violations in all (1 CRITICAL, 2 HIGH, 4 MEDIUM)")
                .contains("[CRITICAL] unexpected-target - session erin-")
                .contains("[HIGH] unexpected-owner - session dave-")
                .contains("[HIGH] unexpected-owner - session deploy-bot-")
                .contains("[MEDIUM] long-running - session bob-")
                .contains("[MEDIUM] long-running - session carol-")
                .contains("[MEDIUM] unexpected-document - session frank-")
                .contains("[MEDIUM] unexpected-document - session deploy-bot-")
                .doesNotContain("session alice-").doesNotContain("session grace-").doesNotContain("session heidi-")
                .doesNotContain("session ivan-");
        assertThat(err()).contains("Checked 10 active sessions at 2026-11-30T12:00:00Z")
                .contains("7 violations in 3 alert messages");
    }

    @Test
    void jsonOutputIsTheDefaultBody() throws Exception {
        int status = run(Map.of(), "--snapshot", "events/describe-sessions-active.json", "--env-file", "events/env.json", "--json");
        assertThat(status).isEqualTo(1);
        List<JsonNode> bodies = new ArrayList<>();
        for (String line : out().split("\n")) {
            bodies.add(new ObjectMapper().readTree(line));
        }
        assertThat(bodies).extracting(b -> b.get("severity").asText()).containsExactly("CRITICAL", "HIGH", "MEDIUM");
        assertThat(bodies).extracting(b -> b.get("violations").size()).containsExactly(1, 2, 4);
        assertThat(bodies.get(0).get("referenceTime").asText()).as("the clock when --at is not given")
                .isEqualTo("2026-11-30T12:00:00Z");
    }

    @Test
    void noViolationsExitsZero(@TempDir Path dir) throws Exception {
        Path snapshot = dir.resolve("s.json");
        Files.writeString(snapshot, "{\"Sessions\": []}");
        assertThat(run(Map.of(), "--snapshot", snapshot.toString())).isZero();
        assertThat(err()).contains("Checked 0 active sessions").contains("0 violations in 0 alert messages");
    }

    @Test
    void badConfigurationExitsTwoNamingTheSetting() {
        assertThat(run(Map.of("MAX_SESSION_MINUTES", "soon"), "--snapshot", "events/describe-sessions-active.json")).isEqualTo(2);
        assertThat(err()).contains("MAX_SESSION_MINUTES: 'soon'");
    }

    @Test
    void badUsageExitsTwoWithTheUsage() {
        assertThat(run(Map.of(), "--snapshot")).isEqualTo(2);
        assertThat(err()).contains("--snapshot needs a value").contains("usage:");
        assertThat(run(Map.of(), "--at", "noon", "--snapshot", "x")).isEqualTo(2);
        assertThat(err()).contains("--at 'noon' is not an ISO-8601 time");
        assertThat(run(Map.of(), "--frobnicate")).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out()).contains("usage: ssm-session-auditor");
    }

    @Test
    void publishingNeedsATopic() {
        assertThat(run(Map.of(), "--snapshot", "events/describe-sessions-active.json", "--publish")).isEqualTo(2);
        assertThat(err()).contains("ALERT_TOPIC_ARN is not set");
    }
}
