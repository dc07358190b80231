package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import dev.ssmauditor.testing.StartSessionEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The event path through the real SNS and DynamoDB clients, against a local SNS endpoint and dynalite: the sample
 * CloudTrail record and its variations (SSO role, IAM user, port forwarding, ECS Exec, another account), and every
 * event it must leave alone with one log line and no error.
 */
class StartSessionHandlerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    static final String PLATFORM_ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformAdmin_5f1c2d3e4a5b6c7d/";
    static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(1),
            Duration.ofMillis(5), Duration.ofSeconds(2), Duration.ofSeconds(4));
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T11:58:05Z"), ZoneOffset.UTC);

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    /** The policy of events/env.json: SSO platform admins and break-glass only, EC2 and hybrid nodes, no database host. */
    static Map<String, String> env(String table, String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("AWS_REGION", "eu-west-1");
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("STATE_TABLE", table);
        env.put("ALLOWED_OWNERS", PLATFORM_ADMIN.replace("5f1c2d3e4a5b6c7d/", "*/*") + ",arn:aws:sts::*:assumed-role/BreakGlass/*");
        env.put("ALLOWED_TARGETS", "i-*,mi-*");
        env.put("DENIED_TARGETS", "i-0db*");
        env.put("ALLOWED_DOCUMENTS", "SSM-SessionManagerRunShell,AWS-StartInteractiveCommand");
        env.put("POLICY", "{\"severities\":{\"unexpected-target\":\"CRITICAL\"}}");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private StartSessionHandler handler(String... pairs) {
        return new StartSessionHandler(env(dynamo.table(), pairs), new PrintStream(logBytes, true, StandardCharsets.UTF_8), CLOCK, FAST);
    }

    static JsonNode invoke(StartSessionHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new FakeContext());
        return JSON.readTree(out.toByteArray());
    }

    /** Every violation in every message SNS accepted, with the message's account and region. */
    static List<JsonNode> alerted(LocalAws aws) throws Exception {
        List<JsonNode> violations = new ArrayList<>();
        for (Map<String, String> p : aws.sns().delivered()) {
            JsonNode body = JSON.readTree(JSON.readTree(p.get("Message")).get("default").asText());
            for (JsonNode v : body.get("violations")) {
                ObjectNode copy = v.deepCopy();
                copy.put("account", body.get("account").asText());
                copy.put("region", body.get("region").asText());
                copy.put("mayRepeat", body.get("mayRepeat").asBoolean());
                violations.add(copy);
            }
        }
        return violations;
    }

    private List<JsonNode> logLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logBytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private Map<String, AttributeValue> item(String pk) {
        return dynamo.client().getItem(r -> r.tableName(dynamo.table()).key(Map.of("pk", AttributeValue.fromS(pk)))).item();
    }

    @Test
    void theSampleAlertsTheDatabaseHostAndThePortForwardOnceWithWhereTheCallCameFrom() throws Exception {
        StartSessionHandler handler = handler();
        JsonNode result = invoke(handler, StartSessionEvents.sample().bytes());

        assertThat(result.get("alerted").asInt()).isEqualTo(2);
        List<JsonNode> alerts = alerted(aws);
        assertThat(alerts).extracting(v -> v.get("rule").asText() + " " + v.get("severity").asText())
                .containsExactly("unexpected-target CRITICAL", "unexpected-document MEDIUM");
        assertThat(alerts).allSatisfy(v -> {
            assertThat(v.get("sessionId").asText()).isEqualTo("alice@example.com-0f3c9a7d2b1e4c5a6");
            assertThat(v.get("detectedBy").asText()).isEqualTo("event");
            assertThat(v.get("sourceIPAddress").asText()).isEqualTo("203.0.113.24");
            assertThat(v.get("userAgent").asText()).startsWith("aws-cli/2.22.4");
            assertThat(v.get("startDate").asText()).isEqualTo("2026-11-30T11:58:01Z");
            assertThat(v.get("reminder").asInt()).isZero();
            assertThat(v.get("account").asText()).isEqualTo("123456789012");
            assertThat(v.get("region").asText()).isEqualTo("eu-west-1");
            assertThat(v.get("mayRepeat").asBoolean()).isFalse();
        });
        String email = JSON.readTree(aws.sns().delivered().get(0).get("Message")).get("email").asText();
        assertThat(email).contains("Reported by the session's StartSession call")
                .contains("Seen:     its StartSession call, from 203.0.113.24 (aws-cli/2.22.4")
                .contains("Status:   starting");
        String chat = JSON.readTree(aws.sns().delivered().get(0).get("Message")).get("https").asText();
        assertThat(chat).contains("at StartSession, from `203.0.113.24`");

        // EventBridge delivers at least once: the same record again sends nothing.
        JsonNode again = invoke(handler, StartSessionEvents.sample().bytes());
        assertThat(again.get("alerted").asInt()).isZero();
        assertThat(aws.sns().delivered()).hasSize(2);
        // The event says all there is to know: no SSM call.
        assertThat(aws.ssm().describeSessionsRequests()).isEmpty();
        assertThat(item("started#123456789012#eu-west-1#alice@example.com-0f3c9a7d2b1e4c5a6")).containsKey("seenAt");
    }

    @Test
    void anSsoAdminOnAnAllowedHostIsNotAlertedButIsRecordedAsSeen() throws Exception {
        JsonNode result = invoke(handler(), StartSessionEvents.sample().target("i-0a1b2c3d4e5f60718").document(null)
                .sessionId("alice@example.com-0123456789abcdef0").bytes());
        assertThat(result.get("violations").asInt()).isZero();
        assertThat(aws.sns().publishRequests()).isEmpty();
        assertThat(item("started#123456789012#eu-west-1#alice@example.com-0123456789abcdef0")).isNotEmpty();
    }

    @Test
    void anIamUserIsAnUnexpectedOwner() throws Exception {
        invoke(handler(), StartSessionEvents.sample().owner("arn:aws:iam::123456789012:user/bob").target("i-0a1b2c3d4e5f60718")
                .document(null).sessionId("bob-0a1b2c3d4e5f60718").bytes());
        assertThat(alerted(aws)).singleElement().satisfies(v -> {
            assertThat(v.get("rule").asText()).isEqualTo("unexpected-owner");
            assertThat(v.get("severity").asText()).isEqualTo("HIGH");
            assertThat(v.get("owner").asText()).isEqualTo("arn:aws:iam::123456789012:user/bob");
            assertThat(v.get("documentName").asText()).isEqualTo("SSM-SessionManagerRunShell");
        });
    }

    @Test
    void aPortForwardToAnAllowedHostBreaksOnlyTheDocumentRule() throws Exception {
        invoke(handler(), StartSessionEvents.sample().target("i-0a1b2c3d4e5f60718").document("AWS-StartPortForwardingSession")
                .sessionId("alice@example.com-0aaaaaaaaaaaaaaaa").bytes());
        assertThat(alerted(aws)).singleElement().satisfies(v -> {
            assertThat(v.get("rule").asText()).isEqualTo("unexpected-document");
            assertThat(v.get("documentName").asText()).isEqualTo("AWS-StartPortForwardingSession");
        });
    }

    @Test
    void anEcsExecSessionIsJudgedByItsContainerTarget() throws Exception {
        String target = "ecs:payments_5f2a9c0e1b2d4e6f8a0b1c2d3e4f5a6b_5f2a9c0e1b2d4e6f8a0b1c2d3e4f5a6b-1234567890";
        invoke(handler(), StartSessionEvents.sample().sessionId("ecs-execute-command-0a1b2c3d4e5f60718").target(target)
                .document("AmazonECS-ExecuteInteractiveCommand").put("sourceIPAddress", "ecs.amazonaws.com")
                .put("userAgent", "ecs.amazonaws.com").bytes());
        assertThat(alerted(aws)).extracting(v -> v.get("rule").asText())
                .containsExactlyInAnyOrder("unexpected-target", "unexpected-document");
        assertThat(alerted(aws)).allSatisfy(v -> {
            assertThat(v.get("target").asText()).isEqualTo(target);
            assertThat(v.get("sessionId").asText()).isEqualTo("ecs-execute-command-0a1b2c3d4e5f60718");
            assertThat(v.get("sourceIPAddress").asText()).isEqualTo("ecs.amazonaws.com");
        });
    }

    @Test
    void theAccountAndRegionAreTheEventsSoOneFunctionServesACentralBus() throws Exception {
        invoke(handler(), StartSessionEvents.sample().account("210987654321").put("awsRegion", "ap-southeast-2").bytes());
        assertThat(alerted(aws)).isNotEmpty().allSatisfy(v -> {
            assertThat(v.get("account").asText()).isEqualTo("210987654321");
            assertThat(v.get("region").asText()).isEqualTo("ap-southeast-2");
        });
        assertThat(item("alert#210987654321#ap-southeast-2#alice@example.com-0f3c9a7d2b1e4c5a6#unexpected-target#0"))
                .containsEntry("status", AttributeValue.fromS("SENT"));
    }

    @Test
    void eventsItCannotUseGiveOneLogLineAndNoAlertNoErrorNoWrite() throws Exception {
        StartSessionEvents refused = StartSessionEvents.sample().put("errorCode", "AccessDenied")
                .put("errorMessage", "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ssm:StartSession");
        refused.detail().putNull("responseElements");
        StartSessionEvents noSessionId = StartSessionEvents.sample();
        ((ObjectNode) noSessionId.detail().get("responseElements")).remove("sessionId");
        Map<String, byte[]> events = Map.of(
                "refused", refused.bytes(),
                "resume", StartSessionEvents.sample().eventName("ResumeSession").bytes(),
                "foreign", ("{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                        + "\"account\":\"123456789012\",\"time\":\"2026-11-30T12:00:00Z\",\"region\":\"eu-west-1\",\"detail\":{}}")
                        .getBytes(StandardCharsets.UTF_8),
                "broken", "{\"source\":\"aws.ssm\",\"detail\":{\"eventName\":".getBytes(StandardCharsets.UTF_8),
                "empty", new byte[0],
                "noSessionId", noSessionId.bytes());
        StartSessionHandler handler = handler();
        for (Map.Entry<String, byte[]> e : events.entrySet()) {
            logBytes.reset();
            JsonNode result = invoke(handler, e.getValue());
            assertThat(result.get("message").asText()).as(e.getKey()).isEqualTo("event ignored");
            List<JsonNode> lines = logLines();
            assertThat(lines).as(e.getKey()).singleElement().satisfies(l -> {
                assertThat(l.get("message").asText()).isEqualTo("event ignored");
                assertThat(l.get("reason").asText()).isNotBlank();
                assertThat(l.get("eventsIgnored").asInt()).isEqualTo(1);
            });
        }
        assertThat(logLinesOf("refused", handler, refused.bytes()).get("errorCode").asText()).isEqualTo("AccessDenied");
        assertThat(aws.sns().publishRequests()).isEmpty();
        assertThat(dynamo.client().scan(r -> r.tableName(dynamo.table())).items()).isEmpty();
    }

    private JsonNode logLinesOf(String what, StartSessionHandler handler, byte[] event) throws Exception {
        logBytes.reset();
        invoke(handler, event);
        return logLines().get(0);
    }

    @Test
    void aTruncatedRecordIsSeenButLeftToTheSweepWithOneWarning() throws Exception {
        StartSessionEvents e = StartSessionEvents.sample();
        ((ObjectNode) e.detail().get("requestParameters")).remove("target");
        logBytes.reset();
        JsonNode result = invoke(handler(), e.bytes());
        assertThat(result.get("violations").asInt()).isZero();
        assertThat(logLines()).singleElement().satisfies(l -> {
            assertThat(l.get("level").asText()).isEqualTo("WARN");
            assertThat(l.get("message").asText()).isEqualTo("start session not judged");
            assertThat(l.get("notJudged").asText()).contains("requestParameters.target");
        });
        assertThat(aws.sns().publishRequests()).isEmpty();
        assertThat(item("started#123456789012#eu-west-1#alice@example.com-0f3c9a7d2b1e4c5a6")).isNotEmpty();
    }

    @Test
    void aPublishThatFailsFailsTheInvocationAndLeavesTheAlertToTheRetry() throws Exception {
        StartSessionHandler handler = handler();
        aws.sns().failPublishes(500, "InternalError");
        assertThatThrownBy(() -> invoke(handler, StartSessionEvents.sample().bytes())).isInstanceOf(RuntimeException.class);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"message\":\"start session check failed\"");
        aws.sns().acceptPublishes();
        invoke(handler, StartSessionEvents.sample().bytes()); // Lambda's retry
        assertThat(alerted(aws)).hasSize(2);
    }

    @Test
    void withoutTheLedgerTheAlertStillGoesOutSayingItMayRepeatAndTheInvocationSucceeds() throws Exception {
        StartSessionHandler handler = new StartSessionHandler(env("no-such-table"),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), CLOCK, FAST);
        JsonNode result = invoke(handler, StartSessionEvents.sample().bytes());
        assertThat(result.get("ledgerErrors").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(alerted(aws)).hasSize(2).allSatisfy(v -> assertThat(v.get("mayRepeat").asBoolean()).isTrue());
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("alert ledger unavailable; alerts published without it");
    }

    @Test
    void aDryRunPrintsAndWritesNothing() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        StartSessionHandler handler = new StartSessionHandler(env(dynamo.table(), "DRY_RUN", "true"),
                new PrintStream(printed, true, StandardCharsets.UTF_8), CLOCK, FAST);
        JsonNode result = invoke(handler, StartSessionEvents.sample().bytes());
        assertThat(result.get("alerted").asInt()).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("\"detectedBy\":\"event\"");
        assertThat(aws.sns().publishRequests()).isEmpty();
        assertThat(dynamo.client().scan(r -> r.tableName(dynamo.table())).items()).isEmpty();
    }

    @Test
    void aDryRunReadsTheLedgerSoItDoesNotPrintWhatWasSentAlready() throws Exception {
        invoke(handler(), StartSessionEvents.sample().bytes());
        assertThat(aws.sns().delivered()).hasSize(2);
        StartSessionHandler dry = new StartSessionHandler(env(dynamo.table(), "DRY_RUN", "true"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), CLOCK, FAST);
        assertThat(invoke(dry, StartSessionEvents.sample().bytes()).get("alerted").asInt()).isZero();
    }

    @Test
    void anAbsurdEventTimeNeverFailsTheInvocation() throws Exception {
        JsonNode result = invoke(handler(), StartSessionEvents.sample().put("eventTime", "+999999999-12-31T23:59:59Z").bytes());
        assertThat(result.get("alerted").asInt()).isEqualTo(2);
    }

    @Test
    void primingRunsTheWholeEventPathOnCannedCalls() {
        // A claim, its publish and its mark for the canned owner violation, then the sighting.
        assertThat(handler().prime()).isEqualTo(4);
        assertThat(aws.sns().publishRequests()).isEmpty();
    }
}
