package dev.ssmauditor.coverage;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.CoverageAlertComposer;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Gaps alerted when they open and when they close, once, against an in-memory ledger. */
class CoverageGapsTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final AccountRegion A = new AccountRegion(new MemberAccount("111111111111", "Prod"), "eu-west-1");
    private static final AccountRegion B = new AccountRegion(new MemberAccount("222222222222", null), "us-east-1");

    private final Map<String, Instant> open = new HashMap<>();
    private final List<AlertMessage> sent = new ArrayList<>();
    private boolean publishFails;
    private boolean ledgerDown;

    private final CoverageGapLedger ledger = new CoverageGapLedger() {
        @Override
        public Map<String, Instant> openGaps(Collection<String> labels) {
            if (ledgerDown) {
                throw new LedgerUnavailableException("down", null);
            }
            Map<String, Instant> found = new HashMap<>();
            labels.forEach(l -> {
                if (open.containsKey(l)) {
                    found.put(l, open.get(l));
                }
            });
            return found;
        }

        @Override
        public boolean open(String label, String reason, Instant since) {
            return open.putIfAbsent(label, since) == null;
        }

        @Override
        public boolean close(String label) {
            return open.remove(label) != null;
        }
    };

    private final AlertPublisher publisher = new AlertPublisher() {
        @Override
        public void publish(List<AlertMessage> messages) {
            if (publishFails) {
                throw new IllegalStateException("SNS down");
            }
            sent.addAll(messages);
        }

        @Override
        public boolean delivers() {
            return true;
        }
    };

    private CoverageGaps gaps(boolean dryRun) {
        return new CoverageGaps(ledger, new CoverageAlertComposer(new JsonFactory()), publisher, dryRun,
                new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.FATAL, new JsonFactory()));
    }

    private static UnitOutcome failed(AccountRegion u) {
        return new UnitOutcome(u, null, "sts:AssumeRole refused", 2, null);
    }

    private static UnitOutcome audited(AccountRegion u) {
        return new UnitOutcome(u, new AuditReport(T, 0, 0, 1, List.of(), List.of(), 0, false, null, null, true, null, 0, null,
                Duration.ZERO, Map.of(), null), null, 1, null);
    }

    @Test
    void aGapIsAlertedWhenItOpensAndWhenItClosesOnly() {
        CoverageGaps gaps = gaps(false);
        assertThat(gaps.update(List.of(failed(A), audited(B)), T, false).opened()).hasSize(1);
        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("SSM session audit: coverage gap, 1 account-region not audited");
            assertThat(m.defaultBody()).contains("\"type\":\"coverage\"", "\"accountName\":\"Prod\"", "\"region\":\"eu-west-1\"");
            assertThat(m.emailBody()).contains("111111111111 (Prod) eu-west-1: sts:AssumeRole refused");
        });
        assertThat(gaps.update(List.of(failed(A), audited(B)), T.plusSeconds(300), false).opened()).isEmpty();
        assertThat(sent).hasSize(1);

        CoverageGaps.Result recovered = gaps.update(List.of(audited(A), audited(B)), T.plusSeconds(600), false);
        assertThat(recovered.closed()).singleElement().satisfies(c -> assertThat(c.since()).isEqualTo(T));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).subject()).isEqualTo("SSM session audit: 1 account-region audited again");
        gaps.update(List.of(audited(A), audited(B)), T.plusSeconds(900), false);
        assertThat(sent).hasSize(2);
    }

    @Test
    void aFailedPublishUndoesItsWritesSoTheNextRunAlertsTheChange() {
        CoverageGaps gaps = gaps(false);
        publishFails = true;
        assertThatThrownBy(() -> gaps.update(List.of(failed(A)), T, false)).hasMessage("SNS down");
        assertThat(open).isEmpty();
        publishFails = false;
        assertThat(gaps.update(List.of(failed(A)), T, false).opened()).hasSize(1);

        publishFails = true;
        assertThatThrownBy(() -> gaps.update(List.of(audited(A)), T.plusSeconds(60), false));
        assertThat(open).containsKey(A.label());
        publishFails = false;
        assertThat(gaps.update(List.of(audited(A)), T.plusSeconds(120), false).closed()).hasSize(1);
    }

    @Test
    void manyChangesGoInNumberedPartsAndAFailedPartUndoesOnlyItselfAndWhatFollows() {
        List<UnitOutcome> failing = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            failing.add(failed(new AccountRegion(new MemberAccount(String.format("%012d", 300_000_000_000L + i), null), "eu-west-1")));
        }
        AlertPublisher secondFails = new AlertPublisher() {
            @Override
            public void publish(List<AlertMessage> messages) {
                if (!sent.isEmpty()) {
                    throw new IllegalStateException("SNS down");
                }
                sent.addAll(messages);
            }

            @Override
            public boolean delivers() {
                return true;
            }
        };
        CoverageGaps gaps = new CoverageGaps(ledger, new CoverageAlertComposer(new JsonFactory()), secondFails, false,
                new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.FATAL, new JsonFactory()));

        assertThatThrownBy(() -> gaps.update(failing, T, false)).hasMessage("SNS down");

        assertThat(sent).singleElement().satisfies(m -> assertThat(m.subject()).endsWith("[part 1/2]"));
        assertThat(open).hasSize(CoverageAlertComposer.PER_MESSAGE).containsKey(failing.get(0).unit().label())
                .doesNotContainKey(failing.get(149).unit().label());
    }

    @Test
    void aDryRunReadsButWritesNothing() {
        open.put(B.label(), T);
        CoverageGaps.Result r = gaps(true).update(List.of(failed(A), audited(B)), T, false);
        assertThat(r.opened()).hasSize(1);
        assertThat(r.closed()).hasSize(1);
        assertThat(open).containsOnlyKeys(B.label());
    }

    @Test
    void withoutTheLedgerEveryGapIsAlertedSayingItMayRepeat() {
        ledgerDown = true;
        CoverageGaps.Result r = gaps(false).update(List.of(failed(A), audited(B)), T, false);
        assertThat(r.opened()).hasSize(1);
        assertThat(r.ledgerErrors()).isEqualTo(1);
        assertThat(sent).singleElement().satisfies(m -> assertThat(m.defaultBody()).contains("\"mayRepeat\":true"));
    }

    @Test
    void anAccountWhoseRegionsAreListedAgainClosesItsWholeAccountGap() {
        AccountRegion whole = new AccountRegion(A.account(), null);
        open.put(whole.label(), T);
        assertThat(gaps(false).update(List.of(audited(A)), T.plusSeconds(60), true).closed())
                .singleElement().satisfies(c -> assertThat(c.region()).isNull());
    }

    @Test
    void outOfTimeIsNotAGap() {
        UnitOutcome late = new UnitOutcome(A, null, "not started: out of time", 1, new IllegalStateException("late"));
        assertThat(gaps(false).update(List.of(late), T, false).opened()).isEmpty();
        assertThat(sent).isEmpty();
    }
}
