package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.alert.Remediation.Outcome;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.RemediationPolicy;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import dev.ssmauditor.sessions.SessionTerminator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The decisions and their bookkeeping, with an in-memory ledger and a terminator that records what it is asked. */
class RemediatorTest {

    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T.plusSeconds(3), ZoneOffset.UTC);

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final JsonLog log = new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.DEBUG,
            new com.fasterxml.jackson.core.JsonFactory());
    private final MemoryLedger ledger = new MemoryLedger();
    private final List<String> asked = new ArrayList<>();
    private Outcome answer = Outcome.TERMINATED;

    private final SessionTerminator.Locator terminators = (account, region) -> id -> {
        asked.add(account + "/" + region + "/" + id);
        return new SessionTerminator.Result(answer, CLOCK.instant(), answer == Outcome.TERMINATE_FAILED ? "ThrottlingException" : null, 1);
    };

    private static Violation violation(String id, RuleId rule, String owner, String target, Instant since) {
        Session s = Session.withId(id).owner(owner).target(target).startDate(T.minusSeconds(3600));
        return new Violation(s, rule, Severity.HIGH, Duration.ofHours(1), "detail", since);
    }

    private static Violation target(String id) {
        return violation(id, RuleId.UNEXPECTED_TARGET, "arn:aws:sts::1:assumed-role/Admin/a", "i-0db1", T.minusSeconds(3600));
    }

    private Remediator remediator(RemediationPolicy policy, boolean dryRun) {
        return new Remediator(policy, dryRun, ledger, terminators, CLOCK, log, Duration.ofSeconds(5));
    }

    private static RemediationPolicy ending(RuleId rule, Duration grace) {
        return new RemediationPolicy(Map.of(rule, grace), PatternList.of("arn:aws:sts::*:assumed-role/BreakGlass/*"),
                PatternList.OFF);
    }

    private Remediations run(Remediator r, List<Violation> active, List<Violation> ended) {
        return r.remediate(active, ended, "111122223333", "eu-west-1", T, Detection.SWEEP, new AuditRequest(T, "111122223333",
                "eu-west-1", () -> 60_000));
    }

    @Test
    void nothingAskedNothingDoneAndEveryRemediationIsNull() {
        Remediations r = run(remediator(RemediationPolicy.NONE, false), List.of(target("s-1")), List.of());

        assertThat(r.counts()).isEqualTo(RemediationCounts.NONE);
        assertThat(r.followUps(List.of())).isEmpty();
        assertThat(r.of(target("s-1"), false)).isNull();
        assertThat(asked).isEmpty();
    }

    @Test
    void aSessionBreakingTwoTerminatingRulesIsEndedOnceAndBothViolationsSayIt() {
        RemediationPolicy policy = new RemediationPolicy(Map.of(RuleId.UNEXPECTED_TARGET, Duration.ZERO,
                RuleId.UNEXPECTED_DOCUMENT, Duration.ZERO), PatternList.OFF, PatternList.OFF);
        Violation doc = violation("s-1", RuleId.UNEXPECTED_DOCUMENT, "arn:aws:sts::1:assumed-role/Admin/a", "i-0db1",
                T.minusSeconds(3600));
        Violation notAsked = violation("s-1", RuleId.UNEXPECTED_OWNER, "arn:aws:sts::1:assumed-role/Admin/a", "i-0db1",
                T.minusSeconds(3600));

        Remediations r = run(remediator(policy, false), List.of(target("s-1"), doc, notAsked), List.of());

        assertThat(asked).containsExactly("111122223333/eu-west-1/s-1");
        assertThat(r.of(target("s-1"), false).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.of(doc, false).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.of(notAsked, false).outcome()).as("the session is over, whichever rule ended it").isEqualTo(Outcome.TERMINATED);
        assertThat(r.counts()).isEqualTo(new RemediationCounts(1, 0, 0, 0));
        assertThat(ledger.entries.get("s-1").status()).isEqualTo(TerminationLedger.Status.ENDED);
    }

    @Test
    void aDryRunAsksNobodyAndWritesNothing() {
        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), true), List.of(target("s-1")), List.of());

        assertThat(r.of(target("s-1"), false).outcome()).isEqualTo(Outcome.WOULD_TERMINATE);
        assertThat(asked).isEmpty();
        assertThat(ledger.entries).isEmpty();
        assertThat(r.counts()).isEqualTo(new RemediationCounts(0, 0, 0, 1));
        assertThat(r.followUps(List.of())).isEmpty();
    }

    @Test
    void anExemptOwnerIsNeverEnded() {
        Violation glass = violation("s-2", RuleId.UNEXPECTED_TARGET, "arn:aws:sts::1:assumed-role/BreakGlass/bob", "i-0db1",
                T.minusSeconds(3600));

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(glass), List.of());

        assertThat(asked).isEmpty();
        assertThat(r.of(glass, false).outcome()).isEqualTo(Outcome.EXEMPT);
        assertThat(r.of(glass, false).detail()).contains("BreakGlass");
    }

    @Test
    void withinItsGraceALongRunningSessionSaysWhenItWillBeEnded() {
        Instant since = T.minus(Duration.ofMinutes(10));
        Violation longRunning = violation("s-3", RuleId.LONG_RUNNING, "arn:aws:sts::1:assumed-role/Admin/a", "i-0a", since);

        Remediations r = run(remediator(ending(RuleId.LONG_RUNNING, Duration.ofMinutes(15)), false), List.of(longRunning), List.of());

        assertThat(asked).isEmpty();
        assertThat(r.of(longRunning, false).outcome()).isNull();
        assertThat(r.of(longRunning, false).terminateAt()).isEqualTo(since.plus(Duration.ofMinutes(15)));
    }

    @Test
    void anEndedSessionIsReportedAlreadyEndedWithoutACall() {
        Violation over = violation("s-4", RuleId.UNEXPECTED_TARGET, "arn:aws:sts::1:assumed-role/Admin/a", "i-0db1",
                T.minusSeconds(3600));
        Violation ended = new Violation(over.session().endDate(T.minusSeconds(60)), over.rule(), over.severity(), over.openFor(),
                over.detail(), over.since());

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(), List.of(ended));

        assertThat(asked).isEmpty();
        assertThat(r.of(ended, true).outcome()).isEqualTo(Outcome.ALREADY_ENDED);
        assertThat(r.of(ended, true).at()).isEqualTo(T.minusSeconds(60));
    }

    @Test
    void aSessionAnotherRunHoldsIsNotEndedHereAndItsRecordIsReported() {
        ledger.entries.put("s-5", new TerminationLedger.Entry(TerminationLedger.Status.ENDED, Outcome.TERMINATED, T.minusSeconds(30),
                T.plusSeconds(60), Outcome.TERMINATED, 1, null));
        ledger.held.add("s-5");

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-5")), List.of());

        assertThat(asked).isEmpty();
        assertThat(r.of(target("s-5"), false).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.of(target("s-5"), false).at()).isEqualTo(T.minusSeconds(30));
        assertThat(r.followUps(List.of())).as("this run did nothing to report").isEmpty();
        assertThat(r.counts()).isEqualTo(RemediationCounts.NONE);
    }

    @Test
    void aSessionEndedAfterItsViolationWasAlertedGetsOneFollowUpAndItIsRecordedAsReported() {
        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-6")), List.of());

        List<Alert> followUps = r.followUps(List.of());
        assertThat(followUps).singleElement().satisfies(a -> {
            assertThat(a.remediation().outcome()).isEqualTo(Outcome.TERMINATED);
            assertThat(a.remediation().followUp()).isTrue();
        });
        assertThat(r.followUps(List.of(new Alert(target("s-6"), 0, false)))).as("an alert carries it already").isEmpty();

        r.published(followUps);
        r.published(followUps);
        assertThat(ledger.reports).containsExactly("s-6 terminated");
    }

    @Test
    void aRetryThatFailsAgainIsNotNewsButOneThatSucceedsIs() {
        ledger.entries.put("s-7", new TerminationLedger.Entry(TerminationLedger.Status.FAILED, Outcome.TERMINATE_FAILED,
                T.minusSeconds(300), T.minusSeconds(200), Outcome.TERMINATE_FAILED, 1, "ThrottlingException"));
        answer = Outcome.TERMINATE_FAILED;
        Remediations again = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-7")), List.of());
        assertThat(again.followUps(List.of())).isEmpty();
        assertThat(again.counts().failed()).isEqualTo(1);

        answer = Outcome.TERMINATED;
        Remediations success = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-7")), List.of());
        assertThat(success.followUps(List.of())).singleElement()
                .satisfies(a -> assertThat(a.remediation().outcome()).isEqualTo(Outcome.TERMINATED));
        assertThat(asked).hasSize(2);
    }

    @Test
    void aLedgerThatCannotBeReachedDoesNotStopTheTermination() {
        ledger.down = true;

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-8")), List.of());

        assertThat(asked).containsExactly("111122223333/eu-west-1/s-8");
        assertThat(r.of(target("s-8"), false).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.ledgerErrors()).isEqualTo(1);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("termination not claimed");
    }

    @Test
    void withTooLittleTimeLeftNothingIsTriedAndTheAlertSaysSo() {
        Remediations r = remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false).remediate(List.of(target("s-9")),
                List.of(), "111122223333", "eu-west-1", T, Detection.SWEEP, new AuditRequest(T, "111122223333", "eu-west-1",
                        () -> 10_000));

        assertThat(asked).isEmpty();
        assertThat(ledger.entries).isEmpty();
        assertThat(r.of(target("s-9"), false).outcome()).isEqualTo(Outcome.TERMINATE_FAILED);
        assertThat(r.of(target("s-9"), false).detail()).contains("too little time");
        assertThat(r.counts().failed()).isEqualTo(1);
    }

    private static Violation endedAt(Violation v, Instant end) {
        return new Violation(v.session().endDate(end), v.rule(), v.severity(), v.openFor(), v.detail(), v.since());
    }

    @Test
    void aSessionAnotherRunIsEndingThisMomentIsLookedAtAgainAndItsOutcomeReported() {
        ledger.entries.put("s-10", new TerminationLedger.Entry(TerminationLedger.Status.INPROGRESS, null, null, T.plusSeconds(60),
                null, 1, null));
        ledger.held.add("s-10");
        ledger.finishesAfter = 2;

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-10")), List.of());

        assertThat(asked).isEmpty();
        assertThat(r.of(target("s-10"), false).outcome()).isEqualTo(Outcome.TERMINATED);
    }

    @Test
    void aSessionStillBeingEndedElsewhereAfterAFewLooksIsReportedAsSuch() {
        ledger.entries.put("s-11", new TerminationLedger.Entry(TerminationLedger.Status.INPROGRESS, null, null, T.plusSeconds(60),
                null, 1, null));
        ledger.held.add("s-11");

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-11")), List.of());

        assertThat(asked).isEmpty();
        assertThat(r.of(target("s-11"), false).outcome()).isNull();
        assertThat(r.of(target("s-11"), false).detail()).contains("another run");
    }

    @Test
    void aSessionTheAuditorEndedIsReportedTerminatedWhenListedOverAndItsUnpublishedOutcomeIsSentOnce() {
        Violation over = endedAt(target("s-12"), T.minusSeconds(200));
        ledger.entries.put("s-12", new TerminationLedger.Entry(TerminationLedger.Status.ENDED, Outcome.TERMINATED,
                T.minusSeconds(200), T.minusSeconds(100), null, 1, null));

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(), List.of(over));

        assertThat(asked).isEmpty();
        assertThat(r.of(over, true).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.of(over, true).at()).isEqualTo(T.minusSeconds(200));
        List<Alert> followUps = r.followUps(List.of());
        assertThat(followUps).singleElement().satisfies(a -> {
            assertThat(a.ended()).isTrue();
            assertThat(a.remediation().followUp()).isTrue();
        });
        assertThat(r.followUps(List.of(new Alert(over, 0, true)))).as("its own alert carries it").isEmpty();
        r.published(followUps);
        assertThat(ledger.reports).containsExactly("s-12 terminated");
    }

    @Test
    void aSessionOverWhoseEndWasReportedIsNotReportedAgainAndOneNeverEndedByTheAuditorIsAlreadyEnded() {
        Violation reported = endedAt(target("s-13"), T.minusSeconds(200));
        Violation byItself = endedAt(target("s-14"), T.minusSeconds(50));
        ledger.entries.put("s-13", new TerminationLedger.Entry(TerminationLedger.Status.ENDED, Outcome.TERMINATED,
                T.minusSeconds(200), T.minusSeconds(100), Outcome.TERMINATED, 1, null));

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(), List.of(reported, byItself));

        assertThat(r.of(reported, true).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.of(byItself, true).outcome()).isEqualTo(Outcome.ALREADY_ENDED);
        assertThat(r.of(byItself, true).at()).isEqualTo(T.minusSeconds(50));
        assertThat(r.followUps(List.of())).isEmpty();
    }

    @Test
    void aSessionOverWhileAnotherRunStillHoldsItsRecordIsNotCalledAlreadyEnded() {
        Violation over = endedAt(target("s-15"), T.minusSeconds(5));
        ledger.entries.put("s-15", new TerminationLedger.Entry(TerminationLedger.Status.INPROGRESS, null, null, T.plusSeconds(60),
                null, 1, null));

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(), List.of(over));

        assertThat(r.of(over, true).outcome()).isNull();
        assertThat(r.of(over, true).detail()).contains("another run");
        assertThat(r.followUps(List.of())).isEmpty();
    }

    @Test
    void aSessionOverAfterTheAuditorSaidItCouldNotEndItIsFollowedUpOnce() {
        Violation over = endedAt(target("s-16"), T.minusSeconds(5));
        ledger.entries.put("s-16", new TerminationLedger.Entry(TerminationLedger.Status.FAILED, Outcome.TERMINATE_FAILED,
                T.minusSeconds(400), T.minusSeconds(300), Outcome.TERMINATE_FAILED, 1, "ThrottlingException"));

        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(), List.of(over));

        assertThat(r.of(over, true).outcome()).isEqualTo(Outcome.ALREADY_ENDED);
        List<Alert> followUps = r.followUps(List.of());
        assertThat(followUps).singleElement().satisfies(a -> assertThat(a.remediation().outcome()).isEqualTo(Outcome.ALREADY_ENDED));
        r.published(followUps);
        assertThat(ledger.reports).containsExactly("s-16 already-ended");
    }

    @Test
    void aSessionEndedAfterItsGraceSaysWhenTheGraceEnded() {
        Instant since = T.minus(Duration.ofMinutes(40));
        Violation longRunning = violation("s-17", RuleId.LONG_RUNNING, "arn:aws:sts::1:assumed-role/Admin/a", "i-0a", since);

        Remediations r = run(remediator(ending(RuleId.LONG_RUNNING, Duration.ofMinutes(30)), false), List.of(longRunning), List.of());

        assertThat(r.of(longRunning, false).outcome()).isEqualTo(Outcome.TERMINATED);
        assertThat(r.of(longRunning, false).terminateAt()).isEqualTo(since.plus(Duration.ofMinutes(30)));
    }

    @Test
    void aFollowUpAnotherRunHasJustPublishedIsNotSentAgain() {
        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-18")), List.of());
        Map.Entry<String, TerminationLedger.Entry> e = Map.entry("s-18", ledger.entries.get("s-18"));
        ledger.entries.put(e.getKey(), new TerminationLedger.Entry(e.getValue().status(), e.getValue().outcome(), e.getValue().at(),
                e.getValue().leaseUntil(), Outcome.TERMINATED, e.getValue().attempts(), null));

        assertThat(r.followUps(List.of())).isEmpty();
        assertThat(r.followUps(List.of(), java.util.Set.of())).isEmpty();
    }

    @Test
    void aSessionWhoseAlertAnotherRunClaimedMeanwhileGetsNoFollowUpFromThisOne() {
        Remediations r = run(remediator(ending(RuleId.UNEXPECTED_TARGET, Duration.ZERO), false), List.of(target("s-19")), List.of());

        assertThat(r.followUps(List.of(), java.util.Set.of(AlertPlanner.sessionKey(target("s-19").session())))).isEmpty();
        assertThat(r.followUps(List.of(), java.util.Set.of())).hasSize(1);
    }

    /** A ledger in a map: a session is held by whoever claimed it, unless marked held by another run. */
    private static final class MemoryLedger implements TerminationLedger {
        final Map<String, Entry> entries = new HashMap<>();
        final java.util.Set<String> held = new java.util.HashSet<>();
        final List<String> reports = new ArrayList<>();
        boolean down;
        /** The other run holding a session finishes it (terminated) once it has been asked this many times. */
        int finishesAfter;

        @Override
        public Claim claim(SessionRef session, RuleId rule, LedgerClaim claim) {
            if (down) {
                throw new LedgerUnavailableException("DynamoDB is down", null);
            }
            Entry before = entries.get(session.sessionId());
            if (held.contains(session.sessionId())) {
                if (finishesAfter > 0 && --finishesAfter == 0) {
                    entries.put(session.sessionId(), new Entry(Status.ENDED, Outcome.TERMINATED, T.plusSeconds(1), before.leaseUntil(),
                            null, 1, null));
                }
                return new Claim(false, before);
            }
            entries.put(session.sessionId(), new Entry(Status.INPROGRESS, null, null, claim.leaseUntil(),
                    before == null ? null : before.reported(), before == null ? 1 : before.attempts() + 1, null));
            return new Claim(true, before);
        }

        @Override
        public Map<String, Entry> read(String account, String region, java.util.Collection<String> sessionIds) {
            if (down) {
                throw new LedgerUnavailableException("DynamoDB is down", null);
            }
            Map<String, Entry> found = new HashMap<>();
            sessionIds.stream().filter(entries::containsKey).forEach(id -> found.put(id, entries.get(id)));
            return found;
        }

        @Override
        public void finish(SessionRef session, LedgerClaim claim, SessionTerminator.Result result) {
            if (down) {
                throw new LedgerUnavailableException("DynamoDB is down", null);
            }
            Entry e = entries.get(session.sessionId());
            entries.put(session.sessionId(), new Entry(result.outcome() == Outcome.TERMINATE_FAILED ? Status.FAILED : Status.ENDED,
                    result.outcome(), result.at(), e.leaseUntil(), e.reported(), e.attempts(), result.error()));
        }

        @Override
        public void reported(SessionRef session, Remediation.Outcome outcome) {
            reports.add(session.sessionId() + " " + outcome.id());
        }
    }
}
