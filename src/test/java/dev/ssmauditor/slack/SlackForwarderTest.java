package dev.ssmauditor.slack;

import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.testing.FakeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The forwarder against a local HTTP server standing in for a Slack incoming webhook. */
class SlackForwarderTest {

    private static final Path EVENT = Path.of("src/test/resources/events/sns-alert.json");
    private static final String HOOK = "/services/T000/B000/XXXXSECRETXXXX";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer slack = new WireMockServer(options().dynamicPort());
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        slack.start();
    }

    @AfterEach
    void stop() {
        slack.stop();
    }

    private SlackForwarderHandler forwarder() {
        JsonLog log = new JsonLog(new PrintStream(logs, true, StandardCharsets.UTF_8), LogLevel.INFO, new JsonFactory());
        return new SlackForwarderHandler(new SlackWebhook(URI.create(slack.baseUrl() + HOOK), HttpClient.newHttpClient(), log), log);
    }

    private void invoke(byte[] event) throws Exception {
        invoke(forwarder(), event);
    }

    private static void invoke(SlackForwarderHandler forwarder, byte[] event) throws Exception {
        try (InputStream in = new ByteArrayInputStream(event)) {
            forwarder.handleRequest(in, new ByteArrayOutputStream(), new FakeContext());
        }
    }

    private String logs() {
        return logs.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSampleIsAnSnsEvent() {
        SNSEvent event = EventLoader.loadSNSEvent(EVENT.toString());
        assertThat(event.getRecords()).singleElement().satisfies(r ->
                assertThat(r.getSNS().getMessageAttributes().get("severity").getValue()).isEqualTo("CRITICAL"));
    }

    @Test
    void postsTheAlertAsBlockKit() throws Exception {
        slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200).withBody("ok")));

        invoke(Files.readAllBytes(EVENT));

        assertThat(slack.findAll(postRequestedFor(urlEqualTo(HOOK)))).singleElement().satisfies(r -> {
            assertThat(r.getHeader("Content-Type")).startsWith("application/json");
            JsonNode message = JSON.readTree(r.getBodyAsString());
            assertThat(message.get("text").asText()).isEqualTo("2 CRITICAL SSM session violations in 123456789012 eu-west-1");
            JsonNode blocks = message.get("blocks");
            assertThat(blocks).hasSize(4);
            assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
            assertThat(blocks.get(0).at("/text/type").asText()).isEqualTo("plain_text");
            assertThat(blocks.get(1).get("type").asText()).isEqualTo("context");
            assertThat(blocks.get(2).at("/text/text").asText()).isEqualTo("""
                    *unexpected-target* `erin-0aa11bb22cc33dd44`
                    target i-0db5e6f7a8b9c0002 matches denied pattern i-0db*
                    Owner `arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformAdmin_3f2a1b0c9d8e7f6a/erin` \
                    on `i-0db5e6f7a8b9c0002` with `SSM-SessionManagerRunShell`
                    End it: `aws ssm terminate-session --session-id erin-0aa11bb22cc33dd44 --region eu-west-1`""");
            assertThat(blocks.get(3).at("/text/text").asText()).startsWith("*unexpected-target* `trudy-0d` _(already ended)_")
                    .doesNotContain("terminate-session");
        });
        assertThat(logs()).contains("\"message\":\"forwarded to Slack\",\"requestId\":\"0f0e0d0c-test\",\"messages\":1")
                .doesNotContain("XXXXSECRETXXXX");
    }

    @Test
    void aClientErrorIsLoggedWithSlacksBodyAndFailsTheInvocation() {
        slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(400).withBody("invalid_payload")));

        assertThatThrownBy(() -> invoke(Files.readAllBytes(EVENT))).hasMessageContaining("400").hasMessageContaining("invalid_payload");
        assertThat(logs()).contains("\"level\":\"ERROR\",\"message\":\"Slack rejected the alert\",\"requestId\":\"0f0e0d0c-test\",\"status\":400,\"slackSays\":\"invalid_payload\"")
                .doesNotContain("XXXXSECRETXXXX");
    }

    @Test
    void aServerErrorFailsTheInvocationSoSnsRetries() {
        slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(503).withBody("upstream")));
        assertThatThrownBy(() -> invoke(Files.readAllBytes(EVENT))).hasMessageContaining("503");
        assertThat(logs()).contains("\"level\":\"WARN\"");
    }

    @Test
    void rateLimitingFailsTheInvocationAndRecordsRetryAfter() {
        slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        assertThatThrownBy(() -> invoke(Files.readAllBytes(EVENT))).hasMessageContaining("429");
        assertThat(logs()).contains("\"retryAfterSeconds\":\"30\"");
    }

    @Test
    void anUnreachableWebhookFailsTheInvocation() throws Exception {
        SlackForwarderHandler forwarder = forwarder();
        slack.stop();
        assertThatThrownBy(() -> invoke(forwarder, Files.readAllBytes(EVENT))).hasMessageContaining("unreachable");
    }

    @Test
    void messagesThatAreNeitherAlertsNorAlarmsAreSkipped() throws Exception {
        String other = "{\"Records\":[{\"Sns\":{\"MessageId\":\"m-1\",\"Message\":\"{\\\"hello\\\":\\\"x\\\"}\"}}]}";
        invoke(other.getBytes(StandardCharsets.UTF_8));
        assertThat(slack.getAllServeEvents()).isEmpty();
        assertThat(logs()).contains("not an ssm-session-auditor alert");
    }

    @Test
    void theAuditorsAlarmsArePostedSoThatASlackOnlyTeamHearsOfThem() throws Exception {
        // With the forwarder as the only subscriber, an alarm skipped here would reach nobody.
        slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200).withBody("ok")));
        String alarm = JSON.writeValueAsString(Map.of("AlarmName", "ssm-auditor-LedgerErrorsAlarm-1A2B",
                "AlarmDescription", "ssm-session-auditor could not use its alert ledger", "NewStateValue", "ALARM",
                "NewStateReason", "Threshold Crossed: 1 datapoint [1.0] was >= 1.0", "AWSAccountId", "123456789012",
                "Region", "EU (Ireland)", "StateChangeTime", "2026-11-30T12:05:00.000+0000"));
        String event = JSON.writeValueAsString(Map.of("Records", List.of(Map.of("Sns", Map.of("MessageId", "m-2", "Message", alarm)))));

        invoke(event.getBytes(StandardCharsets.UTF_8));

        assertThat(slack.findAll(postRequestedFor(urlEqualTo(HOOK)))).singleElement().satisfies(r -> {
            JsonNode message = JSON.readTree(r.getBodyAsString());
            assertThat(message.get("text").asText()).isEqualTo(":rotating_light: ALARM: ssm-auditor-LedgerErrorsAlarm-1A2B");
            assertThat(message.at("/blocks/2/text/text").asText()).contains("could not use its alert ledger")
                    .contains("Threshold Crossed: 1 datapoint [1.0] was &gt;= 1.0");
        });
    }

    @Test
    void aCoverageAlertIsPostedAsTheGapsAndRecoveriesItLists() throws Exception {
        slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200).withBody("ok")));
        String coverage = new dev.ssmauditor.alert.CoverageAlertComposer(new JsonFactory()).compose(
                List.of(new dev.ssmauditor.alert.CoverageChange("333333333333", "Payments", "eu-west-1", "sts:AssumeRole refused",
                        java.time.Instant.parse("2026-11-30T12:00:00Z"))),
                List.of(new dev.ssmauditor.alert.CoverageChange("444444444444", null, "us-east-1", null, null)),
                java.time.Instant.parse("2026-11-30T12:00:00Z"), false).get(0).defaultBody();
        String event = JSON.writeValueAsString(Map.of("Records", List.of(Map.of("Sns", Map.of("MessageId", "m-3", "Message", coverage)))));

        invoke(event.getBytes(StandardCharsets.UTF_8));

        assertThat(slack.findAll(postRequestedFor(urlEqualTo(HOOK)))).singleElement().satisfies(r -> {
            JsonNode message = JSON.readTree(r.getBodyAsString());
            assertThat(message.get("text").asText()).isEqualTo(
                    ":warning: Coverage gap: 1 account-region not audited; :white_check_mark: 1 audited again");
            assertThat(message.at("/blocks/2/text/text").asText())
                    .contains("*not audited* `333333333333 (Payments) eu-west-1`: sts:AssumeRole refused")
                    .contains("*audited again* `444444444444 us-east-1`");
        });
    }

    @Test
    void chatMarkupInSessionFieldsIsEscaped() throws Exception {
        String alert = "{\"source\":\"ssm-session-auditor\",\"severity\":\"HIGH\",\"violations\":[{\"sessionId\":\"s-1\","
                + "\"rule\":\"unexpected-owner\",\"owner\":\"<!here>\",\"target\":\"i-0`x\","
                + "\"detail\":\"<!channel> <https://x|Approve> & more\"}]}";
        JsonNode message = JSON.readTree(BlockKitMessage.from(JsonValues.object(JsonValues.read(new JsonFactory(), alert)),
                new JsonFactory()));
        String section = message.at("/blocks/2/text/text").asText();
        assertThat(section).contains("&lt;!channel&gt; &lt;https://x|Approve&gt; &amp; more").contains("`&lt;!here&gt;`")
                .contains("`i-0'x`").doesNotContain("<!").doesNotContain("<https");
    }

    @Test
    void aLargeAlertStaysWithinSlackLimits() throws Exception {
        StringBuilder violations = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            violations.append(i == 0 ? "" : ",").append("{\"sessionId\":\"s").append(i)
                    .append("\",\"rule\":\"long-running\",\"detail\":\"").append("d".repeat(4000)).append("\"}");
        }
        String alert = "{\"source\":\"ssm-session-auditor\",\"severity\":\"LOW\",\"violations\":[" + violations + "]}";
        JsonNode message = JSON.readTree(BlockKitMessage.from(JsonValues.object(JsonValues.read(new JsonFactory(), alert)),
                new JsonFactory()));
        assertThat(message.get("blocks")).hasSize(50);
        message.get("blocks").forEach(b -> assertThat(b.path("text").path("text").asText()).hasSizeLessThanOrEqualTo(3000));
        assertThat(message.get("blocks").get(49).at("/elements/0/text").asText()).startsWith("...and 73 more");
    }
}
