package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.FaultyDynamoDb;
import dev.ssmauditor.testing.Faults;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real handler and SDK clients against local SSM and SNS endpoints that throttle, fail, reset and
 * delay a share of the calls, with the alert ledger in a real DynamoDB-compatible engine. Each scenario plays scheduled runs five minutes apart, two new violating
 * sessions per run among 250, with Lambda's two retries of a failed event; then one run with the faults
 * gone, as the next schedule would. It counts what was delivered and what was lost, and prints the table
 * (also written to target/fault-report.md). Backoff delays are shortened (same strategy, same attempts and
 * timeouts) so the suite runs in seconds; the 2-second delays are real.
 */
class FaultInjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");
    private static final String ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";
    private static final RetryPolicy FAST = new RetryPolicy(RetryPolicy.LAMBDA.maxAttempts(), Duration.ofMillis(1),
            Duration.ofMillis(20), Duration.ofMillis(5), Duration.ofMillis(50), RetryPolicy.LAMBDA.attemptTimeout(),
            RetryPolicy.LAMBDA.callTimeout());
    private static final Set<String> ALL = Set.of();
    private static final List<String> TABLE = new ArrayList<>();

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    record Outcome(String scenario, int runs, int completed, int invocations, int failedEvents, int expected, int delivered,
                   int lost, int falseSuccesses, int duplicates, int faultsInjected) {
        String row() {
            return "| " + scenario + " | " + runs + " | " + completed + " | " + invocations + " | " + failedEvents + " | "
                    + expected + " | " + delivered + " | " + lost + " | " + falseSuccesses + " | " + duplicates + " | "
                    + faultsInjected + " |";
        }
    }

    private Outcome play(String scenario, int runs, Consumer<LocalAws> faults) throws IOException {
        return play(scenario, runs, faults, null);
    }

    private Outcome play(String scenario, int runs, Consumer<LocalAws> faults, Faults ledgerFaults) throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ALERT_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts");
        env.put("STATE_TABLE", dynamo.table());
        env.put("ALLOWED_OWNERS", ADMIN + "*");
        AuditHandler handler = new AuditHandler(env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Clock.fixed(START.plus(Duration.ofDays(1)), ZoneOffset.UTC), FAST); // later than every event

        List<ObjectNode> sessions = new ArrayList<>();
        for (int i = 0; i < 246; i++) {
            sessions.add(FakeSsm.session("ok-" + i, "i-0web" + i, ADMIN + "user" + i, "SSM-SessionManagerRunShell",
                    START.minusSeconds(600)));
        }
        Set<String> expected = new HashSet<>();
        int completed = 0;
        int invocations = 0;
        int failedEvents = 0;
        int falseSuccesses = 0;
        faults.accept(aws);
        for (int run = 0; run <= runs; run++) {
            Instant t = START.plus(Duration.ofMinutes(5L * run));
            if (run == runs) {
                aws.ssm().faults().none(); // the next schedule, after the outage
                aws.sns().faults().none();
                aws.sns().acceptPublishes();
                if (ledgerFaults != null) {
                    ledgerFaults.none();
                }
            } else {
                for (int k = 0; k < 2; k++) {
                    String id = "stranger-" + run + "-" + k;
                    sessions.add(FakeSsm.session(id, "i-0db" + run, "arn:aws:iam::123456789012:user/x" + run,
                            "SSM-SessionManagerRunShell", t.minusSeconds(60)));
                    expected.add(id);
                }
            }
            aws.ssm().setActive(sessions);
            boolean done = false;
            for (int attempt = 0; attempt < 3 && !done; attempt++) { // the event, then Lambda's two retries
                invocations++;
                int deliveredBefore = aws.sns().delivered().size();
                try {
                    JsonNode summary = invoke(handler, t);
                    done = true;
                    if (run < runs) {
                        completed++;
                    }
                    int deliveredNow = aws.sns().delivered().size() - deliveredBefore;
                    if (summary.get("alertsPublished").asInt() != summary.get("alertMessages").asInt()
                            || deliveredNow < summary.get("alertMessages").asInt()) {
                        falseSuccesses++;
                    }
                } catch (RuntimeException e) {
                    // the invocation failed: Lambda retries it
                }
            }
            if (!done && run < runs) {
                failedEvents++; // to the on-failure queue
            }
        }
        List<String> deliveredIds = new ArrayList<>();
        for (Map<String, String> p : aws.sns().delivered()) {
            JsonNode body = JSON.readTree(JSON.readTree(p.get("Message")).get("default").asText());
            body.get("violations").forEach(v -> deliveredIds.add(v.get("sessionId").asText()));
        }
        Set<String> unique = new HashSet<>(deliveredIds);
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(unique);
        Outcome outcome = new Outcome(scenario, runs, completed, invocations, failedEvents, expected.size(), unique.size(),
                lost.size(), falseSuccesses, deliveredIds.size() - unique.size(),
                aws.ssm().faults().injected() + aws.sns().faults().injected() + (ledgerFaults == null ? 0 : ledgerFaults.injected()));
        TABLE.add(outcome.row());
        return outcome;
    }

    private static JsonNode invoke(AuditHandler handler, Instant t) throws IOException {
        String event = "{\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"time\":\"" + t + "\",\"detail\":{}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new FakeContext(60_000));
        return JSON.readTree(out.toByteArray());
    }

    private static void nothingLost(Outcome o) {
        assertThat(o.lost()).as(o.scenario() + ": lost").isZero();
        assertThat(o.falseSuccesses()).as(o.scenario() + ": successes with undelivered alerts").isZero();
        assertThat(o.delivered()).isEqualTo(o.expected());
    }

    @Test
    void noFaults() throws IOException {
        Outcome o = play("no faults", 20, a -> { });
        nothingLost(o);
        assertThat(o.completed()).isEqualTo(20);
        assertThat(o.duplicates()).isZero();
    }

    @Test
    void thirtyPercentOfListingCallsThrottled() throws IOException {
        Outcome o = play("30% of DescribeSessions throttled", 25,
                a -> a.ssm().faults().set(0.30, 0, 0, 0, 0, false, Set.of("DescribeSessions")));
        nothingLost(o);
        assertThat(o.faultsInjected()).isPositive();
    }

    @Test
    void thirtyPercentOfPublishesFail() throws IOException {
        Outcome o = play("30% of Publish calls fail (HTTP 500)", 25,
                a -> a.sns().faults().set(0, 0.30, 0, 0, 0, false, Set.of("Publish")));
        nothingLost(o);
        assertThat(o.faultsInjected()).isPositive();
    }

    @Test
    void fivePercentOfConnectionsReset() throws IOException {
        Outcome o = play("5% of all calls reset", 25, a -> {
            a.ssm().faults().set(0, 0, 0.05, 0, 0, false, ALL);
            a.sns().faults().set(0, 0, 0.05, 0, 0, false, ALL);
        });
        nothingLost(o);
    }

    @Test
    void twoSecondDelays() throws IOException {
        Outcome o = play("25% of all calls delayed 2 s", 6, a -> {
            a.ssm().faults().set(0, 0, 0, 0.25, 2_000, false, ALL);
            a.sns().faults().set(0, 0, 0, 0.25, 2_000, false, ALL);
        });
        nothingLost(o);
        assertThat(o.completed()).isEqualTo(6);
    }

    @Test
    void snsFullyDownFailsEveryInvocationAndLosesNothing() throws IOException {
        Outcome o = play("SNS fully down (HTTP 503)", 10, a -> a.sns().faults().set(0, 0, 0, 0, 0, true, ALL));
        nothingLost(o);
        assertThat(o.completed()).as("no run may succeed while its alerts go nowhere").isZero();
        assertThat(o.failedEvents()).isEqualTo(10);
    }

    @Test
    void thirtyPercentOfLedgerCallsThrottled() throws IOException {
        try (FaultyDynamoDb ledger = FaultyDynamoDb.before(dynamo.url())) {
            ledger.faults().set(0.30, 0, 0, 0, 0, false, ALL);
            Outcome o = play("30% of DynamoDB (ledger) calls throttled", 25, a -> { }, ledger.faults());
            nothingLost(o);
            assertThat(o.faultsInjected()).isPositive();
        }
    }

    @Test
    void everythingAtOnceTheLedgerToo() throws IOException {
        try (FaultyDynamoDb ledger = FaultyDynamoDb.before(dynamo.url())) {
            ledger.faults().set(0.20, 0.10, 0.05, 0, 0, false, ALL);
            Outcome o = play("all at once, the ledger too: 20% throttled, 10% 5xx, 5% resets", 25, a -> {
                a.ssm().faults().set(0.20, 0.10, 0.05, 0, 0, false, ALL);
                a.sns().faults().set(0.20, 0.10, 0.05, 0, 0, false, ALL);
            }, ledger.faults());
            nothingLost(o);
        }
    }

    @Test
    void everythingAtOnce() throws IOException {
        Outcome o = play("all at once: 20% throttled, 10% 5xx, 5% resets", 25, a -> {
            a.ssm().faults().set(0.20, 0.10, 0.05, 0, 0, false, ALL);
            a.sns().faults().set(0.20, 0.10, 0.05, 0, 0, false, ALL);
        });
        nothingLost(o);
    }

    @AfterAll
    static void report() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("| scenario | runs | runs completed | invocations | events failed after retries | violations | "
                + "delivered | lost | successes with undelivered alerts | duplicate deliveries | faults injected |");
        lines.add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        lines.addAll(TABLE);
        String table = String.join("\n", lines) + "\n";
        System.out.println("Fault injection results:\n" + table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/fault-report.md"), table);
    }
}
