package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.config.ConfigException;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EVENT = Path.of("events/scheduled-event.json");
    private static final Instant EVENT_TIME = Instant.parse("2026-11-30T12:00:00Z");
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String SSO = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv()); // AWS_REGION and test credentials from surefire
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("ALLOWED_OWNERS", SSO + "*");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private AuditHandler handler(Map<String, String> env) {
        return new AuditHandler(env, new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock);
    }

    private JsonNode invoke(AuditHandler handler, byte[] event, FakeContext context) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, context);
        return JSON.readTree(out.toByteArray());
    }

    private void twoSessionsOneStranger() {
        aws.ssm().activeSessions(List.of(
                FakeSsm.session("alice-01", "i-0aaa", SSO + "alice", "SSM-SessionManagerRunShell", EVENT_TIME.minusSeconds(600)),
                FakeSsm.session("mallory-02", "i-0bbb", "arn:aws:iam::123456789012:user/mallory", "SSM-SessionManagerRunShell",
                        EVENT_TIME.minusSeconds(300))), 200);
    }

    @Test
    void sampleEventIsAScheduledEventWithTheReferenceTime() {
        ScheduledEvent event = EventLoader.loadScheduledEvent(EVENT.toString());
        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(event.getTime().toDate().toInstant()).isEqualTo(EVENT_TIME);
    }

    @Test
    void publishesExactlyTheViolatingSessionsJudgedAtTheEventTime() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        FakeContext context = new FakeContext();

        JsonNode summary = invoke(handler(env()), Files.readAllBytes(EVENT), context);

        assertThat(summary.get("referenceTime").asText()).isEqualTo("2026-11-30T12:00:00Z");
        assertThat(summary.get("sessionsChecked").asInt()).isEqualTo(2);
        assertThat(summary.get("violations").asInt()).isEqualTo(1);
        assertThat(summary.get("alertsPublished").asInt()).isEqualTo(1);
        assertThat(summary.has("eventIgnored")).isFalse();
        List<Map<String, String>> publishes = aws.sns().publishes();
        assertThat(publishes).hasSize(1);
        assertThat(publishes.get(0)).containsEntry("TopicArn", TOPIC).containsEntry("MessageStructure", "json");
        JsonNode envelope = JSON.readTree(publishes.get(0).get("Message"));
        JsonNode body = JSON.readTree(envelope.get("default").asText());
        assertThat(body.get("account").asText()).isEqualTo("123456789012");
        assertThat(body.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(body.get("violations")).hasSize(1);
        assertThat(body.get("violations").get(0).get("sessionId").asText()).isEqualTo("mallory-02");
        assertThat(body.get("violations").get(0).get("durationMinutes").asInt()).isEqualTo(5);
        assertThat(envelope.get("email").asText()).contains("mallory-02").doesNotContain("alice-01");
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"level\":\"INFO\",\"message\":\"audit complete\"");
    }

    @Test
    void dryRunPublishesNothingAndLogsTheAlert() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();

        JsonNode summary = invoke(handler(env("DRY_RUN", "true", "ALERT_TOPIC_ARN", "")), Files.readAllBytes(EVENT),
                new FakeContext());

        assertThat(summary.get("violations").asInt()).isEqualTo(1);
        assertThat(summary.get("alertsPublished").asInt()).isZero();
        assertThat(summary.get("dryRun").asBoolean()).isTrue();
        assertThat(aws.sns().publishRequests()).isEmpty();
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("mallory-02");
    }

    @Test
    void anEventWithoutTimeIsAuditedAtTheClockAndSaysSo() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(EVENT));
        event.remove("time");

        JsonNode summary = invoke(handler(env()), JSON.writeValueAsBytes(event), new FakeContext());

        assertThat(summary.get("referenceTime").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(summary.get("eventIgnored").asText()).contains("no time");
    }

    @Test
    void badConfigurationFailsAtStartUpNamingTheSetting() {
        assertThatThrownBy(() -> handler(env("MAX_SESSION_MINUTES", "-5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAX_SESSION_MINUTES");
    }

    @Test
    void aFailedPublishFailsTheInvocation() {
        twoSessionsOneStranger();
        aws.sns().failPublishes(500, "InternalError");
        AuditHandler handler = handler(env());

        assertThatThrownBy(() -> invoke(handler, Files.readAllBytes(EVENT), new FakeContext()))
                .hasMessageContaining("Status Code: 500").hasMessageContaining("SDK Attempt Count: 5");
        assertThat(aws.sns().publishRequests()).as("the SDK retried").hasSize(5);
    }
}
