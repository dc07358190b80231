package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.sessions.SessionTerminator;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.policy.RemediationPolicy;
import dev.ssmauditor.policy.Violation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ssmauditor.audit.AlertDispatch.hasTime;
import static dev.ssmauditor.audit.AlertDispatch.left;

/**
 * Ends the sessions whose violations the policy says to end, before their alerts are composed, so that the alert says
 * what became of them. Each session is ended once across every path: the run that wins its record in the
 * {@link TerminationLedger} ends it; another finds the record and reports what it says.
 *
 * <p>Nothing here stops an alert: a session that cannot be ended (refused, throttled, still open after the call, no
 * time left) is reported {@code terminate-failed} and tried again by the next run, once the lease of the run that
 * failed has passed. A ledger that cannot be reached does not stop the termination either: ending a session that
 * breaks policy is the point, and a second attempt by another path finds it over and does not call TerminateSession.
 */
public final class Remediator {

    /** What one attempt needs for itself before it starts: its SSM calls and its two ledger writes. */
    static final int STEPS_PER_ATTEMPT = 2;
    /** What the run needs after its terminations, kept by every attempt and every call in it: claims, publish, mark. */
    static final int STEPS_AFTER = 3;
    /** How often, and how long apart, a session another run is ending is looked at again. */
    static final int LOOKS_AT_OTHER_RUN = 3;
    static final long PAUSE_MILLIS = 300;

    private final RemediationPolicy policy;
    private final boolean dryRun;
    private final TerminationLedger ledger;
    private final SessionTerminator.Locator terminators;
    private final Clock clock;
    private final JsonLog log;
    private final Duration stepBudget;

    /** @param terminators ends sessions in the account and region audited (unused in a dry run) */
    public Remediator(RemediationPolicy policy, boolean dryRun, TerminationLedger ledger, SessionTerminator.Locator terminators,
                      Clock clock, JsonLog log, Duration stepBudget) {
        this.policy = policy;
        this.dryRun = dryRun;
        this.ledger = ledger;
        this.terminators = terminators;
        this.clock = clock;
        this.log = log;
        this.stepBudget = stepBudget;
    }

    /** The time every termination call leaves for the alerts that follow it, so that ending sessions never costs one. */
    public static Duration afterTermination(Duration stepBudget) {
        return stepBudget.multipliedBy(STEPS_AFTER);
    }

    /** What a run must keep, after listing, for one termination and its alerts: nothing when nothing is ended. */
    public Duration timeNeeded() {
        return policy.terminatesAny() && !dryRun
                ? stepBudget.multipliedBy(STEPS_PER_ATTEMPT).plus(afterTermination(stepBudget)) : Duration.ZERO;
    }

    /** Asks for nothing: every alert's remediation is null. */
    public static Remediator none() {
        return new Remediator(RemediationPolicy.NONE, true, TerminationLedger.NONE, null, Clock.systemUTC(), null, Duration.ZERO);
    }

    /**
     * Decides for every violation and ends the sessions to end now, one at a time, each only with time left for it and
     * for the publish after it.
     *
     * @param active violations of sessions open at {@code t}
     * @param ended violations of sessions already over when listed: never ended, reported {@code already-ended}
     * @param detection the path, for the follow-up alerts of sessions whose violation was alerted before
     */
    public Remediations remediate(List<Violation> active, List<Violation> ended, String account, String region, Instant t,
                                  Detection detection, AuditRequest request) {
        if (!policy.terminatesAny()) {
            return Remediations.none();
        }
        Map<String, Remediation> byViolation = new HashMap<>();
        Map<String, Violation> toEnd = new LinkedHashMap<>();
        Map<String, Instant> graceEnded = new HashMap<>();
        for (Violation v : active) {
            RemediationPolicy.Decision d = policy.decide(v, t);
            switch (d.action()) {
                case NOT_ASKED -> { }
                case EXEMPT -> byViolation.put(Remediations.key(v, false), Remediation.of(Remediation.Outcome.EXEMPT, null,
                        d.exemptBecause()));
                case WAIT -> byViolation.put(Remediations.key(v, false), Remediation.pending(d.terminateAt()));
                case TERMINATE -> {
                    if (toEnd.putIfAbsent(AlertPlanner.sessionKey(v.session()), v) == null && d.terminateAt() != null) {
                        graceEnded.put(AlertPlanner.sessionKey(v.session()), d.terminateAt());
                    }
                }
            }
        }
        // As the alert claims: a failed attempt is retried once the invocation that made it would have ended.
        LedgerClaim claim = AlertDispatch.newClaim(clock, request);
        Map<String, Remediations.Action> bySession = new LinkedHashMap<>();
        int[] ledgerErrors = {0};
        over(ended, account, region, t, claim, request, byViolation, bySession, ledgerErrors);
        toEnd.forEach((key, v) -> bySession.put(key, withGrace(end(v, account, region, claim, request, ledgerErrors),
                graceEnded.get(key))));
        return new Remediations(byViolation, bySession, detection, ledger, log, ledgerErrors[0]);
    }

    /**
     * Sessions over when listed are never ended, but may have been ended by the auditor: their records say so (one read
     * per 100). An outcome no published alert carried (the run that ended it failed to publish, or died; or its alert
     * said only that another run was ending it) is reported now, once the lease of that run has passed, as is a session
     * that ended by itself after the auditor had reported it could not end it. The others are {@code already-ended}.
     */
    private void over(List<Violation> ended, String account, String region, Instant t, LedgerClaim claim, AuditRequest request,
                      Map<String, Remediation> byViolation, Map<String, Remediations.Action> bySession, int[] ledgerErrors) {
        List<String> asked = new java.util.ArrayList<>();
        for (Violation v : ended) {
            if (policy.decide(v, t).action() == RemediationPolicy.Action.TERMINATE && v.session().sessionId() != null) {
                asked.add(v.session().sessionId());
            }
        }
        Map<String, TerminationLedger.Entry> records = Map.of();
        if (!dryRun && !asked.isEmpty()) {
            if (!hasTime(request, stepBudget.plus(afterTermination(stepBudget)))) {
                log.warn("termination records not read: too little time left", JsonLog.fields("account", account, "region",
                        region, "sessions", asked.size(), "consequence", "sessions over when listed are reported already-ended"));
            } else {
                try {
                    records = ledger.read(account, region, asked);
                } catch (LedgerUnavailableException e) {
                    ledgerErrors[0]++;
                    log.error("alert ledger: termination records not read", JsonLog.fields("account", account, "region", region,
                            "sessions", asked.size(), "error", e.getMessage(), "consequence", "sessions over when listed are "
                                    + "reported already-ended, even one the auditor ended"));
                }
            }
        }
        for (Violation v : ended) {
            RemediationPolicy.Decision d = policy.decide(v, t);
            if (d.action() == RemediationPolicy.Action.NOT_ASKED) {
                continue;
            }
            if (d.action() == RemediationPolicy.Action.EXEMPT) {
                byViolation.put(Remediations.key(v, true), Remediation.of(Remediation.Outcome.EXEMPT, null, d.exemptBecause()));
                continue;
            }
            TerminationLedger.Entry e = v.session().sessionId() == null ? null : records.get(v.session().sessionId());
            Remediation byItself = Remediation.of(Remediation.Outcome.ALREADY_ENDED, v.session().endDate(), null);
            TerminationLedger.SessionRef ref = new TerminationLedger.SessionRef(account, region, v.session().sessionId());
            boolean leasePassed = e != null && (e.leaseUntil() == null || e.leaseUntil().isBefore(claim.now()));
            if (e != null && e.status() == TerminationLedger.Status.ENDED && e.outcome() == Remediation.Outcome.TERMINATED) {
                Remediation byAuditor = Remediation.of(Remediation.Outcome.TERMINATED, e.at(), null);
                byViolation.put(Remediations.key(v, true), byAuditor);
                if (e.reported() != Remediation.Outcome.TERMINATED) {
                    // Within the lease the run that ended it may still publish; after it, this run reports it.
                    bySession.putIfAbsent(AlertPlanner.sessionKey(v.session()), new Remediations.Action(v, ref, byAuditor,
                            leasePassed ? Remediations.By.UNREPORTED : Remediations.By.OTHER_RUN, e.reported()));
                }
            } else if (e != null && e.status() == TerminationLedger.Status.INPROGRESS && !leasePassed) {
                byViolation.put(Remediations.key(v, true), BEING_ENDED);
            } else {
                byViolation.put(Remediations.key(v, true), byItself);
                if (e != null && e.reported() == Remediation.Outcome.TERMINATE_FAILED && leasePassed) {
                    // "Could not end it" was the last word: that it is over now is news.
                    bySession.putIfAbsent(AlertPlanner.sessionKey(v.session()), new Remediations.Action(v, ref, byItself,
                            Remediations.By.UNREPORTED, e.reported()));
                }
            }
        }
    }

    private static Remediations.Action withGrace(Remediations.Action a, Instant terminateAt) {
        if (terminateAt == null) {
            return a;
        }
        Remediation r = a.remediation();
        return new Remediations.Action(a.violation(), a.ref(), new Remediation(r.outcome(), r.at(), terminateAt, r.detail(),
                r.followUp()), a.by(), a.reportedBefore());
    }

    private Remediations.Action end(Violation v, String account, String region, LedgerClaim claim, AuditRequest request,
                                    int[] ledgerErrors) {
        String id = v.session().sessionId();
        TerminationLedger.SessionRef ref = new TerminationLedger.SessionRef(account, region, id);
        if (dryRun) {
            return new Remediations.Action(v, ref, Remediation.of(Remediation.Outcome.WOULD_TERMINATE, null, null),
                    Remediations.By.DRY_RUN, null);
        }
        if (id == null || id.isEmpty()) {
            return new Remediations.Action(v, ref, Remediation.of(Remediation.Outcome.TERMINATE_FAILED, clock.instant(),
                    "DescribeSessions gave no session id, so there is nothing to call TerminateSession with"), Remediations.By.NOT_TRIED, null);
        }
        if (!hasTime(request, stepBudget.multipliedBy(STEPS_PER_ATTEMPT).plus(afterTermination(stepBudget)))) {
            log.warn("termination not tried: too little time left", JsonLog.fields("account", account, "region", region,
                    "sessionId", id, "rule", v.rule().id(), "remainingMs", left(request),
                    "consequence", "the next run ends it; the alert says terminate-failed"));
            return new Remediations.Action(v, ref, Remediation.of(Remediation.Outcome.TERMINATE_FAILED, clock.instant(),
                    "not tried: the invocation had too little time left; the next run ends it"), Remediations.By.NOT_TRIED, null);
        }
        TerminationLedger.Claim won;
        boolean recorded = true;
        try {
            won = ledger.claim(ref, v.rule(), claim);
        } catch (LedgerUnavailableException e) {
            ledgerErrors[0]++;
            recorded = false;
            won = new TerminationLedger.Claim(true, null);
            log.error("alert ledger: termination not claimed", JsonLog.fields("account", account, "region", region,
                    "sessionId", id, "error", e.getMessage(), "consequence", "the session is ended anyway; another path "
                            + "that tries too finds it over and does not end it again"));
        }
        // Another run is ending it this very moment (the event function and the sweep racing): it takes a few hundred
        // milliseconds, so look again a few times, and report what it found rather than nothing.
        for (int look = 1; recorded && !won.won() && inProgress(won.previous()) && look <= LOOKS_AT_OTHER_RUN
                && hasTime(request, stepBudget.multipliedBy(STEPS_PER_ATTEMPT).plus(afterTermination(stepBudget))); look++) {
            pause(look);
            try {
                won = ledger.claim(ref, v.rule(), claim);
            } catch (LedgerUnavailableException e) {
                ledgerErrors[0]++;
                break;
            }
        }
        if (!won.won()) {
            return new Remediations.Action(v, ref, reportOf(won.previous()), Remediations.By.OTHER_RUN, null);
        }
        SessionTerminator.Result result;
        try {
            result = terminators.in(account, region).terminate(id);
        } catch (RuntimeException e) {
            // A terminator never throws by contract; should one, the alert must still go out.
            result = new SessionTerminator.Result(Remediation.Outcome.TERMINATE_FAILED, clock.instant(), String.valueOf(e), 0);
        }
        Map<String, Object> fields = JsonLog.fields("account", account, "region", region, "sessionId", id, "rule", v.rule().id(),
                "owner", v.session().owner(), "target", v.session().target(), "outcome", result.outcome().id(),
                "terminateCalls", result.terminateCalls(),
                "attempt", won.previous() == null ? 1 : won.previous().attempts() + 1);
        if (result.outcome() == Remediation.Outcome.TERMINATE_FAILED) {
            fields.put("error", result.error());
            fields.put("consequence", "the session is still open; the alert says so and the next run tries again");
            log.error("termination failed", fields);
        } else {
            log.info(result.outcome() == Remediation.Outcome.TERMINATED ? "session terminated" : "session already ended", fields);
        }
        if (recorded) {
            try {
                ledger.finish(ref, claim, result);
            } catch (LedgerUnavailableException e) {
                ledgerErrors[0]++;
                log.error("alert ledger: termination not recorded", JsonLog.fields("sessionId", id, "error", e.getMessage(),
                        "consequence", "once the claim's lease passes (" + claim.leaseUntil() + ") a run may try again; it "
                                + "finds the session over and does not end it again"));
            }
        }
        return new Remediations.Action(v, ref, Remediation.of(result.outcome(), result.at(), result.error()), Remediations.By.THIS_RUN,
                won.previous() == null ? null : won.previous().reported());
    }

    private static boolean inProgress(TerminationLedger.Entry entry) {
        return entry == null || entry.status() == TerminationLedger.Status.INPROGRESS;
    }

    private static void pause(int look) {
        try {
            Thread.sleep(PAUSE_MILLIS * look);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Remediation BEING_ENDED = new Remediation(null, null, null, "being ended by another run of the auditor",
            false);

    /** What another run's record says: its outcome, or that it is ending the session now. */
    private static Remediation reportOf(TerminationLedger.Entry entry) {
        if (entry == null || entry.status() == TerminationLedger.Status.INPROGRESS) {
            return BEING_ENDED;
        }
        return Remediation.of(entry.outcome(), entry.at(), entry.error());
    }
}
