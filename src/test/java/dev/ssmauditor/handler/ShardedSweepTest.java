package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSqs;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.FakeSts;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sharded sweep through the real SDK clients: the scheduled function queues one message per account (local SQS),
 * the worker audits a batch of them and reports per message what must come back.
 */
class ShardedSweepTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The shard worker's retries, and its pause before it tries a failed account again, kept short. */
    private static final RetryPolicy FAST = StartSessionHandlerTest.FAST;
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String SSO = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";
    private static final List<String> MEMBERS = List.of("222222222222", "333333333333", "444444444444");
    private static final String ROLELESS = "333333333333";

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private final FakeSts sts = new FakeSts();
    private final FakeSqs sqs = new FakeSqs();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    private String queueUrl;

    @BeforeEach
    void start() {
        System.setProperty("aws.endpointUrlSts", serve(sts));
        String sqsUrl = serve(sqs);
        System.setProperty("aws.endpointUrlSqs", sqsUrl);
        queueUrl = sqsUrl + "/123456789012/ssm-audit-shards";
        for (String m : MEMBERS) {
            if (!m.equals(ROLELESS)) {
                sts.allow("arn:aws:iam::" + m + ":role/ssm-session-auditor-member");
            }
            aws.ssm().setActive(FakeSts.accessKeyOf(m), "eu-west-1", List.of(
                    FakeSsm.session("mallory-" + m, "i-0bbb", "arn:aws:iam::" + m + ":user/mallory", "SSM-SessionManagerRunShell",
                            T.minusSeconds(300))));
        }
        aws.sns().acceptPublishes();
    }

    private static String serve(dev.ssmauditor.testing.FakeEndpoint fake) {
        return fake.open().baseUrl();
    }

    @AfterEach
    void stop() {
        System.clearProperty("aws.endpointUrlSts");
        System.clearProperty("aws.endpointUrlSqs");
        sts.close();
        sqs.close();
    }

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("ALLOWED_OWNERS", SSO + "*");
        env.put("STATE_TABLE", dynamo.table());
        env.put("AUDIT_ACCOUNTS", String.join(",", MEMBERS));
        env.put("SHARD_MAX_RECEIVES", "3");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private JsonNode invoke(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new FakeContext());
        return JSON.readTree(out.toByteArray());
    }

    private static byte[] batch(List<String> bodies, int receives) throws Exception {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < bodies.size(); i++) {
            ObjectNode r = records.addObject();
            r.put("messageId", "m-" + i);
            r.put("body", bodies.get(i));
            r.putObject("attributes").put("ApproximateReceiveCount", Integer.toString(receives));
            r.put("eventSource", "aws:sqs");
        }
        return JSON.writeValueAsBytes(event);
    }

    private List<JsonNode> published() throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (Map<String, String> p : aws.sns().publishes()) {
            bodies.add(JSON.readTree(JSON.readTree(p.get("Message")).get("default").asText()));
        }
        return bodies;
    }

    @Test
    void theScheduledRunQueuesOneMessagePerAccountAndTheWorkerRetriesOnlyTheFailingOne() throws Exception {
        JsonNode queued = invoke(new AuditHandler(env("SHARD_QUEUE_URL", queueUrl),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock), Files.readAllBytes(Path.of("events/scheduled-event.json")));
        assertThat(queued.get("accountsQueued").asInt()).isEqualTo(3);
        assertThat(aws.sns().publishRequests()).isEmpty();
        List<String> bodies = sqs.bodies();
        assertThat(bodies).hasSize(3).allSatisfy(b -> assertThat(JSON.readTree(b).get("referenceTime").asText()).isEqualTo(T.toString()));
        assertThat(bodies.stream().map(b -> b.replaceAll(".*\"account\":\"(\\d+)\".*", "$1")).toList())
                .containsExactlyInAnyOrderElementsOf(MEMBERS);

        ShardWorkerHandler worker = new ShardWorkerHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
                FAST, null);
        List<String> ordered = new ArrayList<>(bodies);
        ordered.sort(null);
        String rolelessId = "m-" + ordered.indexOf(ordered.stream().filter(b -> b.contains(ROLELESS)).findFirst().orElseThrow());

        JsonNode first = invoke(worker, batch(ordered, 1));
        assertThat(first.get("batchItemFailures")).singleElement()
                .satisfies(f -> assertThat(f.get("itemIdentifier").asText()).isEqualTo(rolelessId));
        assertThat(logBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"shard complete\"")))
                .singleElement().satisfies(l -> assertThat(l).contains("\"auditSucceeded\":1", "\"coverageGaps\":1",
                        "\"accountRegionsAudited\":2", "\"alerted\":2"));
        // The gap is alerted at once, as one invocation would, not after the retries (half an hour apart each).
        List<JsonNode> after = published();
        assertThat(after).hasSize(3);
        assertThat(after.stream().filter(b -> !b.has("type"))).hasSize(2);
        assertThat(after.stream().filter(b -> b.has("type")).toList()).singleElement().satisfies(c ->
                assertThat(c.get("gaps")).singleElement().satisfies(g -> {
                    assertThat(g.get("account").asText()).isEqualTo(ROLELESS);
                    assertThat(g.get("region").asText()).isEqualTo("eu-west-1");
                }));

        // SQS gives back the failing message alone, until its last receive; the gap is not alerted again.
        String roleless = ordered.stream().filter(b -> b.contains(ROLELESS)).findFirst().orElseThrow();
        assertThat(invoke(worker, batch(List.of(roleless), 2)).get("batchItemFailures")).hasSize(1);
        assertThat(invoke(worker, batch(List.of(roleless), 3)).get("batchItemFailures")).isEmpty();
        assertThat(published()).hasSize(3);
        // A batch of the roleless account alone is a gap already alerted, not a failing worker; counted on its first receive.
        assertThat(logBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"shard complete\"")).toList())
                .hasSize(3).last().satisfies(l -> assertThat(l).contains("\"auditSucceeded\":1", "\"coverageGaps\":0"));

        // A redelivered batch alerts nothing twice.
        invoke(worker, batch(ordered, 1));
        assertThat(published()).hasSize(3);
    }

    @Test
    void theWorkerEndsSessionsAndCountsWhatItCouldNotEndForItsAlarm() throws Exception {
        invoke(new AuditHandler(env("SHARD_QUEUE_URL", queueUrl), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock),
                Files.readAllBytes(Path.of("events/scheduled-event.json")));
        List<String> bodies = new ArrayList<>(sqs.bodies());
        bodies.removeIf(b -> b.contains(ROLELESS));
        ShardWorkerHandler worker = new ShardWorkerHandler(env("TERMINATE_RULES", "unexpected-owner"),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST, null);

        invoke(worker, batch(List.of(bodies.get(0)), 1));
        aws.ssm().denyTerminate(true);
        invoke(worker, batch(List.of(bodies.get(1)), 1));

        assertThat(aws.ssm().terminatedSessions()).hasSize(1);
        List<JsonNode> lines = new ArrayList<>();
        for (String l : logBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"shard complete\"")).toList()) {
            lines.add(JSON.readTree(l));
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("sessionsTerminated").asInt()).isEqualTo(1);
        assertThat(lines.get(1).get("terminationsFailed").asInt()).isEqualTo(1);
        // The alarm reads the metric: it must be declared in the line's Embedded Metric Format directive.
        assertThat(lines.get(1).get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").findValuesAsText("Name"))
                .contains("terminationsFailed", "sessionsTerminated");
    }

    @Test
    void snsFailingIsTheHubsFailureNotAnAccountsGap() throws Exception {
        aws.sns().failPublishes(500, "InternalError");
        ShardWorkerHandler worker = new ShardWorkerHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
                FAST, null);
        String body = "{\"v\":1,\"account\":\"222222222222\",\"referenceTime\":\"" + T + "\"}";

        JsonNode last = invoke(worker, batch(List.of(body), 3));

        // Given back even on its last receive, so that it reaches the dead-letter queue; no gap is opened.
        assertThat(last.get("batchItemFailures")).hasSize(1);
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("\"message\":\"shard failed\"", "AlertDeliveryException");
        assertThat(log.lines().filter(l -> l.contains("\"shard complete\""))).singleElement()
                .satisfies(l -> assertThat(l).contains("\"auditSucceeded\":0", "\"coverageGaps\":0"));
        aws.sns().acceptPublishes();
        assertThat(dynamo.items().keySet()).noneMatch(k -> k.startsWith("gap#"));
    }

    @Test
    void twoMessagesForOneAccountStandOrFallTogether() throws Exception {
        ShardWorkerHandler worker = new ShardWorkerHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
                FAST, null);
        String body = "{\"v\":1,\"account\":\"" + ROLELESS + "\",\"referenceTime\":\"" + T + "\"}";
        JsonNode result = invoke(worker, batch(List.of(body, body), 1));
        assertThat(result.get("batchItemFailures")).extracting(f -> f.get("itemIdentifier").asText()).containsExactly("m-0", "m-1");
    }

    @Test
    void anUnreadableMessageIsReportedFailedAndTheOthersAreAudited() throws Exception {
        ShardWorkerHandler worker = new ShardWorkerHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
                FAST, null);
        JsonNode result = invoke(worker, batch(List.of("{\"account\":\"12\"}",
                "{\"v\":1,\"account\":\"222222222222\",\"referenceTime\":\"" + T + "\"}"), 1));
        assertThat(result.get("batchItemFailures")).singleElement()
                .satisfies(f -> assertThat(f.get("itemIdentifier").asText()).isEqualTo("m-0"));
        assertThat(published()).hasSize(1);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("shard message unreadable", "no 12-digit");
    }

    @Test
    void aMessageSqsRefusesFailsTheScheduledRunNamingTheAccount() {
        sqs.refuse("444444444444");
        AuditHandler coordinator = new AuditHandler(env("SHARD_QUEUE_URL", queueUrl),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock);
        assertThatThrownBy(() -> invoke(coordinator, Files.readAllBytes(Path.of("events/scheduled-event.json"))))
                .hasMessageContaining("1 of 3 accounts not queued").hasMessageContaining("444444444444");
        assertThat(sqs.bodies()).hasSize(2);
    }
}
