package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.SnsAlertPublisher;
import dev.ssmauditor.audit.AlertKey;
import dev.ssmauditor.audit.AlertLedger;
import dev.ssmauditor.audit.AlertPlanner;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.Auditor;
import dev.ssmauditor.audit.LedgerClaim;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.audit.SweepMark;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.Policy;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.sessions.SsmSessionSource;
import dev.ssmauditor.state.DynamoDbAlertLedger;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import dev.ssmauditor.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the alert ledger promises, through the real SDK clients against local SSM and SNS endpoints and dynalite:
 * each violation published once under concurrency, shuffled and out-of-order events and a policy change; one
 * duplicate at most when a run dies between publish and mark; every alert published when the ledger is down; alerts
 * still flowing when the sweep record is tampered with. Each case of the review that asked for the ledger (issue 8)
 * has a test here that the watermark failed.
 */
class LedgerGuaranteesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";
    private static final String SHELL = "SSM-SessionManagerRunShell";
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(1),
            Duration.ofMillis(5), Duration.ofSeconds(2), Duration.ofSeconds(4));

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    private static Instant at(String hhmm) {
        return Instant.parse("2026-11-30T" + hhmm + ":00Z");
    }

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("STATE_TABLE", dynamo.table());
        env.put("ALLOWED_OWNERS", ADMIN + "*");
        env.put("MAX_SESSION_MINUTES", "60");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private AuditHandler handler(Map<String, String> env, Clock clock) {
        return new AuditHandler(env, new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, FAST);
    }

    private static JsonNode invoke(AuditHandler handler, Instant eventTime) throws Exception {
        String event = "{\"version\":\"0\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                + "\"account\":\"123456789012\",\"time\":\"" + eventTime + "\",\"region\":\"eu-west-1\",\"detail\":{}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new FakeContext());
        return JSON.readTree(out.toByteArray());
    }

    /** Every violation SNS accepted, as "session rule rN", in order, duplicates kept. */
    private List<String> delivered() {
        List<String> alerts = new ArrayList<>();
        for (Map<String, String> p : aws.sns().delivered()) {
            try {
                JsonNode body = JSON.readTree(JSON.readTree(p.get("Message")).get("default").asText());
                body.get("violations").forEach(v -> alerts.add(v.get("sessionId").asText() + " " + v.get("rule").asText()
                        + " r" + v.get("reminder").asInt()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return alerts;
    }

    private static ObjectNode stranger(String id, String target, Instant start) {
        return FakeSsm.session(id, target, "arn:aws:iam::123456789012:user/" + id, SHELL, start);
    }

    private static ObjectNode admin(String id, String target, Instant start) {
        return FakeSsm.session(id, target, ADMIN + id, SHELL, start);
    }

    @Test
    void twoHandlersRacingOverTwoHundredViolationsPublishEachOnce() throws Exception {
        List<ObjectNode> sessions = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sessions.add(stranger("s" + i, "i-0web" + i, at("11:30")));
            expected.add("s" + i + " unexpected-owner r0");
        }
        aws.ssm().setActive(sessions);
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("12:01"), ZoneOffset.UTC);
        AuditHandler one = handler(env(), clock);
        AuditHandler two = handler(env(), clock); // two execution environments

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JsonNode>> runs = new ArrayList<>();
            for (AuditHandler h : List.of(one, two)) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return invoke(h, at("12:00"));
                }));
            }
            go.countDown();
            int alerted = 0;
            for (Future<JsonNode> run : runs) {
                alerted += run.get().get("alerted").asInt();
            }
            assertThat(alerted).as("the two runs split the violations between them").isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        assertThat(delivered()).containsExactlyInAnyOrderElementsOf(expected);
        invoke(one, at("12:05"));
        invoke(two, at("12:05"));
        assertThat(delivered()).hasSize(200);
    }

    @ParameterizedTest(name = "shuffle seed {0}")
    @ValueSource(longs = {1, 7, 42})
    void tenRunsInShuffledOrderAcrossAPolicyChangeLoseNothingAndSendNothingTwice(long seed) throws Exception {
        aws.ssm().setActive(List.of(
                stranger("mallory", "i-0web1", at("11:50")),   // owner: under both policies
                admin("alice", "i-0pci1", at("12:02")),        // denied target: only under the new policy
                admin("bob", "i-0web2", at("11:10")),          // long-running from 12:10, under both
                stranger("trudy", "i-0pci2", at("12:31")),     // owner and denied target: only runs at 12:35 and later see it
                admin("carol", "i-0web3", at("12:41"))));      // compliant
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("13:00"), ZoneOffset.UTC);
        AuditHandler before = handler(env(), clock);
        AuditHandler after = handler(env("DENIED_TARGETS", "i-0pci*"), clock); // the deployment that changed the policy
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            times.add(at("12:00").plus(Duration.ofMinutes(5L * i)));
        }
        List<Instant> order = new ArrayList<>(times);
        Collections.shuffle(order, new Random(seed));

        for (Instant t : order) {
            invoke(t.isBefore(at("12:25")) ? before : after, t);
        }

        assertThat(delivered()).containsExactlyInAnyOrder("mallory unexpected-owner r0", "alice unexpected-target r0",
                "bob long-running r0", "trudy unexpected-owner r0", "trudy unexpected-target r0");
    }

    @Test
    void anOlderEventAfterAPolicyChangeDoesNotHideWhatTheNewPolicyFinds() throws Exception {
        // The watermark saved the new policy's fingerprint from the older event and never alerted eve.
        aws.ssm().setActive(List.of(admin("eve", "i-0pci9", at("12:07"))));
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("12:16"), ZoneOffset.UTC);
        invoke(handler(env(), clock), at("12:10"));
        AuditHandler changed = handler(env("DENIED_TARGETS", "i-0pci*"), clock);
        invoke(changed, at("12:05")); // an async retry of an old event, after the deployment
        assertThat(delivered()).isEmpty();

        invoke(changed, at("12:15"));
        assertThat(delivered()).containsExactly("eve unexpected-target r0");
    }

    @Test
    void aHundredSessionsStartedTogetherAreAlertedOnce() throws Exception {
        // The watermark kept only about 44 such keys of "recently alerted": the rest were alerted again.
        List<ObjectNode> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sessions.add(FakeSsm.session("AWSReservedSSO_Contractor_" + i + "-0123456789abcdef0", "i-0web" + i,
                    "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Contractor_9f8e7d6c5b4a3210/contractor" + i,
                    SHELL, at("11:59")));
        }
        aws.ssm().setActive(sessions);
        aws.sns().acceptPublishes();
        MutableClock clock = new MutableClock(at("12:00"));
        AuditHandler handler = handler(env(), clock);
        invoke(handler, at("12:00"));
        clock.set(at("12:05"));
        invoke(handler, at("12:05"));
        assertThat(delivered()).hasSize(100).doesNotHaveDuplicates();
    }

    /** The auditor with the real SSM and SNS clients and the given ledger, as the handler builds it. */
    private Auditor auditor(AlertLedger ledger, Clock clock) {
        AwsClientFactory clients = new AwsClientFactory(System.getenv(), FAST, null);
        AlertComposer composer = new AlertComposer(new JsonFactory());
        Policy policy = new Policy(60, List.of(), PatternList.of(ADMIN + "*"), PatternList.OFF, PatternList.OFF, PatternList.OFF,
                Map.of());
        return new Auditor(new SsmSessionSource(clients.ssm()), new PolicyEvaluator(policy), new AlertPlanner(Duration.ZERO),
                composer, new SnsAlertPublisher(clients.sns(), TOPIC, composer.envelope()), ledger, clock,
                new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.INFO, new JsonFactory()),
                AuditHandler.stepBudget());
    }

    private DynamoDbAlertLedger realLedger() {
        return new DynamoDbAlertLedger(new AwsClientFactory(System.getenv()).dynamoDb(), dynamo.table());
    }

    /** A ledger that works, except where a test breaks it. */
    private static class Breakable implements AlertLedger {
        final AlertLedger inner;
        RuntimeException onMark;
        Error dieOnMark;
        int claimsBeforeFailing = -1;

        Breakable(AlertLedger inner) {
            this.inner = inner;
        }

        @Override
        public Optional<SweepMark> lastSweep(String account, String region) {
            return inner.lastSweep(account, region);
        }

        @Override
        public void saveSweep(String account, String region, SweepMark mark, boolean replace) {
            inner.saveSweep(account, region, mark, replace);
        }

        @Override
        public Claimable claimable(Collection<AlertKey> keys, LedgerClaim claim) {
            return inner.claimable(keys, claim);
        }

        @Override
        public boolean claim(AlertKey key, LedgerClaim claim) {
            if (claimsBeforeFailing-- == 0) {
                throw new LedgerUnavailableException("DynamoDB PutItem failed: connection reset", null);
            }
            return inner.claim(key, claim);
        }

        @Override
        public void markSent(Collection<AlertKey> keys, LedgerClaim claim) {
            if (dieOnMark != null) {
                throw dieOnMark;
            }
            if (onMark != null) {
                throw onMark;
            }
            inner.markSent(keys, claim);
        }

        @Override
        public void release(Collection<AlertKey> keys, LedgerClaim claim) {
            inner.release(keys, claim);
        }
    }

    /** The function process dies: nothing after it runs, not even a catch. */
    private static final class Killed extends Error {
        Killed() {
            super("the execution environment died");
        }
    }

    private static AuditRequest request(Instant t) {
        return new AuditRequest(t, "123456789012", "eu-west-1", () -> 60_000);
    }

    @Test
    void aRunKilledBetweenPublishAndMarkCausesExactlyOneDuplicateAfterItsLease() {
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("11:58")), stranger("trudy", "i-0web2", at("11:59"))));
        aws.sns().acceptPublishes();
        MutableClock clock = new MutableClock(at("12:00"));
        Breakable dying = new Breakable(realLedger());
        dying.dieOnMark = new Killed();

        assertThatThrownBy(() -> auditor(dying, clock).run(request(at("12:00")))).isInstanceOf(Killed.class);
        assertThat(delivered()).containsExactlyInAnyOrder("mallory unexpected-owner r0", "trudy unexpected-owner r0");

        clock.set(at("12:01")); // a retry within the dead run's lease (its invocation's 60 s and 5 more): held, not sent
        auditor(realLedger(), clock).run(request(at("12:00")));
        assertThat(delivered()).hasSize(2);

        clock.set(at("12:05")); // the next schedule: the lease has passed, the claims are taken over and sent once more
        auditor(realLedger(), clock).run(request(at("12:05")));
        clock.set(at("12:10"));
        auditor(realLedger(), clock).run(request(at("12:10")));
        assertThat(delivered()).containsExactlyInAnyOrder("mallory unexpected-owner r0", "trudy unexpected-owner r0",
                "mallory unexpected-owner r0", "trudy unexpected-owner r0");
    }

    @Test
    void aFailureToMarkAfterSnsAcceptedDoesNotFailTheRunSoNothingIsRepublished() {
        // With the watermark, a failed save failed the invocation and Lambda's two retries published everything again.
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("11:58"))));
        aws.sns().acceptPublishes();
        Breakable ledger = new Breakable(realLedger());
        ledger.onMark = new LedgerUnavailableException("DynamoDB BatchWriteItem failed: throttled", null);

        AuditReport report = auditor(ledger, Clock.fixed(at("12:00"), ZoneOffset.UTC)).run(request(at("12:00")));

        assertThat(report.ledgerErrors()).isEqualTo(1);
        assertThat(delivered()).containsExactly("mallory unexpected-owner r0");
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"message\":\"alert ledger: published alerts not marked sent\"");
    }

    @Test
    void aPublishThatFailsReleasesItsClaimsSoTheNextRunSendsThemAtOnce() throws Exception {
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("11:58"))));
        aws.sns().failPublishes(500, "InternalError");
        MutableClock clock = new MutableClock(at("12:00"));
        AuditHandler handler = handler(env(), clock);
        assertThatThrownBy(() -> invoke(handler, at("12:00")));
        assertThat(dynamo.items().keySet()).as("no claim left behind").noneMatch(k -> k.startsWith("alert#"));

        aws.sns().acceptPublishes();
        clock.set(at("12:00").plusSeconds(10)); // Lambda's retry, well within what would have been the lease
        invoke(handler, at("12:00"));
        assertThat(delivered()).containsExactly("mallory unexpected-owner r0");
    }

    @Test
    void anUnreachableLedgerStillPublishesEverythingSaysItMayRepeatAndFailsTheInvocation() throws Exception {
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("11:58")), admin("bob", "i-0web2", at("10:00"))));
        aws.sns().acceptPublishes();
        dynamo.unreachable();
        AuditHandler handler = handler(env("AWS_LAMBDA_FUNCTION_NAME", "auditor-fn"), Clock.fixed(at("12:01"), ZoneOffset.UTC));

        assertThatThrownBy(() -> invoke(handler, at("12:00"))).isInstanceOf(LedgerUnavailableException.class);

        assertThat(delivered()).containsExactlyInAnyOrder("mallory unexpected-owner r0", "bob long-running r0");
        for (Map<String, String> p : aws.sns().delivered()) {
            JsonNode envelope = JSON.readTree(p.get("Message"));
            assertThat(JSON.readTree(envelope.get("default").asText()).get("mayRepeat").asBoolean()).isTrue();
            assertThat(envelope.get("email").asText()).contains("may repeat alerts already sent");
        }
        String logs = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("\"message\":\"alert ledger unavailable; alerts published without it\"")
                .contains("\"message\":\"audit failed\"").contains("\"ledgerErrors\":1");
    }

    @Test
    void aSweepRecordInTheFutureIsIgnoredWithAnAlarmMetricAndAlertsStillFlow() throws Exception {
        // With the watermark, a coveredUntil in the future made every run alert nothing and report success.
        dynamo.client().putItem(r -> r.tableName(dynamo.table()).item(Map.of(
                "pk", AttributeValue.builder().s("sweep#123456789012#eu-west-1").build(),
                "lastCompleteSweepMs", AttributeValue.builder().n(Long.toString(Instant.parse("2099-01-01T00:00:00Z").toEpochMilli())).build())));
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("12:02"))));
        ObjectNode gone = stranger("trudy", "i-0web2", at("11:00"));
        aws.ssm().setHistory(List.of(FakeSsm.ended(gone, at("11:10")))); // came and went an hour ago
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(env("AWS_LAMBDA_FUNCTION_NAME", "auditor-fn"), Clock.fixed(at("12:06"), ZoneOffset.UTC));

        JsonNode summary = invoke(handler, at("12:05"));

        assertThat(delivered()).containsExactlyInAnyOrder("mallory unexpected-owner r0", "trudy unexpected-owner r0");
        assertThat(summary.get("sweepRecordIgnored").asInt()).isEqualTo(1);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("\"level\":\"ERROR\",\"message\":\"sweep record ignored\"")
                .contains("is in the future");
        assertThat(dynamo.items().get("sweep#123456789012#eu-west-1").get("lastCompleteSweepMs").n())
                .as("replaced by this run's").isEqualTo(Long.toString(at("12:05").toEpochMilli()));

        invoke(handler, at("12:10"));
        assertThat(delivered()).hasSize(2);
    }

    @Test
    void aBacklogOfEndedSessionsIsWorkedOffInWindowsAcrossRunsWhenTimeRunsShort() {
        // Six hours without a complete sweep and a one-hour limit: the reach is seven hours and five minutes, listed in
        // two-hour windows (04:55, 06:55, 08:55, 10:55 on). The first run has time for two History pages only.
        dynamo.client().putItem(r -> r.tableName(dynamo.table()).item(Map.of(
                "pk", AttributeValue.builder().s("sweep#123456789012#eu-west-1").build(),
                "lastCompleteSweepMs", AttributeValue.builder().n(Long.toString(at("06:00").toEpochMilli())).build())));
        List<ObjectNode> ended = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int h = 5; h < 12; h++) {
            String id = "gone" + h;
            ended.add(FakeSsm.ended(stranger(id, "i-0web" + h, Instant.parse(String.format("2026-11-30T%02d:30:00Z", h))),
                    Instant.parse(String.format("2026-11-30T%02d:40:00Z", h))));
            expected.add(id + " unexpected-owner r0");
        }
        aws.ssm().setHistory(ended);
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("12:01"), ZoneOffset.UTC);
        int[] historyCalls = {0};
        AuditRequest shortOfTime = new AuditRequest(at("12:00"), "123456789012", "eu-west-1", () -> {
            historyCalls[0] = aws.ssm().describeSessionsBodies("History").size();
            return historyCalls[0] < 2 ? 60_000 : 12_000; // enough to publish and mark (10 s), not to list more (15 s)
        });

        AuditReport first = auditor(realLedger(), clock).run(shortOfTime);
        assertThat(first.endedListedInFull()).isFalse();
        assertThat(first.sweepSaved()).isNull();
        assertThat(delivered()).as("what the two windows held").containsExactlyInAnyOrder("gone5 unexpected-owner r0",
                "gone6 unexpected-owner r0", "gone7 unexpected-owner r0", "gone8 unexpected-owner r0");
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("ended sessions not all listed in time");

        AuditReport second = auditor(realLedger(), clock).run(request(at("12:05")));
        assertThat(second.endedListedInFull()).isTrue();
        assertThat(second.sweepSaved()).isEqualTo(at("12:05"));
        assertThat(delivered()).containsExactlyInAnyOrderElementsOf(expected);
        List<String> afterWindows = aws.ssm().describeSessionsBodies("History").stream()
                .map(b -> b.path("Filters").toString()).toList();
        assertThat(afterWindows.get(2)).as("the second run went on from where the first stopped").contains("2026-11-30T08:55:00Z");
    }
    @Test
    void aRunThatMeetsAnotherRunsLiveClaimDoesNotMoveTheSweepSoNothingIsLostIfThatRunDies() throws Exception {
        // trudy came and went before the last sweep's reach would end; another run holds her alert when this one runs.
        putSweep(at("11:55"));
        ObjectNode trudy = stranger("trudy", "i-0web2", at("10:55"));
        aws.ssm().setHistory(List.of(FakeSsm.ended(trudy, at("11:10"))));
        aws.sns().acceptPublishes();
        AlertKey key = new AlertKey("123456789012", "eu-west-1", "trudy", dev.ssmauditor.policy.RuleId.UNEXPECTED_OWNER, 0);
        assertThat(realLedger().claim(key, new LedgerClaim("run-a", at("12:04"), at("12:10")))).isTrue();

        MutableClock clock = new MutableClock(at("12:06"));
        AuditHandler handler = handler(env(), clock);
        JsonNode b = invoke(handler, at("12:05"));
        assertThat(delivered()).as("held by run-a").isEmpty();
        assertThat(b.get("sweepSaved").isNull()).as("run-a may still fail: the sweep stays where it was").isTrue();

        clock.set(at("12:16")); // run-a died; its lease ended at 12:10
        invoke(handler, at("12:15"));
        assertThat(delivered()).containsExactly("trudy unexpected-owner r0");
    }

    @Test
    void theLeaseEndsWithTheInvocationCountedFromWhenTheClaimsAreMade() {
        // Counted from the start of the run, a lease would end as early as the listing was long, and another run
        // could take over keys this run is still publishing.
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("11:58"))));
        aws.sns().acceptPublishes();
        MutableClock clock = new MutableClock(at("12:00"));
        AwsClientFactory clients = new AwsClientFactory(System.getenv(), FAST, null);
        SsmSessionSource ssm = new SsmSessionSource(clients.ssm());
        dev.ssmauditor.sessions.SessionSource slowListing = new dev.ssmauditor.sessions.SessionSource() {
            @Override
            public dev.ssmauditor.sessions.SessionListing activeSessions(dev.ssmauditor.sessions.PageGate gate) {
                clock.advance(Duration.ofSeconds(30));
                return ssm.activeSessions(gate);
            }

            @Override
            public dev.ssmauditor.sessions.SessionListing endedSessions(Instant from, Instant before,
                                                                        dev.ssmauditor.sessions.PageGate gate) {
                return ssm.endedSessions(from, before, gate);
            }
        };
        AlertComposer composer = new AlertComposer(new JsonFactory());
        Policy policy = new Policy(60, List.of(), PatternList.of(ADMIN + "*"), PatternList.OFF, PatternList.OFF, PatternList.OFF,
                Map.of());
        Auditor auditor = new Auditor(slowListing, new PolicyEvaluator(policy), new AlertPlanner(Duration.ZERO), composer,
                new SnsAlertPublisher(clients.sns(), TOPIC, composer.envelope()), realLedger(), clock,
                new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.INFO, new JsonFactory()),
                AuditHandler.stepBudget());

        auditor.run(new AuditRequest(at("12:00"), "123456789012", "eu-west-1",
                () -> 60_000 - Duration.between(at("12:00"), clock.instant()).toMillis()));

        Map<String, AttributeValue> item = dynamo.items().get("alert#123456789012#eu-west-1#mallory#unexpected-owner#0");
        assertThat(Instant.ofEpochSecond(Long.parseLong(item.get("leaseUntil").n())))
                .as("claimed at 12:00:30 with 30 s left, plus 5 s").isEqualTo(Instant.parse("2026-11-30T12:01:05Z"));
    }

    @Test
    void aRunOutOfTimeAfterItsFirstMessageLeavesThatOneMarkedAndTheRestForTheNextRun() {
        // The watermark saved nothing until every message was out: a timeout after the first one meant a retry that
        // published it again.
        aws.ssm().setActive(List.of(stranger("mallory", "i-0web1", at("11:58")), admin("bob", "i-0web2", at("10:00"))));
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("12:01"), ZoneOffset.UTC);
        AuditRequest shortOfTime = new AuditRequest(at("12:00"), "123456789012", "eu-west-1",
                () -> aws.sns().delivered().isEmpty() ? 60_000 : 8_000); // after one publish: too little for another (10 s)

        assertThatThrownBy(() -> auditor(realLedger(), clock).run(shortOfTime))
                .isInstanceOf(dev.ssmauditor.audit.AuditDeadlineException.class).hasMessageContaining("not publishing 1 of 2");
        assertThat(delivered()).containsExactly("mallory unexpected-owner r0"); // HIGH goes first
        assertThat(dynamo.items().get("alert#123456789012#eu-west-1#mallory#unexpected-owner#0").get("status").s()).isEqualTo("SENT");
        assertThat(dynamo.items()).as("bob's claim released").doesNotContainKey("alert#123456789012#eu-west-1#bob#long-running#0");

        auditor(realLedger(), clock).run(request(at("12:00")));
        assertThat(delivered()).containsExactly("mallory unexpected-owner r0", "bob long-running r0");
    }

    @Test
    void aLedgerThatFailsHalfWayThroughTheClaimsStillPublishesAllAndKeepsWhatItWon() {
        aws.ssm().setActive(List.of(stranger("a1", "i-0web1", at("11:58")), stranger("a2", "i-0web2", at("11:58")),
                stranger("a3", "i-0web3", at("11:58"))));
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("12:01"), ZoneOffset.UTC);
        Breakable failing = new Breakable(realLedger());
        failing.claimsBeforeFailing = 1;

        assertThatThrownBy(() -> auditor(failing, clock).run(request(at("12:00")))).isInstanceOf(LedgerUnavailableException.class);
        assertThat(delivered()).containsExactlyInAnyOrder("a1 unexpected-owner r0", "a2 unexpected-owner r0", "a3 unexpected-owner r0");

        auditor(realLedger(), clock).run(request(at("12:00")));
        assertThat(delivered()).as("the key won before the failure was marked sent; the other two may repeat, and do")
                .containsExactlyInAnyOrder("a1 unexpected-owner r0", "a2 unexpected-owner r0", "a3 unexpected-owner r0",
                        "a2 unexpected-owner r0", "a3 unexpected-owner r0");
    }

    @Test
    void aRunResumingABacklogStillReachesTheSessionsThePreviousRunSawActive() {
        // dana was open 58 minutes at the 11:30 run (limit 60), passed her limit and ended before the next run. The
        // 11:30 run ran out of time in its last window (from 10:55): going on from there alone would never list her.
        putSweep(at("06:00"));
        ObjectNode dana = admin("dana", "i-0web4", at("10:32"));
        aws.ssm().setActive(List.of(dana));
        aws.sns().acceptPublishes();
        AuditRequest shortOfTime = new AuditRequest(at("11:30"), "123456789012", "eu-west-1",
                () -> aws.ssm().describeSessionsBodies("History").size() < 3 ? 60_000 : 12_000);
        AuditReport first = auditor(realLedger(), Clock.fixed(at("11:31"), ZoneOffset.UTC)).run(shortOfTime);
        assertThat(first.endedListedInFull()).isFalse();
        assertThat(delivered()).isEmpty();

        aws.ssm().setActive(List.of());
        aws.ssm().setHistory(List.of(FakeSsm.ended(dana, at("11:34"))));
        auditor(realLedger(), Clock.fixed(at("11:36"), ZoneOffset.UTC)).run(request(at("11:35")));
        assertThat(delivered()).containsExactly("dana long-running r0");
    }

    @Test
    void withoutTheLedgerWhatItWasSeenToHoldIsStillLeftOut() {
        // The reads worked, a claim then failed: alerts the ledger showed as sent are not repeated.
        aws.ssm().setActive(List.of(stranger("a1", "i-0web1", at("11:50"))));
        aws.sns().acceptPublishes();
        Clock clock = Clock.fixed(at("12:01"), ZoneOffset.UTC);
        auditor(realLedger(), clock).run(request(at("11:55")));
        aws.ssm().setActive(List.of(stranger("a1", "i-0web1", at("11:50")), stranger("a2", "i-0web2", at("11:58")),
                stranger("a3", "i-0web3", at("11:58"))));
        Breakable failing = new Breakable(realLedger());
        failing.claimsBeforeFailing = 0;

        assertThatThrownBy(() -> auditor(failing, clock).run(request(at("12:00")))).isInstanceOf(LedgerUnavailableException.class);
        assertThat(delivered()).containsExactlyInAnyOrder("a1 unexpected-owner r0", "a2 unexpected-owner r0", "a3 unexpected-owner r0");
    }

    private void putSweep(Instant lastCompleteSweep) {
        dynamo.client().putItem(r -> r.tableName(dynamo.table()).item(Map.of(
                "pk", AttributeValue.builder().s("sweep#123456789012#eu-west-1").build(),
                "lastCompleteSweepMs", AttributeValue.builder().n(Long.toString(lastCompleteSweep.toEpochMilli())).build())));
    }
}
