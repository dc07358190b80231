package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import dev.ssmauditor.testing.MutableClock;
import dev.ssmauditor.testing.StartSessionEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static dev.ssmauditor.handler.StartSessionHandlerTest.FAST;
import static dev.ssmauditor.handler.StartSessionHandlerTest.JSON;
import static dev.ssmauditor.handler.StartSessionHandlerTest.PLATFORM_ADMIN;
import static dev.ssmauditor.handler.StartSessionHandlerTest.alerted;
import static dev.ssmauditor.handler.StartSessionHandlerTest.invoke;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both paths together, through the real clients against local SSM and SNS endpoints and dynalite: each violation
 * alerted once whichever path sees it first, a burst of events handled by concurrent functions, and the sweep
 * noticing when the event path hears nothing.
 */
class EventPathTest {

    private static final String DB = "i-0db5e1a2b3c4d5e6f";
    private static final String ALICE = "alice@example.com-0f3c9a7d2b1e4c5a6";
    private static final Instant STARTED = Instant.parse("2026-11-30T11:58:01Z");

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = StartSessionHandlerTest.env(dynamo.table(), "EXPECT_START_SESSION_EVENTS", "true");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private StartSessionHandler eventFunction() {
        return new StartSessionHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
    }

    private AuditHandler sweep() {
        return new AuditHandler(env(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
    }

    private static JsonNode sweepAt(AuditHandler sweep, Instant t) throws Exception {
        String event = "{\"version\":\"0\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                + "\"account\":\"123456789012\",\"time\":\"" + t + "\",\"region\":\"eu-west-1\",\"detail\":{}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sweep.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new FakeContext());
        return JSON.readTree(out.toByteArray());
    }

    /** Alice's session as DescribeSessions lists it. */
    private static ObjectNode aliceListed() {
        return FakeSsm.session(ALICE, DB, PLATFORM_ADMIN + "alice@example.com", "AWS-StartPortForwardingSession", STARTED);
    }

    private List<String> alertSummary() throws Exception {
        return alerted(aws).stream().map(v -> v.get("sessionId").asText() + " " + v.get("rule").asText() + " "
                + v.get("detectedBy").asText()).toList();
    }

    private long logLinesWith(String message) {
        return logBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"message\":\"" + message + "\"")).count();
    }

    @Test
    void theEventAlertsFirstAndTheSweepThatListsTheSessionSendsNothing() throws Exception {
        clock.set(STARTED.plusSeconds(4));
        invoke(eventFunction(), StartSessionEvents.sample().bytes());
        aws.ssm().setActive(List.of(aliceListed()));
        clock.set(Instant.parse("2026-11-30T12:00:05Z"));
        JsonNode sweep = sweepAt(sweep(), Instant.parse("2026-11-30T12:00:00Z"));

        assertThat(sweep.get("violations").asInt()).isEqualTo(2);
        assertThat(sweep.get("alerted").asInt()).isZero();
        assertThat(alertSummary()).containsExactly(ALICE + " unexpected-target event", ALICE + " unexpected-document event");
    }

    @Test
    void whenTheEventIsLostTheSweepAlertsAndTheLateEventSendsNothing() throws Exception {
        aws.ssm().setActive(List.of(aliceListed()));
        clock.set(Instant.parse("2026-11-30T12:00:05Z"));
        assertThat(sweepAt(sweep(), Instant.parse("2026-11-30T12:00:00Z")).get("alerted").asInt()).isEqualTo(2);
        clock.set(Instant.parse("2026-11-30T12:09:00Z")); // CloudTrail, eleven minutes late
        assertThat(invoke(eventFunction(), StartSessionEvents.sample().bytes()).get("alerted").asInt()).isZero();

        assertThat(alertSummary()).containsExactly(ALICE + " unexpected-target sweep", ALICE + " unexpected-document sweep");
        assertThat(alerted(aws)).allSatisfy(v -> assertThat(v.get("sourceIPAddress").isNull()).isTrue());
    }

    @Test
    void aBurstOfAThousandEventsOnConcurrentFunctionsAlertsEachViolationOnce() throws Exception {
        Random random = new Random(20261201);
        List<byte[]> deliveries = new ArrayList<>();
        List<ObjectNode> listed = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            boolean stranger = i % 4 == 0;
            String owner = stranger ? "arn:aws:iam::123456789012:user/contractor" + i : PLATFORM_ADMIN + "user" + i;
            String id = (stranger ? "contractor" : "user") + i + "-0a1b2c3d4e5f6a7b8";
            String target = String.format("i-0a1b2c3d4e%07d", i);
            Instant start = STARTED.plusMillis(60L * i);
            byte[] event = StartSessionEvents.sample().sessionId(id).owner(owner).target(target).document(null).at(start).bytes();
            deliveries.add(event);
            if (i % 10 == 0) {
                deliveries.add(event); // EventBridge delivers at least once
            }
            listed.add(FakeSsm.session(id, target, owner, "SSM-SessionManagerRunShell", start));
            if (stranger) {
                expected.add(id + " unexpected-owner event");
            }
        }
        Collections.shuffle(deliveries, random);
        clock.set(STARTED.plusSeconds(61));
        // Four execution environments, eight events in flight at once.
        List<StartSessionHandler> functions = List.of(eventFunction(), eventFunction(), eventFunction(), eventFunction());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonNode>> results = new ArrayList<>();
            for (int i = 0; i < deliveries.size(); i++) {
                StartSessionHandler fn = functions.get(i % functions.size());
                byte[] event = deliveries.get(i);
                results.add(pool.submit(() -> {
                    synchronized (fn) { // an execution environment runs one event at a time
                        return invoke(fn, event);
                    }
                }));
            }
            for (Future<JsonNode> r : results) {
                r.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(alertSummary()).hasSize(250).containsExactlyInAnyOrderElementsOf(expected);

        // The sweep after it lists all of them: every violation is already sent, and none was missed by the event path.
        aws.ssm().setActive(listed);
        AuditHandler sweep = sweep();
        sweepAt(sweep, Instant.parse("2026-11-30T11:55:00Z")); // starts watching the event path
        clock.set(Instant.parse("2026-11-30T12:30:05Z"));
        JsonNode summary = sweepAt(sweep, Instant.parse("2026-11-30T12:30:00Z"));
        assertThat(summary.get("alerted").asInt()).isZero();
        assertThat(summary.get("sessionsNotReportedByEvents").asInt()).isZero();
        assertThat(alertSummary()).hasSize(250);
    }

    @Test
    void theSweepSaysOnceARunWhenSessionsStartedWithoutTheirEvent() throws Exception {
        AuditHandler sweep = sweep();
        StartSessionHandler events = eventFunction();
        Instant t0 = Instant.parse("2026-11-30T12:00:00Z");
        clock.set(t0.plusSeconds(5));
        JsonNode first = sweepAt(sweep, t0);
        assertThat(first.get("eventPathChecked").asBoolean()).isTrue();
        assertThat(first.get("sessionsNotReportedByEvents").asInt()).isZero(); // the first run only starts watching

        // Three sessions after it: one reported by its event, two whose events never came.
        List<ObjectNode> sessions = new ArrayList<>();
        String admin = PLATFORM_ADMIN + "alice@example.com";
        for (String[] s : new String[][] {{"reported", "12:02"}, {"silent-1", "12:03"}, {"silent-2", "12:04"}, {"later", "12:08"}}) {
            Instant start = Instant.parse("2026-11-30T" + s[1] + ":00Z");
            sessions.add(FakeSsm.session(s[0] + "-0a1b2c3d4e5f6a7b8", "i-0a1b2c3d4e5f60718", admin, "SSM-SessionManagerRunShell", start));
        }
        invoke(events, StartSessionEvents.sample().sessionId("reported-0a1b2c3d4e5f6a7b8").target("i-0a1b2c3d4e5f60718")
                .document(null).at(Instant.parse("2026-11-30T12:02:00Z")).bytes());
        aws.ssm().setActive(sessions);

        logBytes.reset();
        clock.set(t0.plusSeconds(600 + 5));
        assertThat(sweepAt(sweep, t0.plusSeconds(600)).get("sessionsNotReportedByEvents").asInt())
                .as("at 12:10 none is past its ten minutes").isZero();
        logBytes.reset();
        clock.set(t0.plusSeconds(900 + 5));
        JsonNode deaf = sweepAt(sweep, t0.plusSeconds(900));
        assertThat(deaf.get("sessionsNotReportedByEvents").asInt()).isEqualTo(2);
        assertThat(logLinesWith("event path deaf: sessions started without a StartSession event")).isEqualTo(1);
        String line = logBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("event path deaf")).findFirst()
                .orElseThrow();
        assertThat(line).contains("silent-1-0a1b2c3d4e5f6a7b8").contains("silent-2-0a1b2c3d4e5f6a7b8").doesNotContain("reported-")
                .contains("CloudTrail trail").contains("EventBridge rule");

        // Each session is checked once: the next run looks only at sessions started since.
        logBytes.reset();
        clock.set(t0.plusSeconds(1200 + 5));
        assertThat(sweepAt(sweep, t0.plusSeconds(1200)).get("sessionsNotReportedByEvents").asInt()).as("later, at 12:08").isEqualTo(1);
        logBytes.reset();
        clock.set(t0.plusSeconds(1500 + 5));
        assertThat(sweepAt(sweep, t0.plusSeconds(1500)).get("sessionsNotReportedByEvents").asInt()).isZero();
        assertThat(logLinesWith("event path deaf: sessions started without a StartSession event")).isZero();
    }

    @Test
    void withoutTheEventPathExpectedTheSweepDoesNotCheckIt() throws Exception {
        AuditHandler sweep = new AuditHandler(env("EXPECT_START_SESSION_EVENTS", "false"),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
        Instant t0 = Instant.parse("2026-11-30T12:00:00Z");
        sweepAt(sweep, t0);
        aws.ssm().setActive(List.of(FakeSsm.session("silent-0a1b2c3d4e5f6a7b8", "i-0a1b2c3d4e5f60718",
                PLATFORM_ADMIN + "alice@example.com", "SSM-SessionManagerRunShell", t0.plusSeconds(60))));
        clock.set(t0.plusSeconds(1800));
        JsonNode summary = sweepAt(sweep, t0.plusSeconds(1800));
        assertThat(summary.get("eventPathChecked").asBoolean()).isFalse();
        assertThat(summary.get("sessionsNotReportedByEvents").asInt()).isZero();
        assertThat(logLinesWith("event path deaf: sessions started without a StartSession event")).isZero();
    }

    @Test
    void switchingTheWatchOffAndOnAgainStartsAfreshInsteadOfBlamingTheEventPath() throws Exception {
        Instant t0 = Instant.parse("2026-11-30T12:00:00Z");
        AuditHandler watching = sweep();
        clock.set(t0.plusSeconds(5));
        sweepAt(watching, t0);
        // The rule switched off (StartSessionEvents=Disabled) for an hour: sessions start, no event reports them.
        AuditHandler notWatching = new AuditHandler(env("EXPECT_START_SESSION_EVENTS", "false"),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
        aws.ssm().setActive(List.of(FakeSsm.session("while-off-0a1b2c3d4e5f6a7b8", "i-0a1b2c3d4e5f60718",
                PLATFORM_ADMIN + "alice@example.com", "SSM-SessionManagerRunShell", t0.plusSeconds(600))));
        clock.set(t0.plusSeconds(1800 + 5));
        sweepAt(notWatching, t0.plusSeconds(1800));
        // Switched on again: the first watching run starts afresh, later ones check only what started since.
        AuditHandler again = sweep();
        for (int minutes : new int[] {60, 65, 80}) {
            clock.set(t0.plusSeconds(minutes * 60L + 5));
            assertThat(sweepAt(again, t0.plusSeconds(minutes * 60L)).get("sessionsNotReportedByEvents").asInt())
                    .as("at +%d min", minutes).isZero();
        }
        assertThat(logLinesWith("event path deaf: sessions started without a StartSession event")).isZero();
    }
}
