package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.log.JsonLog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Sends what a path found, once across every path: claims the alert keys in the ledger, publishes what it won,
 * marks it sent, and releases what it could not publish. The sweep and the event path both send through it.
 *
 * <p>Failure rules. A publish that fails releases the claims of what was not published (the next run sends it) and
 * throws. A ledger that cannot be reached does not stop alerts: everything that would have been claimed is published,
 * saying it may repeat, and the outcome carries the ledger's error for the caller to report. A failure to mark keys
 * sent after SNS accepted them is logged and counted but not thrown: failing the invocation would have Lambda retry
 * and publish everything again, while an unmarked key costs at most one duplicate, after its lease. Time is checked
 * before every batch of claims and every publish, with room for the longest call.
 */
public final class AlertDispatch {

    /** Keys are read this many a call (BatchGetItem's limit). */
    static final int READ_BATCH = 100;

    private final AlertComposer composer;
    private final AlertPublisher publisher;
    private final AlertLedger ledger;
    private final Clock clock;
    private final JsonLog log;
    private final Duration stepBudget;
    private final boolean readFirst;

    /** A dispatch that reads which keys are free before claiming them (the sweep: most of its keys are sent already). */
    public AlertDispatch(AlertComposer composer, AlertPublisher publisher, AlertLedger ledger, Clock clock, JsonLog log,
                         Duration stepBudget) {
        this(composer, publisher, ledger, clock, log, stepBudget, true);
    }

    /**
     * @param readFirst true to read which keys are free before claiming them, one call per 100 keys, which spares the
     *                  claims of keys already sent; false to claim at once, which spares a round trip when the keys are
     *                  new as a rule (the event path: a session that has just started)
     * @param stepBudget the time a step needs at least before it starts: the longest one call may take, with its
     *                   retries, plus a margin, so that a run stopped for time can still log and release its claims
     */
    public AlertDispatch(AlertComposer composer, AlertPublisher publisher, AlertLedger ledger, Clock clock, JsonLog log,
                         Duration stepBudget, boolean readFirst) {
        this.readFirst = readFirst;
        this.composer = composer;
        this.publisher = publisher;
        this.ledger = ledger;
        this.clock = clock;
        this.log = log;
        this.stepBudget = stepBudget;
    }

    AlertLedger ledger() {
        return ledger;
    }

    /**
     * What a send did.
     *
     * @param alerts the alerts published (or, in dry runs, printed)
     * @param delivered true when messages went to SNS
     * @param heldElsewhere keys held by another run's live claim, or claimed (or, without a read first, sent) by another
     *                      run first
     * @param ledgerErrors marks and releases that failed without failing the send
     * @param ledgerDown the ledger could not be reached and everything went out without it; null when it could
     */
    public record Outcome(List<Alert> alerts, List<AlertMessage> messages, boolean delivered, int heldElsewhere,
                          int ledgerErrors, LedgerUnavailableException ledgerDown) {
    }

    /**
     * @param findings the findings to compose, from the alerts to send and whether they may repeat
     * @param ledgerDown the caller already found the ledger unreachable: nothing is claimed
     */
    public Outcome send(List<AlertPlanner.Candidate> candidates, BiFunction<List<Alert>, Boolean, AuditFindings> findings,
                        AuditRequest request, LedgerUnavailableException ledgerDown) {
        return send(candidates, findings, request, ledgerDown, new Phases(clock), Remediations.none());
    }

    /**
     * @param remediations what each alert reports about its session, and the follow-up alerts of sessions ended after
     *                     their violation was alerted; told what was published
     */
    public Outcome send(List<AlertPlanner.Candidate> candidates, BiFunction<List<Alert>, Boolean, AuditFindings> findings,
                        AuditRequest request, LedgerUnavailableException ledgerDown, Remediations remediations) {
        return send(candidates, findings, request, ledgerDown, new Phases(clock), remediations);
    }

    Outcome send(List<AlertPlanner.Candidate> candidates, BiFunction<List<Alert>, Boolean, AuditFindings> findings,
                 AuditRequest request, LedgerUnavailableException ledgerDown, Phases phases, Remediations remediations) {
        // The lease is taken from the time left now, when the claims are made: it ends when this invocation would.
        LedgerClaim claim = newClaim(clock, request);
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
            c.alert(sendable).ifPresent(found -> {
                Alert a = found.withRemediation(remediations.of(c.violation(), c.ended()));
                alerts.add(a);
                keysOf.computeIfAbsent(a, x -> new ArrayList<>()).addAll(c.keys().stream().filter(run.won::contains).toList());
            });
        }
        // Follow-ups have no alert key: the session's termination record, claimed by this run alone, makes them once. A
        // session whose alert another run claimed during this send is that run's to report.
        Set<String> contested = new java.util.HashSet<>();
        for (AlertPlanner.Candidate c : candidates) {
            if (c.keys().stream().anyMatch(run.contested::contains)) {
                contested.add(AlertPlanner.sessionKey(c.violation().session()));
            }
        }
        alerts.addAll(remediations.followUps(alerts, contested));
        List<AlertMessage> messages;
        try {
            messages = composer.compose(findings.apply(alerts, ledgerDown != null));
            phases.end("evaluate");
            publish(messages, keysOf, run, request, remediations);
        } catch (RuntimeException e) {
            // What was not published is released, so that the next run (or Lambda's retry) sends it at once.
            Set<AlertKey> unpublished = new LinkedHashSet<>(run.won);
            unpublished.removeAll(run.published);
            release(unpublished, run);
            throw e;
        }
        return new Outcome(alerts, messages, publisher.delivers() && !messages.isEmpty(), run.heldElsewhere, run.errors,
                ledgerDown);
    }

    /** What one send holds in the ledger, and what became of it. */
    private static final class RunLedger {
        final LedgerClaim claim;
        final Set<AlertKey> won = new LinkedHashSet<>();
        final Set<AlertKey> published = new LinkedHashSet<>();
        final Set<AlertKey> free = new LinkedHashSet<>();
        /** Keys another run held, or claimed first, during this send (not those sent before it). */
        final Set<AlertKey> contested = new LinkedHashSet<>();
        boolean readAll;
        int heldElsewhere;
        int errors;

        RunLedger(LedgerClaim claim) {
            this.claim = claim;
        }
    }

    /**
     * Reads which keys are free (100 a call), then claims them one by one, with the time checked before every call.
     * Out of time, it releases what it won and fails: there would be no time left to publish it.
     */
    private void claim(List<AlertPlanner.Candidate> candidates, RunLedger run, AuditRequest request) {
        List<AlertKey> keys = new ArrayList<>(allKeys(candidates));
        if (!readFirst) {
            keys.clear(); // every key counts as free; the conditional write decides
            run.free.addAll(allKeys(candidates));
        }
        for (int i = 0; i < keys.size(); i += READ_BATCH) {
            requireForClaims(request, run, keys.size() - i);
            AlertLedger.Claimable c = ledger.claimable(keys.subList(i, Math.min(keys.size(), i + READ_BATCH)), run.claim);
            run.free.addAll(c.free());
            run.heldElsewhere += c.heldElsewhere();
            run.contested.addAll(c.held());
        }
        run.readAll = true;
        List<AlertKey> free = new ArrayList<>(run.free);
        for (int i = 0; i < free.size(); i++) {
            requireForClaims(request, run, free.size() - i);
            if (ledger.claim(free.get(i), run.claim)) {
                run.won.add(free.get(i));
            } else {
                run.free.remove(free.get(i)); // not to be sent without the ledger either, should it go away now
                run.heldElsewhere++; // sent or claimed by another run (since the read, if any)
                run.contested.add(free.get(i));
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
    private void publish(List<AlertMessage> messages, Map<Alert, List<AlertKey>> keysOf, RunLedger run, AuditRequest request,
                         Remediations remediations) {
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
            // Before the mark: a run that finds these keys sent then finds the session's outcome reported too.
            remediations.published(messages.get(i).alerts());
            if (!keys.isEmpty()) {
                markSent(keys, run);
            }
        }
    }

    private void markSent(Set<AlertKey> keys, RunLedger run) {
        try {
            ledger.markSent(keys, run.claim);
        } catch (RuntimeException e) {
            run.errors++;
            log.error("alert ledger: published alerts not marked sent", JsonLog.fields("keys", keys.size(), "error",
                    e.getMessage(), "consequence", "SNS accepted them; once their claims expire (" + run.claim.leaseUntil()
                            + ") a later run may send them once more. The invocation does not fail, so Lambda does not "
                            + "publish them all again"));
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

    /** A new claim of a run, for its alerts or the sessions it ends. */
    static LedgerClaim newClaim(Clock clock, AuditRequest request) {
        long left = request.deadline().remainingMillis();
        // A claim outlives its run only if the run died: then it is free when the invocation would have timed out.
        Duration lease = left == Long.MAX_VALUE ? Duration.ofMinutes(5) : Duration.ofMillis(left).plusSeconds(5);
        Instant now = clock.instant();
        return new LedgerClaim(UUID.randomUUID().toString(), now, now.plus(lease));
    }

    static final String FIX = "Raise the function timeout (Timeout parameter) or look for slow SSM, SNS or DynamoDB "
            + "calls in the logs.";

    static long left(AuditRequest request) {
        return request.deadline().remainingMillis();
    }

    static boolean hasTime(AuditRequest request, Duration needed) {
        return request.deadline().remainingMillis() >= needed.toMillis();
    }
}
