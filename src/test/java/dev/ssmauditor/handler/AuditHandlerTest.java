package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.audit.AuditDeadlineException;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.config.ConfigException;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

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
        aws.ssm().setActive(List.of(
                FakeSsm.session("alice-01", "i-0aaa", SSO + "alice", "SSM-SessionManagerRunShell", EVENT_TIME.minusSeconds(600)),
                FakeSsm.session("mallory-02", "i-0bbb", "arn:aws:iam::123456789012:user/mallory", "SSM-SessionManagerRunShell",
                        EVENT_TIME.minusSeconds(300))));
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
        AuditHandler handler = handler(env());
        logBytes.reset(); // start-up lines belong to no request

        JsonNode summary = invoke(handler, Files.readAllBytes(EVENT), context);

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
        assertThat(logBytes.toString(StandardCharsets.UTF_8).lines()).as("every line carries the request id")
                .isNotEmpty().allSatisfy(line -> assertThat(line).contains("\"requestId\":\"0f0e0d0c-test\""));
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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty object            | {}                                                                  | the event has no time
            another event type      | {"Records":[{"eventSource":"aws:s3","eventTime":"2026-11-30T12:00:00Z"}]} | the event has no time
            time not a string       | {"time": 1764504000}                                               | the event's time is not a string
            time not a date         | {"time": "yesterday"}                                              | the event's time 'yesterday' is not an ISO-8601 date
            time without offset     | {"time": "2026-11-30T12:00:00"}                                    | is not an ISO-8601 date
            not JSON                | Scheduled Event at noon                                            | the event is not valid JSON
            a JSON array            | [1, 2]                                                             | the event is not a JSON object
            truncated JSON          | {"time": "2026-11-30T12:00:00Z", "detail": {                      | the event is not valid JSON
            """)
    void anyEventIsAuditedAtTheClockWhenItsTimeCannotBeRead(String name, String event, String reason) throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();

        JsonNode summary = invoke(handler(env()), event.getBytes(StandardCharsets.UTF_8), new FakeContext());

        assertThat(summary.get("referenceTime").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(summary.get("eventIgnored").asText()).contains(reason);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"level\":\"WARN\",\"message\":\"event time ignored");
    }

    @Test
    void anEventFromTheFutureIsNotTrusted() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        // the clock says 2026-12-01T00:00:00Z
        JsonNode near = invoke(handler(env()), "{\"time\":\"2026-12-01T00:04:00Z\"}".getBytes(StandardCharsets.UTF_8), new FakeContext());
        assertThat(near.get("referenceTime").asText()).as("within clock skew").isEqualTo("2026-12-01T00:04:00Z");
        JsonNode far = invoke(handler(env()), "{\"time\":\"2027-06-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8), new FakeContext());
        assertThat(far.get("referenceTime").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(far.get("eventIgnored").asText()).contains("is in the future");
    }

    @Test
    void aDryRunWritesNothingToTheLedger() throws Exception {
        twoSessionsOneStranger();
        JsonNode summary = invoke(handler(env("DRY_RUN", "true", "STATE_TABLE", dynamo.table())), Files.readAllBytes(EVENT),
                new FakeContext());
        assertThat(summary.get("alerted").asInt()).as("it says what it would alert").isEqualTo(1);
        assertThat(summary.get("sweepSaved").isNull()).isTrue();
        assertThat(dynamo.items()).isEmpty();
    }

    @Test
    void anEmptyEventIsAuditedAtTheClock() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        JsonNode summary = invoke(handler(env()), new byte[0], new FakeContext());
        assertThat(summary.get("eventIgnored").asText()).contains("not a JSON object");
    }

    @Test
    void anAuditThatCannotFinishInTimeFailsLoudlyAndPublishesNothing() {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(env());

        assertThatThrownBy(() -> invoke(handler, Files.readAllBytes(EVENT), new FakeContext(3_000)))
                .isInstanceOf(AuditDeadlineException.class)
                .hasMessageContaining("ms left before the function times out");
        assertThat(aws.sns().publishRequests()).isEmpty();
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"message\":\"audit failed\"")
                .contains("\"auditSucceeded\":0");
    }

    @Test
    void aSlowCallIsCutShortBeforeTheLambdaTimeoutSoTheRunStillSaysItFailed() throws Exception {
        // One call may take 20 s with its retries. Started with 8 s left, it would have been killed by the Lambda
        // timeout half-way, with no "audit failed" line: it is now given only the time left, less a margin.
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        aws.ssm().faults().set(0, 0, 0, 1.0, 10_000, false, java.util.Set.of("DescribeSessions"));
        AuditHandler handler = handler(env());
        FakeContext context = FakeContext.timingOutIn(8_000);

        assertThatThrownBy(() -> invoke(handler, Files.readAllBytes(EVENT), context))
                .hasMessageContaining("timeout");
        long leftAtTheEnd = context.getRemainingTimeInMillis();
        assertThat(leftAtTheEnd).as("the run ended before the invocation's time did").isPositive();
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"message\":\"audit failed\"");
        assertThat(aws.sns().publishRequests()).isEmpty();
    }

    @Test
    void eachRunLogsASummaryThatIsAlsoAMetricsRecord() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        invoke(handler(env("AWS_LAMBDA_FUNCTION_NAME", "auditor-fn")), Files.readAllBytes(EVENT), new FakeContext());

        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : logBytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(line));
        }
        JsonNode summary = lines.stream().filter(l -> l.path("message").asText().equals("audit complete")).findFirst().orElseThrow();
        assertThat(summary.get("Function").asText()).isEqualTo("auditor-fn");
        assertThat(summary.get("auditSucceeded").asInt()).isEqualTo(1);
        JsonNode directive = summary.at("/_aws/CloudWatchMetrics/0");
        assertThat(directive.get("Namespace").asText()).isEqualTo("SsmSessionAuditor");
        assertThat(directive.get("Dimensions").get(0)).extracting(JsonNode::asText).containsExactly("Function");
        for (JsonNode metric : directive.get("Metrics")) {
            assertThat(summary.has(metric.get("Name").asText())).as(metric.get("Name").asText()).isTrue();
        }
        assertThat(summary.at("/_aws/Timestamp").asLong()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.path("Rule").asText()).isEqualTo("unexpected-owner");
            assertThat(l.path("violations").asInt()).isEqualTo(1);
            assertThat(l.at("/_aws/CloudWatchMetrics/0/Dimensions/0")).extracting(JsonNode::asText).containsExactly("Function", "Rule");
        });
    }

    @Test
    void retriedCallsAreLogged() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        aws.ssm().faults().set(1.0, 0, 0, 0, 0, false, java.util.Set.of("DescribeSessions"));
        AuditHandler handler = new AuditHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
                new RetryPolicy(2, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2), java.time.Duration.ofMillis(1),
                        java.time.Duration.ofMillis(2), java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10)));

        assertThatThrownBy(() -> invoke(handler, Files.readAllBytes(EVENT), new FakeContext()));
        String logs = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("{\"level\":\"WARN\",\"message\":\"AWS call attempt failed\",\"requestId\":\"0f0e0d0c-test\",\"service\":\"Ssm\","
                        + "\"operation\":\"DescribeSessions\",\"attempt\":1,\"status\":400")
                .contains("{\"level\":\"WARN\",\"message\":\"retrying AWS call\",\"requestId\":\"0f0e0d0c-test\",\"service\":\"Ssm\","
                        + "\"operation\":\"DescribeSessions\",\"attempt\":2}")
                .contains("{\"level\":\"ERROR\",\"message\":\"AWS call failed\",\"requestId\":\"0f0e0d0c-test\",\"service\":\"Ssm\","
                        + "\"operation\":\"DescribeSessions\",\"attempt\":2,\"error\":\"ThrottlingException\"");
    }

    @Test
    void theLogLevelComesFromAwsLambdaLogLevel() throws Exception {
        twoSessionsOneStranger();
        aws.sns().acceptPublishes();
        invoke(handler(env("AWS_LAMBDA_LOG_LEVEL", "ERROR")), "{}".getBytes(StandardCharsets.UTF_8), new FakeContext());
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).doesNotContain("\"level\":\"INFO\"")
                .doesNotContain("\"level\":\"WARN\"");
    }

    @Test
    void primingForASnapshotRunsAWholeAuditWithoutCallingAws() {
        AuditHandler handler = handler(env("STATE_TABLE", dynamo.table()));

        handler.beforeCheckpoint(null);

        assertThat(aws.ssmServer().getAllServeEvents()).as("no call reached SSM").isEmpty();
        assertThat(aws.snsServer().getAllServeEvents()).as("no call reached SNS").isEmpty();
        assertThat(dynamo.items()).as("nothing reached the ledger").isEmpty();
        assertThat(handler.prime()).as("sweep record, active page, history page, one read and two claims, a HIGH and a "
                + "MEDIUM publish each with its mark, the sweep saved").isEqualTo(11);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"message\":\"primed for snapshot\",\"cannedCalls\":11");
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
