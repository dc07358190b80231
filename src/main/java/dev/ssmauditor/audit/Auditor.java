package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Violation;
import dev.ssmauditor.sessions.SessionListing;
import dev.ssmauditor.sessions.SessionSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One audit run: list active and recently ended sessions, evaluate them, claim the alerts in the ledger, publish
 * what this run won, mark it sent, and record the sweep.
 *
 * <p>Failure rules. A publish that fails releases the claims of what was not published (the next run sends it)
 * and fails the run. A ledger that cannot be reached does not stop alerts: the run publishes every violation it
 * would otherwise have claimed, saying they may repeat, then fails so that the alarms fire. A failure to mark
 * keys sent after SNS accepted them is logged and counted, but does not fail the run: a failed invocation would
 * be retried by Lambda and publish everything again, while an unmarked key costs at most one duplicate, after
 * its lease. Time is checked before every page, every batch of claims and every publish, with room for the
 * longest call, so a run never dies half-way through a call without saying so.
 */
public final class Auditor {

    /** Keys are read this many a call (BatchGetItem's limit). */
    static final int READ_BATCH = 100;

    private final SessionSource sessions;
    private final PolicyEvaluator evaluator;
    private final AlertPlanner planner;
    private final AlertComposer composer;
    private final AlertPublisher publisher;
    private final AlertLedger ledger;
    private final Clock clock;
    private final JsonLog log;
    private final Duration stepBudget;

    /**
     * @param stepBudget the time a step needs at least before it starts: the longest one call may take, with its
     *                   retries, plus a margin, so that a run stopped for time can still log and release its claims
     */
    public Auditor(SessionSource sessions, PolicyEvaluator evaluator, AlertPlanner planner, AlertComposer composer,
                   AlertPublisher publisher, AlertLedger ledger, Clock clock, JsonLog log, Duration stepBudget) {
        this.sessions = sessions;
        this.evaluator = evaluator;
        this.planner = planner;
        this.composer = composer;
        this.publisher = publisher;
        this.ledger = ledger;
        this.clock = clock;
        this.log = log;
        this.stepBudget = stepBudget;
    }

    public AuditReport run(AuditRequest request) {
        Instant began = clock.instant();
        Phases phases = new Phases(clock);
        Instant t = request.referenceTime();
        String account = request.account();
        String region = request.region();

        LedgerUnavailableException ledgerDown = null;
        SweepMark mark = null;
        try {
            mark = ledger.lastSweep(account, region).orElse(null);
        } catch (LedgerUnavailableException e) {
            ledgerDown = e;
        }
        HistoryReach reach = HistoryReach.of(mark, t, began, evaluator.longestLimit());
        if (reach.problem() != null) {
            log.error("sweep record ignored", JsonLog.fields("account", account, "region", region, "problem", reach.problem(),
                    "listingEndedFrom", reach.from().toString(), "fix", "nothing to do if it happens once; if it comes back, "
                            + "check who writes to the alert ledger table (only the auditor's roles should)"));
        }
        phases.end("loadState");

        SessionListing active = sessions.activeSessions(page -> require(request, stepBudget, "list active sessions, page " + page));
        phases.end("listActive");
        EndedListing ended = listEnded(reach, request);
        phases.end("listEnded");

        List<Violation> activeViolations = evaluator.evaluate(active.sessions(), t);
        List<Violation> endedViolations = new ArrayList<>();
        Set<String> activeIds = new HashSet<>();
        active.sessions().forEach(s -> activeIds.add(s.sessionId()));
        Set<String> endedIds = new HashSet<>();
        for (Session s : ended.sessions()) {
            // Listed active first, then history: a session ending in between shows up in both (and windows overlap).
            if (s.sessionId() == null || (!activeIds.contains(s.sessionId()) && endedIds.add(s.sessionId()))) {
                endedViolations.addAll(evaluator.evaluateEnded(s));
            }
        }
        Instant lastSweep = mark == null || reach.replace() ? null : mark.lastCompleteSweep();
        boolean olderEvent = lastSweep != null && t.isBefore(lastSweep);
        List<AlertPlanner.Candidate> candidates = planner.plan(activeViolations, endedViolations, account, region, t, olderEvent);

        // The lease is taken from the time left now, when the claims are made: it ends when this invocation would.
        LedgerClaim claim = new LedgerClaim(UUID.randomUUID().toString(), clock.instant(), leaseUntil(request));
        RunLedger run = new RunLedger(claim);
        if (ledgerDown == null) {
            try {
                claim(candidates, run, request);
            } catch (LedgerUnavailableException e) {
                ledgerDown = e;
            }
        }
        // Without the ledger, what it was seen to hold already (sent, or claimed by a live run) is still left out.
        Set<AlertKey> sendable = ledgerDown == null ? run.won : run.readAll ? run.free : allKeys(candidates);
        List<Alert> alerts = new ArrayList<>();
        Map<Alert, List<AlertKey>> keysOf = new HashMap<>();
        for (AlertPlanner.Candidate c : candidates) {
            c.alert(sendable).ifPresent(a -> {
                alerts.add(a);
                keysOf.computeIfAbsent(a, x -> new ArrayList<>()).addAll(c.keys().stream().filter(run.won::contains).toList());
            });
        }
        List<AlertMessage> messages;
        try {
            messages = composer.compose(new AuditFindings(account, region, t, active.sessions().size(), ended.sessions().size(),
                    alerts, ledgerDown != null));
            phases.end("evaluate");
            publish(messages, keysOf, run, request);
        } catch (RuntimeException e) {
            // What was not published is released, so that the next run (or Lambda's retry) sends it at once.
            Set<AlertKey> unpublished = new LinkedHashSet<>(run.won);
            unpublished.removeAll(run.published);
            release(unpublished, run);
            throw e;
        }
        phases.end("publish");

        Instant sweepSaved = null;
        if (ledgerDown == null && ledger.persists()) {
            sweepSaved = saveSweep(account, region, mark, reach, ended, t, olderEvent, run, request);
        }
        phases.end("saveState");

        List<Violation> all = new ArrayList<>(activeViolations);
        all.addAll(endedViolations);
        AuditReport report = new AuditReport(t, active.sessions().size(), ended.sessions().size(), active.pages() + ended.pages(),
                all, alerts, messages.size(), publisher.delivers() && !messages.isEmpty(), lastSweep, sweepSaved,
                ended.cursor() == null, reach.problem(), run.errors, Duration.between(began, clock.instant()), phases.millis());
        if (ledgerDown != null) {
            log.error("alert ledger unavailable; alerts published without it", JsonLog.fields("account", account, "region", region,
                    "alerted", alerts.size(), "alertMessages", messages.size(), "error", ledgerDown.getMessage(),
                    "consequence", "every current violation was published and said it may repeat; the invocation fails so "
                            + "that the alarms fire"));
            throw ledgerDown;
        }
        return report;
    }

    /** What one run holds in the ledger, and what became of it. */
    private static final class RunLedger {
        final LedgerClaim claim;
        final Set<AlertKey> won = new LinkedHashSet<>();
        final Set<AlertKey> published = new LinkedHashSet<>();
        final Set<AlertKey> free = new LinkedHashSet<>();
        boolean readAll;
        int heldElsewhere;
        int errors;

        RunLedger(LedgerClaim claim) {
            this.claim = claim;
        }
    }

    /** Ended sessions window by window, stopping (with a cursor to go on from) when time runs short. */
    private EndedListing listEnded(HistoryReach reach, AuditRequest request) {
        List<Session> all = new ArrayList<>();
        int pages = 0;
        Duration reserve = endedListingReserve(stepBudget);
        for (HistoryReach.Window w : reach.windows()) {
            SessionListing listing = sessions.endedSessions(w.from(), w.before(), page -> hasTime(request, reserve));
            all.addAll(listing.sessions());
            pages += listing.pages();
            if (!listing.complete()) {
                log.warn("ended sessions not all listed in time; the next run goes on from here", JsonLog.fields(
                        "account", request.account(), "region", request.region(), "cursor", w.from().toString(),
                        "listedFrom", reach.from().toString(), "endedSessionsListed", all.size()));
                return new EndedListing(all, pages, w.from());
            }
        }
        return new EndedListing(all, pages, null);
    }

    private record EndedListing(List<Session> sessions, int pages, Instant cursor) {
    }

    /** What listing ended sessions leaves for what follows it: the claims, then a publish and its mark. */
    public static Duration endedListingReserve(Duration stepBudget) {
        return stepBudget.multipliedBy(3);
    }

    /**
     * Reads which keys are free (100 a call), then claims them one by one, with the time checked before every call.
     * Out of time, it releases what it won and fails: there would be no time left to publish it.
     */
    private void claim(List<AlertPlanner.Candidate> candidates, RunLedger run, AuditRequest request) {
        List<AlertKey> keys = new ArrayList<>(allKeys(candidates));
        for (int i = 0; i < keys.size(); i += READ_BATCH) {
            requireForClaims(request, run, keys.size() - i);
            AlertLedger.Claimable c = ledger.claimable(keys.subList(i, Math.min(keys.size(), i + READ_BATCH)), run.claim);
            run.free.addAll(c.free());
            run.heldElsewhere += c.heldElsewhere();
        }
        run.readAll = true;
        List<AlertKey> free = new ArrayList<>(run.free);
        for (int i = 0; i < free.size(); i++) {
            requireForClaims(request, run, free.size() - i);
            if (ledger.claim(free.get(i), run.claim)) {
                run.won.add(free.get(i));
            } else {
                run.heldElsewhere++; // sent or claimed by another run since the read
            }
        }
    }

    /** A claim is made only with time left to publish what it wins (and to mark it). */
    private void requireForClaims(AuditRequest request, RunLedger run, int left) {
        if (!hasTime(request, stepBudget.multipliedBy(2))) {
            release(run.won, run);
            run.won.clear();
            throw new AuditDeadlineException(left(request) + " ms left before the function times out, with " + left
                    + " alert keys still to claim; released the claims made, nothing was published. " + FIX);
        }
    }

    private static Set<AlertKey> allKeys(List<AlertPlanner.Candidate> candidates) {
        Set<AlertKey> keys = new LinkedHashSet<>();
        candidates.forEach(c -> keys.addAll(c.keys()));
        return keys;
    }

    /**
     * Publishes message by message, marking each one's keys sent as soon as SNS accepted it, so that a run stopped
     * half-way leaves nothing published unmarked. A message is started only with time for its publish and its mark.
     */
    private void publish(List<AlertMessage> messages, Map<Alert, List<AlertKey>> keysOf, RunLedger run, AuditRequest request) {
        for (int i = 0; i < messages.size(); i++) {
            if (!hasTime(request, stepBudget.multipliedBy(2))) {
                throw new AuditDeadlineException(left(request) + " ms left before the function times out; not publishing "
                        + (messages.size() - i) + " of " + messages.size() + " alert messages. Their claims were released, so "
                        + "the next run sends them. " + FIX);
            }
            publisher.publish(List.of(messages.get(i)));
            Set<AlertKey> keys = new LinkedHashSet<>();
            messages.get(i).alerts().forEach(a -> keys.addAll(keysOf.getOrDefault(a, List.of())));
            run.published.addAll(keys);
            if (!keys.isEmpty()) {
                markSent(keys, run);
            }
        }
    }

    private void markSent(Set<AlertKey> keys, RunLedger run) {
        if (keys.isEmpty()) {
            return;
        }
        try {
            ledger.markSent(keys, run.claim);
        } catch (RuntimeException e) {
            run.errors++;
            log.error("alert ledger: published alerts not marked sent", JsonLog.fields("keys", keys.size(), "error",
                    e.getMessage(), "consequence", "SNS accepted them; once their claims expire (" + run.claim.leaseUntil()
                            + ") a later run may send them once more. The invocation does not fail, so Lambda does not "
                            + "publish the whole run again"));
        }
    }

    private void release(Set<AlertKey> keys, RunLedger run) {
        if (keys.isEmpty()) {
            return;
        }
        try {
            ledger.release(keys, run.claim);
        } catch (RuntimeException e) {
            run.errors++;
            log.error("alert ledger: claims not released", JsonLog.fields("keys", keys.size(), "error", e.getMessage(),
                    "consequence", "they are sent by the first run after their lease ends at " + run.claim.leaseUntil()));
        }
    }

    /**
     * Records the sweep: complete (moves the last complete sweep, never backwards) or where the backlog stopped. Not
     * when another run held some of this run's keys: if that run fails, its ended sessions must still be within the
     * next run's reach.
     */
    private Instant saveSweep(String account, String region, SweepMark before, HistoryReach reach, EndedListing ended, Instant t,
                              boolean olderEvent, RunLedger run, AuditRequest request) {
        if (run.heldElsewhere > 0) {
            log.info("sweep not recorded: another run holds some of these alerts", JsonLog.fields("heldElsewhere", run.heldElsewhere));
            return null;
        }
        if (!hasTime(request, stepBudget)) {
            log.warn("sweep not recorded: too little time left", JsonLog.fields("remainingMs", left(request),
                    "consequence", "the next run lists ended sessions from further back; nothing is lost"));
            return null;
        }
        SweepMark next;
        if (ended.cursor() != null) {
            // Sessions this run saw active may end before the next run, unlisted by the windows already done: the
            // next run goes on from the cursor, or from this run's own usual reach if that is earlier.
            Instant usualReach = t.minus(evaluator.longestLimit()).minus(HistoryReach.OVERLAP);
            Instant cursor = ended.cursor().isBefore(usualReach) ? ended.cursor() : usualReach;
            next = new SweepMark(before == null || reach.replace() ? null : before.lastCompleteSweep(), cursor);
        } else if (olderEvent && before != null && before.endedCursor() == null) {
            return null; // an older event, complete: the newer sweep already stands
        } else {
            next = new SweepMark(olderEvent ? before.lastCompleteSweep() : t, null);
        }
        try {
            ledger.saveSweep(account, region, next, reach.replace());
            return next.endedCursor() == null ? next.lastCompleteSweep() : null;
        } catch (RuntimeException e) {
            run.errors++;
            log.error("alert ledger: sweep not recorded", JsonLog.fields("error", e.getMessage(), "consequence",
                    "the next run lists ended sessions from further back; nothing is lost"));
            return null;
        }
    }

    private Instant leaseUntil(AuditRequest request) {
        long left = request.deadline().remainingMillis();
        // A claim outlives its run only if the run died: then it is free when the invocation would have timed out.
        Duration lease = left == Long.MAX_VALUE ? Duration.ofMinutes(5) : Duration.ofMillis(left).plusSeconds(5);
        return clock.instant().plus(lease);
    }

    private static final String FIX = "Raise the function timeout (Timeout parameter) or look for slow SSM, SNS or DynamoDB "
            + "calls in the logs.";

    private static long left(AuditRequest request) {
        return request.deadline().remainingMillis();
    }

    private static boolean hasTime(AuditRequest request, Duration needed) {
        return request.deadline().remainingMillis() >= needed.toMillis();
    }

    private static boolean require(AuditRequest request, Duration needed, String step) {
        if (!hasTime(request, needed)) {
            throw new AuditDeadlineException("only " + left(request) + " ms left before the function times out; not starting to "
                    + step + ". Nothing was published as if the audit were complete. " + FIX);
        }
        return true;
    }
}
