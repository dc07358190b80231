package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.Faults;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import dev.ssmauditor.testing.MutableClock;
import dev.ssmauditor.testing.StartSessionEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.ssmauditor.handler.StartSessionHandlerTest.FAST;
import static dev.ssmauditor.handler.StartSessionHandlerTest.JSON;
import static dev.ssmauditor.handler.StartSessionHandlerTest.PLATFORM_ADMIN;
import static dev.ssmauditor.handler.StartSessionHandlerTest.alerted;
import static dev.ssmauditor.handler.StartSessionHandlerTest.invoke;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opt-in termination through the real SDK clients against the local SSM endpoint (TerminateSession, DescribeSessions
 * filtered by SessionId), SNS and dynalite: exactly the sessions that should end are ended, once, whichever path comes
 * first; the exempt and compliant ones are never touched; and every alert says what became of its session.
 */
class TerminationTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String ADMIN = PLATFORM_ADMIN + "alice@example.com";

    // One session per rule of the policy in StartSessionHandlerTest.env (events/env.json's), and one compliant.
    private static final String COMPLIANT = "alice-00000000000000001";
    private static final String LONG = "alice-00000000000000002";
    private static final String STRANGER = "contractor-00000000000003";
    private static final String DATABASE = "alice-00000000000000004";
    private static final String TUNNEL = "alice-00000000000000005";
    private static final String BREAK_GLASS = "bob-000000000000000006";

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final MutableClock clock = new MutableClock(T.plusSeconds(5));

    private Map<String, String> env(String... pairs) {
        return StartSessionHandlerTest.env(dynamo.table(), pairs);
    }

    private AuditHandler sweep(String... env) {
        return new AuditHandler(env(env), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
    }

    private StartSessionHandler eventFunction(String... env) {
        return new StartSessionHandler(env(env), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
    }

    private static JsonNode sweepAt(AuditHandler sweep, Instant t) throws Exception {
        String event = "{\"version\":\"0\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                + "\"account\":\"123456789012\",\"time\":\"" + t + "\",\"region\":\"eu-west-1\",\"detail\":{}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sweep.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new FakeContext());
        return JSON.readTree(out.toByteArray());
    }

    private static ObjectNode session(String id, String owner, String target, String document, Instant start) {
        return FakeSsm.session(id, target, owner, document, start);
    }

    private static List<ObjectNode> everyKind() {
        return List.of(
                session(COMPLIANT, ADMIN, "i-0a1b2c3d4e5f00001", "SSM-SessionManagerRunShell", T.minusSeconds(3600)),
                session(LONG, ADMIN, "i-0a1b2c3d4e5f00002", "SSM-SessionManagerRunShell", T.minus(Duration.ofHours(9))),
                session(STRANGER, "arn:aws:iam::123456789012:user/contractor", "i-0a1b2c3d4e5f00003", "SSM-SessionManagerRunShell",
                        T.minusSeconds(3600)),
                session(DATABASE, ADMIN, "i-0db1b2c3d4e5f0004", "SSM-SessionManagerRunShell", T.minusSeconds(3600)),
                session(TUNNEL, ADMIN, "i-0a1b2c3d4e5f00005", "AWS-StartPortForwardingSession", T.minusSeconds(3600)),
                session(BREAK_GLASS, "arn:aws:sts::123456789012:assumed-role/BreakGlass/bob", "i-0db1b2c3d4e5f0006",
                        "SSM-SessionManagerRunShell", T.minusSeconds(3600)));
    }

    /** A compliant session, and one to a denied database host. */
    private static List<ObjectNode> oneToEnd() {
        return List.of(everyKind().get(0), everyKind().get(3));
    }

    /** The alerted violations of one session, in the order SNS accepted them. */
    private List<JsonNode> alertsOf(String sessionId) throws Exception {
        return alerted(aws).stream().filter(v -> v.get("sessionId").asText().equals(sessionId)).toList();
    }

    private static String remediation(JsonNode violation) {
        return violation.get("remediation").isNull() ? null : violation.get("remediation").asText();
    }

    @ParameterizedTest
    @CsvSource({"long-running, " + LONG, "unexpected-owner, " + STRANGER, "unexpected-target, " + DATABASE + " " + BREAK_GLASS,
            "unexpected-document, " + TUNNEL})
    void eachRuleEndsOnlyTheSessionsThatBreakIt(String rule, String breakers) throws Exception {
        aws.ssm().setActive(everyKind());
        List<String> ended = List.of(breakers.split(" "));

        JsonNode run = sweepAt(sweep("TERMINATE_RULES", rule), T);

        Map<String, Integer> once = new java.util.TreeMap<>();
        ended.forEach(id -> once.put(id, 1));
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(once);
        assertThat(aws.ssm().terminateCalls(COMPLIANT)).isZero();
        assertThat(run.get("sessionsTerminated").asInt()).isEqualTo(ended.size());
        assertThat(alerted(aws)).as("one violation per session but the compliant one").hasSize(5);
        for (JsonNode v : alerted(aws)) {
            boolean isEnded = ended.contains(v.get("sessionId").asText());
            assertThat(remediation(v)).as(v.get("sessionId").asText() + " " + v.get("rule").asText())
                    .isEqualTo(isEnded ? "terminated" : null);
            if (isEnded) {
                assertThat(v.get("rule").asText()).isEqualTo(rule);
            }
        }
    }

    @Test
    void withoutTerminateRulesNothingIsEndedAndEveryRemediationIsNull() throws Exception {
        aws.ssm().setActive(everyKind());

        JsonNode run = sweepAt(sweep(), T);

        assertThat(aws.ssm().terminatedSessions()).isEmpty();
        assertThat(run.get("sessionsTerminated").asInt()).isZero();
        assertThat(alerted(aws)).isNotEmpty().allSatisfy(v -> {
            assertThat(v.has("remediation")).isTrue();
            assertThat(v.get("remediation").isNull()).isTrue();
        });
    }

    @Test
    void aLongRunningSessionIsAlertedFirstAndEndedOnlyOnceItsGraceHasPassed() throws Exception {
        Instant start = T.minus(Duration.ofHours(8)).minus(Duration.ofMinutes(10)); // over its 8 h limit since 11:50
        aws.ssm().setActive(List.of(session(LONG, ADMIN, "i-0a1b2c3d4e5f00002", "SSM-SessionManagerRunShell", start)));
        String[] env = {"TERMINATE_RULES", "long-running", "TERMINATE_GRACE_MINUTES", "30"};
        Instant graceEnds = start.plus(Duration.ofHours(8)).plus(Duration.ofMinutes(30));

        sweepAt(sweep(env), T);
        clock.set(T.plus(Duration.ofMinutes(15)).plusSeconds(5));
        sweepAt(sweep(env), T.plus(Duration.ofMinutes(15)));
        assertThat(aws.ssm().terminateCalls(LONG)).as("within its grace").isZero();
        List<JsonNode> first = alertsOf(LONG);
        assertThat(first).hasSize(1);
        assertThat(remediation(first.get(0))).isNull();
        assertThat(Instant.parse(first.get(0).get("terminateAt").asText())).isBetween(graceEnds, graceEnds.plusSeconds(1));

        clock.set(T.plus(Duration.ofMinutes(25)).plusSeconds(5));
        JsonNode run = sweepAt(sweep(env), T.plus(Duration.ofMinutes(25)));
        clock.set(T.plus(Duration.ofMinutes(30)).plusSeconds(5));
        sweepAt(sweep(env), T.plus(Duration.ofMinutes(30)));

        assertThat(run.get("sessionsTerminated").asInt()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(LONG, 1));
        List<JsonNode> all = alertsOf(LONG);
        assertThat(all).hasSize(2);
        assertThat(remediation(all.get(1))).isEqualTo("terminated");
        assertThat(all.get(1).get("followUp").asBoolean()).isTrue();
        assertThat(Instant.parse(all.get(1).get("remediatedAt").asText())).isEqualTo(T.plus(Duration.ofMinutes(25)).plusSeconds(5));
    }

    @Test
    void exemptOwnersAndTargetsAreNeverEndedAndTheAlertSaysSo() throws Exception {
        List<ObjectNode> sessions = new ArrayList<>(everyKind());
        sessions.add(session("alice-0000000000000007", ADMIN, "i-0dbreplica0000007", "SSM-SessionManagerRunShell",
                T.minusSeconds(600)));
        aws.ssm().setActive(sessions);

        sweepAt(sweep("TERMINATE_RULES", "unexpected-target", "POLICY", "{\"remediation\":{"
                + "\"exemptOwners\":[\"arn:aws:sts::*:assumed-role/BreakGlass/*\"],\"exemptTargets\":[\"i-0DBREPLICA*\"]}}"), T);

        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(DATABASE, 1));
        assertThat(aws.ssm().terminateCalls(BREAK_GLASS)).isZero();
        assertThat(alertsOf(BREAK_GLASS)).singleElement().satisfies(v -> {
            assertThat(remediation(v)).isEqualTo("exempt");
            assertThat(v.get("remediationDetail").asText()).contains("BreakGlass");
        });
        assertThat(alertsOf("alice-0000000000000007")).singleElement().satisfies(v -> assertThat(remediation(v)).isEqualTo("exempt"));
    }

    @Test
    void aDryRunEndsNothingAndSaysWhatItWouldHaveEnded() throws Exception {
        aws.ssm().setActive(everyKind());

        JsonNode run = sweepAt(sweep("DRY_RUN", "true", "TERMINATE_RULES", "unexpected-target,unexpected-owner"), T);

        assertThat(aws.ssm().terminatedSessions()).isEmpty();
        assertThat(aws.ssm().terminateCalls(DATABASE) + aws.ssm().terminateCalls(STRANGER)).isZero();
        assertThat(aws.sns().delivered()).isEmpty();
        assertThat(run.get("sessionsWouldTerminate").asInt()).isEqualTo(3);
        Map<String, String> printed = new java.util.TreeMap<>();
        for (String line : logBytes.toString(StandardCharsets.UTF_8).lines().toList()) {
            if (line.startsWith("{\"source\":\"ssm-session-auditor\"")) {
                JSON.readTree(line).get("violations").forEach(v -> printed.put(v.get("sessionId").asText() + " " + v.get("rule").asText(),
                        String.valueOf(remediation(v))));
            }
        }
        assertThat(printed).containsEntry(DATABASE + " unexpected-target", "would-terminate")
                .containsEntry(STRANGER + " unexpected-owner", "would-terminate")
                .containsEntry(BREAK_GLASS + " unexpected-target", "would-terminate")
                .containsEntry(TUNNEL + " unexpected-document", "null");
    }

    @Test
    void aSessionOverByTheTimeTheAuditorComesToEndItIsReportedAlreadyEnded() throws Exception {
        ObjectNode listed = session(DATABASE, ADMIN, "i-0db1b2c3d4e5f0004", "SSM-SessionManagerRunShell", T.minusSeconds(3600));
        aws.ssm().page(null, List.of(listed), null); // the sweep's listing still shows it...
        aws.ssm().setHistory(List.of(FakeSsm.ended(listed, T.plusSeconds(2)))); // ...but it ended just after

        JsonNode run = sweepAt(sweep("TERMINATE_RULES", "unexpected-target"), T);

        assertThat(aws.ssm().terminateCalls(DATABASE)).isZero();
        assertThat(run.get("sessionsAlreadyEnded").asInt()).isEqualTo(1);
        assertThat(alertsOf(DATABASE)).singleElement().satisfies(v -> {
            assertThat(remediation(v)).isEqualTo("already-ended");
            assertThat(Instant.parse(v.get("remediatedAt").asText())).isEqualTo(T.plusSeconds(2));
        });
    }

    @Test
    void aThrottledTerminateSessionIsRetriedByTheSdkWithinTheRun() throws Exception {
        aws.ssm().setActive(oneToEnd());
        aws.ssm().faults().next("TerminateSession", Faults.Kind.THROTTLE);

        sweepAt(sweep("TERMINATE_RULES", "unexpected-target"), T);

        assertThat(aws.ssm().faults().injected()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(DATABASE, 1));
        assertThat(alertsOf(DATABASE)).singleElement().satisfies(v -> assertThat(remediation(v)).isEqualTo("terminated"));
    }

    @Test
    void aFailedTerminationIsAlertedAndRetriedByTheNextRunOnceItsLeaseHasPassed() throws Exception {
        aws.ssm().setActive(oneToEnd());
        // Every attempt the SDK makes in the first run fails: throttled, then a 500.
        aws.ssm().faults().next("TerminateSession", Faults.Kind.THROTTLE, Faults.Kind.SERVER_ERROR);
        String[] env = {"TERMINATE_RULES", "unexpected-target"};

        JsonNode first = sweepAt(sweep(env), T);
        assertThat(first.get("terminationsFailed").asInt()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).isEmpty();
        assertThat(alertsOf(DATABASE)).singleElement().satisfies(v -> {
            assertThat(remediation(v)).isEqualTo("terminate-failed");
            assertThat(v.get("remediationDetail").asText()).contains("InternalServerError");
        });

        // Within the failed attempt's lease (the first invocation's end), another run leaves it alone.
        clock.set(T.plusSeconds(35));
        sweepAt(sweep(env), T.plusSeconds(30));
        assertThat(aws.ssm().terminateCalls(DATABASE)).isZero();

        clock.set(T.plus(Duration.ofMinutes(5)).plusSeconds(5));
        JsonNode retry = sweepAt(sweep(env), T.plus(Duration.ofMinutes(5)));
        clock.set(T.plus(Duration.ofMinutes(10)).plusSeconds(5));
        sweepAt(sweep(env), T.plus(Duration.ofMinutes(10)));

        assertThat(retry.get("sessionsTerminated").asInt()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(DATABASE, 1));
        assertThat(aws.ssm().terminateCalls(DATABASE)).isEqualTo(1);
        List<JsonNode> alerts = alertsOf(DATABASE);
        assertThat(alerts).extracting(TerminationTest::remediation).containsExactly("terminate-failed", "terminated");
        assertThat(alerts.get(1).get("followUp").asBoolean()).isTrue();
    }

    @ParameterizedTest(name = "Lambda retries within the lease: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aSessionEndedByARunWhosePublishFailedIsReportedTerminatedOnceByTheNextRunNotAlreadyEnded(boolean retriedWithinTheLease)
            throws Exception {
        aws.ssm().setActive(oneToEnd());
        aws.sns().faults().set(0, 0, 0, 0, 0, true, java.util.Set.of());
        String[] env = {"TERMINATE_RULES", "unexpected-target"};

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sweepAt(sweep(env), T)).as("SNS is down: the run fails");
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(DATABASE, 1));
        assertThat(alertsOf(DATABASE)).isEmpty();

        aws.sns().faults().none();
        if (retriedWithinTheLease) {
            clock.set(T.plusSeconds(40)); // Lambda retries the same scheduled event
            sweepAt(sweep(env), T);
        }
        clock.set(T.plus(Duration.ofMinutes(5)).plusSeconds(5));
        sweepAt(sweep(env), T.plus(Duration.ofMinutes(5)));
        clock.set(T.plus(Duration.ofMinutes(10)).plusSeconds(5));
        sweepAt(sweep(env), T.plus(Duration.ofMinutes(10)));

        assertThat(aws.ssm().terminateCalls(DATABASE)).isEqualTo(1);
        assertThat(alertsOf(DATABASE)).singleElement().satisfies(v -> {
            assertThat(remediation(v)).isEqualTo("terminated");
            assertThat(v.get("ended").asBoolean()).isTrue();
            assertThat(Instant.parse(v.get("remediatedAt").asText())).isEqualTo(T.plusSeconds(5));
        });
    }

    @Test
    void aRefusedTerminationNamesThePermissionAndIsNotReportedAgainUntilItSucceeds() throws Exception {
        aws.ssm().setActive(oneToEnd());
        aws.ssm().denyTerminate(true);
        String[] env = {"TERMINATE_RULES", "unexpected-target"};

        sweepAt(sweep(env), T);
        clock.set(T.plus(Duration.ofMinutes(5)).plusSeconds(5));
        JsonNode second = sweepAt(sweep(env), T.plus(Duration.ofMinutes(5)));

        assertThat(second.get("terminationsFailed").asInt()).isEqualTo(1);
        assertThat(alertsOf(DATABASE)).singleElement().satisfies(v -> {
            assertThat(remediation(v)).isEqualTo("terminate-failed");
            assertThat(v.get("remediationDetail").asText()).contains("AccessDeniedException").contains("ssm:TerminateSession");
        });
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"message\":\"termination failed\"");
    }

    @Test
    void theEventPathEndsASessionToADeniedTargetWithinItsInvocation() throws Exception {
        String alice = "alice@example.com-0f3c9a7d2b1e4c5a6";
        Instant started = Instant.parse("2026-11-30T11:58:01Z");
        aws.ssm().setActive(List.of(session(alice, ADMIN, "i-0db5e1a2b3c4d5e6f", "AWS-StartPortForwardingSession", started)));
        clock.set(started.plusSeconds(4));

        JsonNode out = invoke(eventFunction("TERMINATE_RULES", "unexpected-target"), StartSessionEvents.sample().bytes());

        assertThat(out.get("sessionsTerminated").asInt()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(alice, 1));
        assertThat(alertsOf(alice)).extracting(v -> v.get("rule").asText() + " " + remediation(v) + " " + v.get("detectedBy").asText())
                .containsExactlyInAnyOrder("unexpected-target terminated event", "unexpected-document terminated event");

        // The sweep after it finds the session over: nothing to end, nothing to alert.
        clock.set(T.plusSeconds(5));
        JsonNode sweep = sweepAt(sweep("TERMINATE_RULES", "unexpected-target"), T);
        assertThat(sweep.get("alerted").asInt()).isZero();
        assertThat(aws.ssm().terminateCalls(alice)).isEqualTo(1);
    }

    @Test
    void noSessionIsEverEndedTwiceWhenTheEventFunctionAndTheSweepRace() throws Exception {
        int n = 40;
        List<ObjectNode> sessions = new ArrayList<>();
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "alice-race-" + String.format("%012d", i);
            String target = String.format("i-0db0000000%07d", i);
            Instant start = T.minusSeconds(30).plusMillis(100L * i);
            sessions.add(session(id, ADMIN, target, "SSM-SessionManagerRunShell", start));
            events.add(StartSessionEvents.sample().sessionId(id).owner(ADMIN).target(target).document(null).at(start).bytes());
        }
        aws.ssm().setActive(sessions);
        String[] env = {"TERMINATE_RULES", "unexpected-target"};
        StartSessionHandler eventFunction = eventFunction(env);
        AuditHandler sweep = sweep(env);

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            done.add(pool.submit(() -> sweepAt(sweep, T)));
            for (byte[] e : events) {
                done.add(pool.submit(() -> invoke(eventFunction, e)));
            }
            done.add(pool.submit(() -> sweepAt(sweep(env), T)));
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        for (ObjectNode s : sessions) {
            String id = s.get("SessionId").asText();
            assertThat(aws.ssm().terminateCalls(id)).as(id).isEqualTo(1);
            assertThat(aws.ssm().timesTerminated(id)).as(id).isEqualTo(1);
            // Said once: by whichever path alerted it, or by the follow-up of the one that ended it.
            assertThat(alertsOf(id)).as(id).filteredOn(v -> "terminated".equals(remediation(v))).hasSize(1);
        }
    }
}
