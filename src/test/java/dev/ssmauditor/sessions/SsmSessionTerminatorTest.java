package dev.ssmauditor.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.alert.Remediation.Outcome;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.Faults;
import dev.ssmauditor.testing.LocalAws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** TerminateSession and the DescribeSessions calls that confirm it, through the real SsmClient on the wire. */
class SsmSessionTerminatorTest {

    private static final Instant START = Instant.parse("2026-11-30T11:00:00Z");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:03:05Z"), ZoneOffset.UTC);

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private SsmSessionTerminator terminator() {
        return new SsmSessionTerminator(new AwsClientFactory(System.getenv()).ssm(), CallBudget.unlimited(), null, CLOCK,
                java.time.Duration.ZERO);
    }

    private static ObjectNode session(String id) {
        return FakeSsm.session(id, "i-0db1", "arn:aws:iam::123456789012:user/x", "SSM-SessionManagerRunShell", START);
    }

    @Test
    void anActiveSessionIsEndedAndConfirmedGone() {
        aws.ssm().setActive(List.of(session("s-1"), session("s-2")));

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.at()).isEqualTo(CLOCK.instant());
        assertThat(r.terminateCalls()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).containsOnlyKeys("s-1");
        // Before and after: each DescribeSessions asked for this one session, by the SessionId filter.
        List<JsonNode> asked = aws.ssm().describeSessionsBodies("Active");
        assertThat(asked).hasSize(2).allSatisfy(b -> {
            assertThat(b.get("Filters").get(0).get("key").asText()).isEqualTo("SessionId");
            assertThat(b.get("Filters").get(0).get("value").asText()).isEqualTo("s-1");
        });
    }

    @Test
    void aSessionAlreadyInTheHistoryIsNotEndedAgain() {
        aws.ssm().setHistory(List.of(FakeSsm.ended(session("s-1"), Instant.parse("2026-11-30T12:01:00Z"))));

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.ALREADY_ENDED);
        assertThat(r.at()).isEqualTo(Instant.parse("2026-11-30T12:01:00Z"));
        assertThat(aws.ssm().terminateCalls("s-1")).isZero();
    }

    @Test
    void aSessionAlreadyTerminatingIsNotEndedAgain() {
        aws.ssm().setActive(List.of(session("s-1").put("Status", "Terminating")));

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.ALREADY_ENDED);
        assertThat(aws.ssm().terminateCalls("s-1")).isZero();
    }

    @Test
    void aSessionListedNowhereYetIsEndedAnywayButCountsAsEndedOnlyOnceSeenOver() {
        SessionTerminator.Result r = terminator().terminate("s-new");

        assertThat(aws.ssm().terminateCalls("s-new")).isEqualTo(1);
        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATE_FAILED);
        assertThat(r.error()).startsWith("not confirmed");
    }

    @Test
    void aSessionListedWithoutAStatusIsEndedLikeAnyOther() {
        ObjectNode bare = session("s-1");
        bare.remove("Status");
        aws.ssm().setActive(List.of(bare));

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(aws.ssm().timesTerminated("s-1")).isEqualTo(1);
    }

    @Test
    void aSessionStillConnectedAfterTheCallIsAFailure() {
        aws.ssm().setActive(List.of(session("s-1")));
        aws.ssm().stubborn("s-1");

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATE_FAILED);
        assertThat(r.error()).isEqualTo("still Connected after TerminateSession");
    }

    @Test
    void aCallFailingAfterTheSdkRetriesIsAFailureNamingTheStep() {
        aws.ssm().setActive(List.of(session("s-1")));
        aws.ssm().faults().set(0, 1, 0, 0, 0, false, java.util.Set.of("TerminateSession"));

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATE_FAILED);
        assertThat(r.error()).startsWith("TerminateSession failed: InternalServerError");
        assertThat(aws.ssm().terminatedSessions()).isEmpty();
    }

    @Test
    void aRefusalNamesThePermissionAndTheTemplateSetting() {
        aws.ssm().setActive(List.of(session("s-1")));
        aws.ssm().denyTerminate(true);

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATE_FAILED);
        assertThat(r.error()).contains("AccessDeniedException").contains("ssm:TerminateSession").contains("TerminateRules");
    }

    @Test
    void aThrottledCallIsRetriedByTheSdk() {
        aws.ssm().setActive(List.of(session("s-1")));
        aws.ssm().faults().next("TerminateSession", Faults.Kind.THROTTLE, Faults.Kind.SERVER_ERROR);

        SessionTerminator.Result r = terminator().terminate("s-1");

        assertThat(r.outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(aws.ssm().faults().injected()).isEqualTo(2);
        assertThat(aws.ssm().timesTerminated("s-1")).isEqualTo(1);
    }
}
