package dev.ssmauditor.sessions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DescribeSessions data as the wire may really carry it, through the real SsmClient. */
class SsmSessionSourceTest {

    private static final Instant START = Instant.parse("2026-11-30T10:15:30.250Z");

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private SsmSessionSource source() {
        return new SsmSessionSource(new AwsClientFactory(System.getenv()).ssm());
    }

    @Test
    void mapsEveryFieldAndNormalisesTheOwner() {
        ObjectNode s = FakeSsm.session("alice-0a1b", "i-0abc", "aws:sts::123456789012:assumed-role/Admin/alice",
                "SSM-SessionManagerRunShell", START);
        s.put("Status", "Connected").put("Reason", "Zertifikate erneuern – ünïcödé ✓").put("MaxSessionDuration", "60")
                .put("AccessType", "JustInTime").put("Details", "reserved");
        aws.ssm().setActive(List.of(s));

        SessionListing listing = source().activeSessions();

        assertThat(listing.pages()).isEqualTo(1);
        assertThat(listing.sessions()).containsExactly(new Session("alice-0a1b", "i-0abc", "Connected", START, null,
                "SSM-SessionManagerRunShell", "arn:aws:sts::123456789012:assumed-role/Admin/alice",
                "Zertifikate erneuern – ünïcödé ✓", "60", "JustInTime"));
    }

    @Test
    void aSessionWithNoFieldsAtAllIsStillListed() {
        ObjectNode empty = FakeSsm.session("x", null, null, null, null);
        empty.remove("SessionId");
        empty.remove("Status");
        aws.ssm().setActive(List.of(empty));

        assertThat(source().activeSessions().sessions())
                .containsExactly(new Session(null, null, null, null, null, null, null, null, null, null));
    }

    @Test
    void unknownStatusesAndLongTargetsPassThrough() {
        String target = "i-" + "a".repeat(398);
        ObjectNode s = FakeSsm.session("odd-1", target, "arn:aws:iam::123456789012:user/x", "D", START).put("Status", "Hibernating");
        aws.ssm().setActive(List.of(s));

        Session session = source().activeSessions().sessions().get(0);
        assertThat(session.status()).isEqualTo("Hibernating");
        assertThat(session.target()).hasSize(400);
    }

    @Test
    void anEmptyPageWithATokenIsFollowed() {
        aws.ssm().page(null, List.of(), "page-2");
        aws.ssm().page("page-2", List.of(), "page-3");
        aws.ssm().page("page-3", List.of(FakeSsm.session("late-1", "i-1", "o", "d", START)), null);

        SessionListing listing = source().activeSessions();

        assertThat(listing.pages()).isEqualTo(3);
        assertThat(listing.sessions()).extracting(Session::sessionId).containsExactly("late-1");
    }

    @Test
    void aRepeatedTokenStopsTheListingLoudly() {
        aws.ssm().page(null, List.of(FakeSsm.session("a", "i-1", "o", "d", START)), "page-2");
        aws.ssm().page("page-2", List.of(FakeSsm.session("b", "i-1", "o", "d", START)), "page-2");

        assertThatThrownBy(() -> source().activeSessions())
                .isInstanceOf(SessionListingException.class)
                .hasMessageContaining("NextToken page-2 a second time")
                .hasMessageContaining("page 2, 2 sessions so far");
        assertThat(aws.ssm().describeSessionsRequests()).hasSize(2);
    }

    @Test
    void noSessionsAtAll() {
        aws.ssm().setActive(List.of());
        SessionListing listing = source().activeSessions();
        assertThat(listing.sessions()).isEmpty();
        assertThat(listing.pages()).isEqualTo(1);
    }
}
