package dev.ssmauditor.state;

import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.sessions.SessionTerminator;
import dev.ssmauditor.audit.TerminationLedger;

import dev.ssmauditor.audit.AlertKey;
import dev.ssmauditor.audit.LedgerClaim;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.audit.SweepMark;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.testing.LocalDynamoDb;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ledger through the real DynamoDB client against dynalite, a DynamoDB-compatible engine. */
class DynamoDbAlertLedgerTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();

    private DynamoDbAlertLedger ledger() {
        return new DynamoDbAlertLedger(new AwsClientFactory(System.getenv()).dynamoDb(), dynamo.table());
    }

    private static AlertKey key(String session, int reminder) {
        return new AlertKey("123456789012", "eu-west-1", session, RuleId.UNEXPECTED_OWNER, reminder);
    }

    private static LedgerClaim claim(String token, Instant now) {
        return new LedgerClaim(token, now, now.plusSeconds(65));
    }

    /** What the auditor does: read which keys are free, then claim each. */
    private static Set<AlertKey> claimAll(DynamoDbAlertLedger ledger, Collection<AlertKey> keys, LedgerClaim claim) {
        Set<AlertKey> won = new LinkedHashSet<>();
        for (AlertKey key : ledger.claimable(keys, claim).free()) {
            if (ledger.claim(key, claim)) {
                won.add(key);
            }
        }
        return won;
    }

    @Test
    void aKeyIsWonByOneClaimOnlyAndOnceSentByNoneAgain() {
        DynamoDbAlertLedger a = ledger();
        DynamoDbAlertLedger b = ledger();
        LedgerClaim first = claim("run-a", NOW);

        assertThat(claimAll(a, List.of(key("s-1", 0), key("s-2", 0)), first)).containsExactly(key("s-1", 0), key("s-2", 0));
        assertThat(claimAll(b, List.of(key("s-1", 0), key("s-3", 0)), claim("run-b", NOW))).as("s-1 is held by run-a")
                .containsExactly(key("s-3", 0));
        assertThat(b.claimable(List.of(key("s-1", 0)), claim("run-c", NOW)).heldElsewhere()).as("and said so").isEqualTo(1);
        assertThat(b.claim(key("s-1", 0), claim("run-c", NOW))).as("the conditional write decides even without the read")
                .isFalse();

        a.markSent(List.of(key("s-1", 0), key("s-2", 0)), first);
        assertThat(claimAll(b, List.of(key("s-1", 0), key("s-2", 0)), claim("run-c", NOW.plus(Duration.ofHours(1))))).isEmpty();
        assertThat(b.claimable(List.of(key("s-1", 0), key("s-4", 0)), claim("dry", NOW)).free()).containsExactly(key("s-4", 0));
    }

    @Test
    void aClaimWhoseRunDiedIsTakenOverAfterItsLeaseNotBefore() {
        DynamoDbAlertLedger ledger = ledger();
        claimAll(ledger, List.of(key("s-1", 0)), claim("died", NOW));

        assertThat(claimAll(ledger, List.of(key("s-1", 0)), claim("next", NOW.plusSeconds(60)))).as("lease still running").isEmpty();
        assertThat(claimAll(ledger, List.of(key("s-1", 0)), claim("later", NOW.plusSeconds(70)))).containsExactly(key("s-1", 0));
        assertThat(dynamo.items().get(key("s-1", 0).id()).get("claimToken").s()).isEqualTo("later");
    }

    @Test
    void aReleasedClaimIsFreeAtOnceButOnlyItsOwnerCanReleaseIt() {
        DynamoDbAlertLedger ledger = ledger();
        LedgerClaim mine = claim("mine", NOW);
        claimAll(ledger, List.of(key("s-1", 0), key("s-2", 0)), mine);

        ledger.release(List.of(key("s-1", 0)), claim("someone-else", NOW));
        assertThat(dynamo.items()).containsKey(key("s-1", 0).id());
        ledger.release(List.of(key("s-1", 0)), mine);
        assertThat(dynamo.items()).doesNotContainKey(key("s-1", 0).id()).containsKey(key("s-2", 0).id());
        assertThat(claimAll(ledger, List.of(key("s-1", 0)), claim("next", NOW))).containsExactly(key("s-1", 0));
    }

    @Test
    void itemsCarryAFormatVersionATtlPastThirtyDaysAndWhatWasAlerted() {
        DynamoDbAlertLedger ledger = ledger();
        LedgerClaim c = claim("run", NOW);
        claimAll(ledger, List.of(key("s-1", 2)), c);
        ledger.markSent(List.of(key("s-1", 2)), c);

        Map<String, AttributeValue> item = dynamo.items().get("alert#123456789012#eu-west-1#s-1#unexpected-owner#2");
        assertThat(item.get("v").n()).isEqualTo("1");
        assertThat(item.get("status").s()).isEqualTo("SENT");
        assertThat(Instant.ofEpochSecond(Long.parseLong(item.get("expiresAt").n())))
                .as("kept well after DescribeSessions forgets the session (30 days)").isEqualTo(NOW.plus(Duration.ofDays(45)));
        assertThat(item.get("sessionId").s()).isEqualTo("s-1");
        assertThat(item.get("rule").s()).isEqualTo("unexpected-owner");
        assertThat(item.get("reminder").n()).isEqualTo("2");
        assertThat(item.get("sentAt").s()).isEqualTo(NOW.toString());
    }

    @Test
    void moreKeysThanOneBatchReadAndWriteAreAllHandled() {
        DynamoDbAlertLedger ledger = ledger();
        List<AlertKey> keys = new ArrayList<>();
        for (int i = 0; i < 230; i++) {
            keys.add(key("s-" + i, 0));
        }
        LedgerClaim c = claim("run", NOW);
        assertThat(claimAll(ledger, keys, c)).hasSize(230);
        ledger.markSent(keys, c);
        assertThat(dynamo.items().values()).filteredOn(i -> "SENT".equals(i.get("status").s())).hasSize(230);
        assertThat(claimAll(ledger(), keys, claim("other", NOW))).isEmpty();
    }

    @Test
    void theLastCompleteSweepNeverMovesBackUnlessTheStoredOneWasRejected() {
        DynamoDbAlertLedger ledger = ledger();
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).isEmpty();

        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(NOW, null), false);
        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(NOW.minusSeconds(300), null), false);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).contains(new SweepMark(NOW, null));

        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(NOW, NOW.minus(Duration.ofHours(6))), false);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).contains(new SweepMark(NOW, NOW.minus(Duration.ofHours(6))));
        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(NOW.plusSeconds(300), null), false);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).as("complete: the cursor is gone")
                .contains(new SweepMark(NOW.plusSeconds(300), null));

        Instant future = Instant.parse("2030-01-01T00:00:00Z");
        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(future, null), false);
        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(NOW, null), true);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).contains(new SweepMark(NOW, null));
        assertThat(ledger.lastSweep("123456789012", "us-east-1")).as("one record per account and region").isEmpty();
        assertThat(dynamo.items().get("sweep#123456789012#eu-west-1").get("v").n()).isEqualTo("1");
    }

    @Test
    void anUnreachableTableIsALedgerUnavailableErrorNamingTheTable() {
        dynamo.unreachable();
        DynamoDbAlertLedger ledger = new DynamoDbAlertLedger(new AwsClientFactory(System.getenv(),
                new dev.ssmauditor.aws.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(1),
                        Duration.ofMillis(2), Duration.ofSeconds(2), Duration.ofSeconds(4)), null).dynamoDb(), dynamo.table());
        assertThatThrownBy(() -> ledger.claimable(Set.of(key("s-1", 0)), claim("run", NOW)))
                .isInstanceOf(LedgerUnavailableException.class).hasMessageContaining("BatchGetItem")
                .hasMessageContaining(dynamo.table());
    }

    @Test
    void aClaimWhoseFirstAttemptSucceededUnseenIsStillWonOnTheRetry() {
        // On real DynamoDB an attempt can succeed and its answer be lost; the SDK's retry then fails the condition on
        // the claim that attempt made. ReturnValuesOnConditionCheckFailure shows whose claim it is. (dynalite ignores
        // the option, so a local endpoint plays DynamoDB's answer here.)
        WireMockServer fake = new WireMockServer(options().dynamicPort());
        fake.start();
        try {
            System.setProperty(LocalDynamoDb.ENDPOINT_PROPERTY, fake.baseUrl());
            fake.stubFor(post(urlEqualTo("/")).withRequestBody(containing("ALL_OLD")).willReturn(aResponse().withStatus(400)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                            + "\"message\":\"The conditional request failed\",\"Item\":{\"pk\":{\"S\":\"x\"},"
                            + "\"status\":{\"S\":\"INPROGRESS\"},\"claimToken\":{\"S\":\"mine\"}}}")));
            DynamoDbAlertLedger ledger = ledger();

            assertThat(ledger.claim(key("s-1", 0), claim("mine", NOW))).isTrue();
            assertThat(ledger.claim(key("s-1", 0), claim("someone-else", NOW))).isFalse();
        } finally {
            fake.stop();
        }
    }

    @Test
    void sightingsAreKeptPerAccountRegionAndSessionAndExpire() {
        DynamoDbAlertLedger ledger = ledger();
        ledger.record("123456789012", "eu-west-1", "alice-1", NOW);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ids.add("s-" + i); // more than one batch
        }
        ids.add("alice-1");
        assertThat(ledger.unseen("123456789012", "eu-west-1", ids)).hasSize(150).doesNotContain("alice-1");
        assertThat(ledger.unseen("210987654321", "eu-west-1", List.of("alice-1"))).containsExactly("alice-1");
        assertThat(ledger.unseen("123456789012", "us-east-1", List.of("alice-1"))).containsExactly("alice-1");
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item =
                dynamo.items().get("started#123456789012#eu-west-1#alice-1");
        assertThat(item.get("startedAt").s()).isEqualTo(NOW.toString());
        assertThat(Long.parseLong(item.get("expiresAt").n())).isGreaterThan(Instant.now().plus(Duration.ofDays(6)).getEpochSecond());
    }

    @Test
    void howFarTheEventPathWasCheckedMovesOnlyForwardUnlessReplacedAndCanBeForgotten() {
        DynamoDbAlertLedger ledger = ledger();
        Instant checked = NOW.minusSeconds(600);
        ledger.checkedUpTo("123456789012", "eu-west-1", checked, false);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).contains(new SweepMark(null, null, checked));
        // The sweep's own record leaves it alone, and it leaves the sweep's alone.
        ledger.saveSweep("123456789012", "eu-west-1", new SweepMark(NOW, null), false);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).contains(new SweepMark(NOW, null, checked));
        ledger.checkedUpTo("123456789012", "eu-west-1", checked.minusSeconds(300), false);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1").orElseThrow().eventsCheckedTo()).as("never backwards")
                .isEqualTo(checked);
        ledger.checkedUpTo("123456789012", "eu-west-1", checked.minusSeconds(300), true);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1").orElseThrow().eventsCheckedTo()).as("unless replaced")
                .isEqualTo(checked.minusSeconds(300));
        ledger.checkedUpTo("123456789012", "eu-west-1", null, true);
        assertThat(ledger.lastSweep("123456789012", "eu-west-1")).contains(new SweepMark(NOW, null, null));
        ledger.checkedUpTo("123456789012", "us-east-1", null, true);
        assertThat(ledger.lastSweep("123456789012", "us-east-1")).as("forgetting creates nothing").isEmpty();
    }

    private static final TerminationLedger.SessionRef SESSION = new TerminationLedger.SessionRef("123456789012", "eu-west-1", "s-9");

    private static SessionTerminator.Result result(Remediation.Outcome outcome, String error) {
        return new SessionTerminator.Result(outcome, NOW.plusSeconds(1), error, 1);
    }

    @Test
    void aSessionIsClaimedForTerminationByOneRunAndOnceEndedByNoneAgain() {
        DynamoDbAlertLedger a = ledger();
        LedgerClaim first = claim("run-a", NOW);
        TerminationLedger.Claim won = a.claim(SESSION, RuleId.UNEXPECTED_TARGET, first);
        assertThat(won.won()).isTrue();
        assertThat(won.previous()).isNull();

        TerminationLedger.Claim meanwhile = ledger().claim(SESSION, RuleId.UNEXPECTED_TARGET, claim("run-b", NOW.plusSeconds(1)));
        assertThat(meanwhile.won()).isFalse();
        assertThat(meanwhile.previous().status()).isEqualTo(TerminationLedger.Status.INPROGRESS);

        a.finish(SESSION, first, result(Remediation.Outcome.TERMINATED, null));
        a.reported(SESSION, Remediation.Outcome.TERMINATED);
        // Long after every lease: an ended session is never claimed again, and the loser learns what became of it.
        TerminationLedger.Claim later = ledger().claim(SESSION, RuleId.UNEXPECTED_TARGET, claim("run-c", NOW.plusSeconds(3600)));
        assertThat(later.won()).isFalse();
        assertThat(later.previous().status()).isEqualTo(TerminationLedger.Status.ENDED);
        assertThat(later.previous().outcome()).isEqualTo(Remediation.Outcome.TERMINATED);
        assertThat(later.previous().at()).isEqualTo(NOW.plusSeconds(1));
        assertThat(later.previous().reported()).isEqualTo(Remediation.Outcome.TERMINATED);
    }

    @Test
    void aFailedAttemptIsRetriedOnlyAfterItsLeaseAndTheRetryLearnsWhatWasReported() {
        DynamoDbAlertLedger ledger = ledger();
        LedgerClaim first = claim("run-a", NOW);
        ledger.claim(SESSION, RuleId.UNEXPECTED_TARGET, first);
        ledger.finish(SESSION, first, result(Remediation.Outcome.TERMINATE_FAILED, "ThrottlingException: Rate exceeded"));
        ledger.reported(SESSION, Remediation.Outcome.TERMINATE_FAILED);

        TerminationLedger.Claim tooSoon = ledger.claim(SESSION, RuleId.UNEXPECTED_TARGET, claim("run-b", NOW.plusSeconds(30)));
        assertThat(tooSoon.won()).isFalse();
        assertThat(tooSoon.previous().status()).isEqualTo(TerminationLedger.Status.FAILED);
        assertThat(tooSoon.previous().error()).contains("ThrottlingException");

        TerminationLedger.Claim retry = ledger.claim(SESSION, RuleId.UNEXPECTED_TARGET, claim("run-c", NOW.plusSeconds(300)));
        assertThat(retry.won()).isTrue();
        assertThat(retry.previous().status()).isEqualTo(TerminationLedger.Status.FAILED);
        assertThat(retry.previous().reported()).isEqualTo(Remediation.Outcome.TERMINATE_FAILED);
        assertThat(retry.previous().attempts()).isEqualTo(1);
    }

    @Test
    void onlyTheClaimingRunRecordsItsOutcome() {
        DynamoDbAlertLedger ledger = ledger();
        LedgerClaim died = claim("died", NOW);
        ledger.claim(SESSION, RuleId.UNEXPECTED_TARGET, died);
        LedgerClaim takeover = claim("takeover", NOW.plusSeconds(120));
        assertThat(ledger.claim(SESSION, RuleId.UNEXPECTED_TARGET, takeover).won()).as("the first run died: its lease passed").isTrue();

        ledger.finish(SESSION, died, result(Remediation.Outcome.TERMINATE_FAILED, "late"));
        ledger.finish(SESSION, takeover, result(Remediation.Outcome.TERMINATED, null));

        TerminationLedger.Entry now = ledger.claim(SESSION, RuleId.UNEXPECTED_TARGET, claim("x", NOW.plusSeconds(9999))).previous();
        assertThat(now.outcome()).isEqualTo(Remediation.Outcome.TERMINATED);
        assertThat(now.attempts()).isEqualTo(2);
    }
}
