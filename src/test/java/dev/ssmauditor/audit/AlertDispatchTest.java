package dev.ssmauditor.audit;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AlertDispatchTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

    /** Sent keys fail their claim; after {@code downAfter} claims, the ledger is gone. */
    private static final class Ledger implements AlertLedger {
        final Set<String> sent = new LinkedHashSet<>();
        final List<String> calls = new ArrayList<>();
        int downAfter = Integer.MAX_VALUE;

        @Override
        public Optional<SweepMark> lastSweep(String account, String region) {
            return Optional.empty();
        }

        @Override
        public void saveSweep(String account, String region, SweepMark mark, boolean replace) {
        }

        @Override
        public Claimable claimable(Collection<AlertKey> keys, LedgerClaim claim) {
            calls.add("read");
            Set<AlertKey> free = new LinkedHashSet<>();
            keys.stream().filter(k -> !sent.contains(k.sessionId())).forEach(free::add);
            return new Claimable(free, 0);
        }

        @Override
        public boolean claim(AlertKey key, LedgerClaim claim) {
            if (calls.stream().filter(c -> c.startsWith("claim")).count() >= downAfter) {
                throw new LedgerUnavailableException("gone", null);
            }
            calls.add("claim " + key.sessionId());
            return !sent.contains(key.sessionId());
        }

        @Override
        public void markSent(Collection<AlertKey> keys, LedgerClaim claim) {
            keys.forEach(k -> sent.add(k.sessionId()));
        }

        @Override
        public void release(Collection<AlertKey> keys, LedgerClaim claim) {
        }
    }

    private final Ledger ledger = new Ledger();
    private final List<String> published = new ArrayList<>();

    private AlertDispatch dispatch(boolean readFirst) {
        AlertPublisher publisher = new AlertPublisher() {
            @Override
            public void publish(List<AlertMessage> messages) {
                messages.forEach(m -> m.alerts().forEach(a -> published.add(a.violation().session().sessionId())));
            }

            @Override
            public boolean delivers() {
                return true;
            }
        };
        return new AlertDispatch(new AlertComposer(new JsonFactory()), publisher, ledger, Clock.fixed(T, ZoneOffset.UTC),
                new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.FATAL, new JsonFactory()),
                Duration.ofSeconds(5), readFirst);
    }

    private static List<AlertPlanner.Candidate> candidates(String... sessions) {
        List<Violation> violations = new ArrayList<>();
        for (String s : sessions) {
            violations.add(new Violation(Session.withId(s).target("i-0db1").startDate(T), RuleId.UNEXPECTED_TARGET,
                    Severity.CRITICAL, Duration.ZERO, "denied"));
        }
        return new AlertPlanner(Duration.ZERO).planStarted(violations, "123456789012", "eu-west-1", T, Detection.event(null, null));
    }

    private AlertDispatch.Outcome send(AlertDispatch dispatch, String... sessions) {
        return dispatch.send(candidates(sessions), (alerts, mayRepeat) -> new AuditFindings("123456789012", "eu-west-1", T, 1, 0,
                alerts, mayRepeat), new AuditRequest(T, "123456789012", "eu-west-1"), null);
    }

    @Test
    void withoutAReadFirstTheConditionalClaimAloneKeepsSentKeysOut() {
        ledger.sent.add("old");
        AlertDispatch.Outcome outcome = send(dispatch(false), "old", "new");
        assertThat(ledger.calls).containsExactly("claim old", "claim new");
        assertThat(published).containsExactly("new");
        assertThat(outcome.heldElsewhere()).isEqualTo(1);
    }

    @Test
    void withAReadFirstSentKeysAreNotEvenClaimed() {
        ledger.sent.add("old");
        send(dispatch(true), "old", "new");
        assertThat(ledger.calls).containsExactly("read", "claim new");
        assertThat(published).containsExactly("new");
    }

    @Test
    void aKeyWhoseClaimWasLostIsNotSentWhenTheLedgerGoesAwayAfterIt() {
        ledger.sent.add("old");
        ledger.downAfter = 1;
        AlertDispatch.Outcome outcome = send(dispatch(false), "old", "new");
        assertThat(outcome.ledgerDown()).isNotNull();
        assertThat(published).containsExactly("new");
    }
}
