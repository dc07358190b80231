package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A simulated morning, through the real handler and SDK clients against local SSM (DescribeSessions), SNS and
 * the alert ledger in a real DynamoDB-compatible engine: 21 scheduled runs five minutes apart, sessions starting,
 * crossing their limit, coming and going between runs and ending, a policy change, a run whose publish fails, a
 * retried event and an out-of-order older event. The expected alerts are written out by hand, run by run.
 */
class AlertTimelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private final Map<String, ObjectNode> active = new LinkedHashMap<>();
    private final List<ObjectNode> history = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private static Instant at(String hhmm) {
        return Instant.parse("2026-11-30T" + hhmm + ":00Z");
    }

    private AuditHandler handler(int maxSessionMinutes) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("STATE_TABLE", dynamo.table());
        env.put("ALLOWED_OWNERS", ADMIN + "*");
        env.put("MAX_SESSION_MINUTES", Integer.toString(maxSessionMinutes));
        env.put("REMIND_EVERY_MINUTES", "60");
        // The function's clock: later than every event of the day (an event from the future is not trusted).
        return new AuditHandler(env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Clock.fixed(Instant.parse("2026-11-30T23:00:00Z"), ZoneOffset.UTC));
    }

    private void start(String id, String owner, String hhmm) {
        active.put(id, FakeSsm.session(id, "i-0web1", owner, "SSM-SessionManagerRunShell", at(hhmm)));
    }

    private void end(String id, String hhmm) {
        history.add(FakeSsm.ended(active.remove(id), at(hhmm)));
    }

    /** Runs the scheduled event of {@code hhmm}; returns the alerts it published as "session rule rN[ ended]". */
    private List<String> run(AuditHandler handler, String hhmm) {
        aws.ssm().setActive(new ArrayList<>(active.values()));
        aws.ssm().setHistory(history);
        int before = aws.sns().delivered().size();
        String event = "{\"version\":\"0\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                + "\"account\":\"123456789012\",\"time\":\"" + at(hhmm) + "\",\"region\":\"eu-west-1\",\"detail\":{}}";
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(),
                    new FakeContext());
        } catch (Exception e) {
            failures.add(hhmm + " " + e.getClass().getSimpleName());
        }
        List<String> alerts = new ArrayList<>();
        List<Map<String, String>> publishes = aws.sns().delivered();
        for (Map<String, String> p : publishes.subList(before, publishes.size())) {
            if (!p.containsKey("Message")) {
                continue;
            }
            try {
                JsonNode body = JSON.readTree(JSON.readTree(p.get("Message")).get("default").asText());
                for (JsonNode v : body.get("violations")) {
                    alerts.add(v.get("sessionId").asText() + " " + v.get("rule").asText() + " r" + v.get("reminder").asInt()
                            + (v.get("ended").asBoolean() ? " ended" : ""));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return alerts;
    }

    /** The last complete sweep the ledger holds for the account and region. */
    private Instant lastSweep() {
        var item = dynamo.items().get("sweep#123456789012#eu-west-1");
        return item == null || !item.containsKey("lastCompleteSweepMs") ? null
                : Instant.ofEpochMilli(Long.parseLong(item.get("lastCompleteSweepMs").n()));
    }

    @Test
    void eachViolationOnceRemindersOnTimeNothingLostSweepNeverBack() throws Exception {
        aws.sns().acceptPublishes();
        AuditHandler hourLimit = handler(60);
        start("alice-01", ADMIN + "alice", "11:50");

        assertThat(run(hourLimit, "12:00")).isEmpty();
        assertThat(lastSweep()).isEqualTo(at("12:00"));

        start("mallory-02", "arn:aws:iam::123456789012:user/mallory", "12:02");
        assertThat(run(hourLimit, "12:05")).containsExactly("mallory-02 unexpected-owner r0");

        assertThat(run(hourLimit, "12:10")).isEmpty();

        start("trudy-03", "arn:aws:iam::123456789012:user/trudy", "12:11");
        end("trudy-03", "12:13"); // came and went between two runs
        assertThat(run(hourLimit, "12:15")).containsExactly("trudy-03 unexpected-owner r0 ended");
        assertThat(run(hourLimit, "12:20")).isEmpty();
        assertThat(run(hourLimit, "12:25")).isEmpty();

        // A deployment lowers the limit to 45 minutes: what is newly violating is alerted as it comes, and mallory's
        // unexpected-owner violation, alerted already, is not alerted again.
        AuditHandler limit45 = handler(45);
        assertThat(run(limit45, "12:30")).isEmpty();
        // alice reaches 45 minutes at 12:35, which is allowed; she is past it from then on.
        assertThat(run(limit45, "12:35")).isEmpty();

        // SNS is down for the 12:40 run: bob's violation is not delivered and the run fails...
        start("bob-04", "arn:aws:iam::123456789012:user/bob", "12:37");
        aws.sns().failPublishes(500, "InternalError");
        assertThat(run(limit45, "12:40")).as("alice and bob, undelivered").isEmpty();
        assertThat(failures).containsExactly("12:40 InternalErrorException");
        assertThat(lastSweep()).as("a failed run records no sweep").isEqualTo(at("12:35"));
        assertThat(aws.sns().publishes().size()).as("the SDK tried three times").isGreaterThanOrEqualTo(3);
        // ...and the next run delivers it.
        aws.sns().acceptPublishes();
        assertThat(run(limit45, "12:45")).containsExactly("bob-04 unexpected-owner r0", "alice-01 long-running r0");
        // Lambda retries the 12:45 event after all: nothing new.
        assertThat(run(limit45, "12:45")).isEmpty();

        // mallory, 12:02, passes 45 minutes at 12:47
        assertThat(run(limit45, "12:50")).containsExactly("mallory-02 long-running r0");
        assertThat(run(limit45, "12:55")).isEmpty();
        assertThat(run(limit45, "13:00")).isEmpty();
        // mallory started 12:02: reminded at 13:02, by the 13:05 run
        assertThat(run(limit45, "13:05")).containsExactly("mallory-02 unexpected-owner r1");
        end("mallory-02", "13:08");
        for (String t : List.of("13:10", "13:15", "13:20")) {
            assertThat(run(limit45, t)).as(t).isEmpty();
        }
        // bob, 12:37, passes 45 minutes at 13:22
        assertThat(run(limit45, "13:25")).containsExactly("bob-04 long-running r0");
        assertThat(run(limit45, "13:30")).isEmpty();
        assertThat(run(limit45, "13:35")).isEmpty();
        // bob's reminder is due 12:37 + 60 min, alice's just after 12:35 + 60 min
        assertThat(run(limit45, "13:40")).containsExactly("bob-04 unexpected-owner r1", "alice-01 long-running r1");
        assertThat(lastSweep()).isEqualTo(at("13:40"));

        // An old event arrives late: it sends nothing (no earlier reminder either) and does not move the sweep back.
        assertThat(run(limit45, "12:20")).isEmpty();
        assertThat(lastSweep()).isEqualTo(at("13:40"));
        assertThat(failures).hasSize(1);
    }

    @Test
    void aRunThatFailedEntirelyIsCoveredByTheNext() throws Exception {
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(60);
        assertThat(run(handler, "12:00")).isEmpty();
        start("eve-05", "arn:aws:iam::123456789012:user/eve", "12:03");

        // The 12:05 run never happens (say, SSM throttled it to death); the 12:10 run still alerts eve.
        assertThat(run(handler, "12:10")).containsExactly("eve-05 unexpected-owner r0");
        assertThat(lastSweep()).isEqualTo(at("12:10"));
        assertThat(Duration.between(at("12:00"), at("12:10"))).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aSessionListedLateIsAlertedOnceAndOneListedInTimeIsNotAlertedAgain() {
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(60);
        start("seen-07", "arn:aws:iam::123456789012:user/seen", "11:59");
        assertThat(run(handler, "12:00")).containsExactly("seen-07 unexpected-owner r0");

        // DescribeSessions shows this one only now, though it started before the 12:00 run.
        start("late-08", "arn:aws:iam::123456789012:user/late", "11:58");
        assertThat(run(handler, "12:05")).containsExactly("late-08 unexpected-owner r0");
        assertThat(run(handler, "12:10")).isEmpty();

        // Listed 45 minutes late: a watermark could not alert it (it began long before the last run); the ledger does,
        // once.
        start("later-10", "arn:aws:iam::123456789012:user/later", "11:30");
        assertThat(run(handler, "12:15")).containsExactly("later-10 unexpected-owner r0");
        assertThat(run(handler, "12:20")).isEmpty();
    }

    @Test
    void aSessionThatPassedItsLimitAndEndedBetweenRunsIsReported() {
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(60);
        start("long-09", ADMIN + "dana", "11:01");
        assertThat(run(handler, "12:00")).as("59 minutes: within the limit").isEmpty();
        end("long-09", "12:03"); // passed 60 minutes at 12:01, gone before the next run
        assertThat(run(handler, "12:05")).containsExactly("long-09 long-running r0 ended");
        assertThat(run(handler, "12:10")).isEmpty();
    }

    @Test
    void aSessionListedBothActiveAndEndedIsAlertedOnce() {
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(60);
        start("zed-06", "arn:aws:iam::123456789012:user/zed", "11:58");
        ObjectNode still = active.get("zed-06");
        history.add(FakeSsm.ended(still, at("12:00"))); // ended between the two listings
        assertThat(run(handler, "12:00")).containsExactly("zed-06 unexpected-owner r0");
    }
}
