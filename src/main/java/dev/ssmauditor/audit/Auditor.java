package dev.ssmauditor.audit;

import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.alert.Detection;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.ssmauditor.audit.AlertDispatch.FIX;
import static dev.ssmauditor.audit.AlertDispatch.hasTime;
import static dev.ssmauditor.audit.AlertDispatch.left;

/**
 * One audit run (the sweep): list active and recently ended sessions, evaluate them, send what is new through the
 * {@link AlertDispatch} (claim in the ledger, publish, mark sent), check that the event path reported the sessions it
 * should have, and record the sweep.
 *
 * <p>Failure rules are the dispatch's, plus: a ledger that cannot be reached fails the run once everything was
 * published, so that the alarms fire. Time is checked before every page, every batch of claims and every publish,
 * with room for the longest call, so a run never dies half-way through a call without saying so.
 */
public final class Auditor {

    private final SessionSource sessions;
    private final PolicyEvaluator evaluator;
    private final AlertPlanner planner;
    private final AlertDispatch dispatch;
    private final AlertLedger ledger;
    private final EventPathCheck eventPath;
    private final Remediator remediator;
    private final Clock clock;
    private final JsonLog log;
    private final Duration stepBudget;

    /** A sweep that does not watch the event path. */
    public Auditor(SessionSource sessions, PolicyEvaluator evaluator, AlertPlanner planner, AlertComposer composer,
                   AlertPublisher publisher, AlertLedger ledger, Clock clock, JsonLog log, Duration stepBudget) {
        this(sessions, evaluator, planner, new AlertDispatch(composer, publisher, ledger, clock, log, stepBudget), null, clock,
                log, stepBudget);
    }

    /**
     * @param eventPath checks that the sessions listed were reported by their StartSession events (or, not watching,
     *                  forgets how far it got); null without a ledger that persists
     * @param stepBudget the time a step needs at least before it starts: the longest one call may take, with its
     *                   retries, plus a margin, so that a run stopped for time can still log and release its claims
     */
    public Auditor(SessionSource sessions, PolicyEvaluator evaluator, AlertPlanner planner, AlertDispatch dispatch,
                   EventPathCheck eventPath, Clock clock, JsonLog log, Duration stepBudget) {
        this(sessions, evaluator, planner, dispatch, eventPath, Remediator.none(), clock, log, stepBudget);
    }

    /** @param remediator ends the sessions the policy says to end, before their alerts go out */
    public Auditor(SessionSource sessions, PolicyEvaluator evaluator, AlertPlanner planner, AlertDispatch dispatch,
                   EventPathCheck eventPath, Remediator remediator, Clock clock, JsonLog log, Duration stepBudget) {
        this.remediator = remediator;
        this.sessions = sessions;
        this.evaluator = evaluator;
        this.planner = planner;
        this.dispatch = dispatch;
        this.ledger = dispatch.ledger();
        this.eventPath = eventPath;
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

        Remediations remediations = remediator.remediate(activeViolations, endedViolations, account, region, t,
                Detection.SWEEP, request);
        phases.end("remediate");

        int activeCount = active.sessions().size();
        int endedCount = ended.sessions().size();
        AlertDispatch.Outcome sent = dispatch.send(candidates, (alerts, mayRepeat) -> new AuditFindings(account, region, t,
                activeCount, endedCount, alerts, mayRepeat, request.accountName()), request, ledgerDown, phases, remediations);
        ledgerDown = sent.ledgerDown();
        phases.end("publish");

        int errors = sent.ledgerErrors() + remediations.ledgerErrors();
        Instant sweepSaved = null;
        EventPathCheck.Result heard = null;
        if (ledgerDown == null && ledger.persists()) {
            SweepSave save = saveSweep(account, region, mark, reach, ended, t, olderEvent, sent.heldElsewhere(), request);
            sweepSaved = save.saved();
            errors += save.errors();
            // After the alerts and the sweep record, with what time is left: the check is a health signal, not an alert.
            if (eventPath != null && !eventPath.watching()) {
                errors += forgetEventPath(account, region, mark);
            } else if (eventPath != null) {
                List<Session> listed = new ArrayList<>(active.sessions());
                listed.addAll(ended.sessions());
                CheckedEventPath checked = checkEventPath(account, region, mark, t, began, ended.cursor(), listed, request);
                heard = checked.result();
                errors += checked.errors();
            }
        }
        phases.end("saveState");

        List<Violation> all = new ArrayList<>(activeViolations);
        all.addAll(endedViolations);
        AuditReport report = new AuditReport(t, activeCount, endedCount, active.pages() + ended.pages(),
                all, sent.alerts(), sent.messages().size(), sent.delivered(), lastSweep, sweepSaved,
                ended.cursor() == null, reach.problem(), errors, heard == null ? null : heard.unreported().size(),
                Duration.between(began, clock.instant()), phases.millis(), remediations.counts());
        if (ledgerDown != null) {
            log.error("alert ledger unavailable; alerts published without it", JsonLog.fields("account", account, "region", region,
                    "alerted", sent.alerts().size(), "alertMessages", sent.messages().size(), "error", ledgerDown.getMessage(),
                    "consequence", "every current violation was published and said it may repeat; the invocation fails so "
                            + "that the alarms fire"));
            throw ledgerDown;
        }
        return report;
    }

    private record CheckedEventPath(EventPathCheck.Result result, int errors) {
    }

    /** Checks the sessions past their grace against the event path's sightings, reports, and moves the window. */
    private CheckedEventPath checkEventPath(String account, String region, SweepMark mark, Instant t, Instant now,
                                            Instant listedUpTo, List<Session> listed, AuditRequest request) {
        if (!hasTime(request, stepBudget.multipliedBy(2))) {
            log.warn("event path not checked: too little time left", JsonLog.fields("remainingMs", left(request),
                    "consequence", "the next run checks these sessions"));
            return new CheckedEventPath(null, 0);
        }
        EventPathCheck.Result heard = eventPath.check(account, region, mark, t, now, listedUpTo, listed);
        if (heard.error() != null) {
            log.error("alert ledger: event path not checked", JsonLog.fields("account", account, "region", region,
                    "error", heard.error(), "consequence", "the next run checks these sessions"));
            return new CheckedEventPath(null, 1);
        }
        reportEventPath(heard, account, region);
        try {
            eventPath.save(account, region, mark, heard);
            return new CheckedEventPath(heard, 0);
        } catch (RuntimeException e) {
            log.error("alert ledger: event path check not recorded", JsonLog.fields("error", e.getMessage(), "consequence",
                    "the next run checks these sessions again, and may report them again"));
            return new CheckedEventPath(heard, 1);
        }
    }

    private int forgetEventPath(String account, String region, SweepMark mark) {
        try {
            eventPath.forget(account, region, mark);
            return 0;
        } catch (RuntimeException e) {
            log.error("alert ledger: event path watch not forgotten", JsonLog.fields("error", e.getMessage(), "consequence",
                    "a sweep watching again soon may count sessions started meanwhile as missed by the event path"));
            return 1;
        }
    }

    /** One line per run, whatever the number of sessions: the event path is deaf. */
    private void reportEventPath(EventPathCheck.Result heard, String account, String region) {
        if (heard.unreported().isEmpty()) {
            return;
        }
        log.error("event path deaf: sessions started without a StartSession event", JsonLog.fields(
                "account", account, "region", region,
                "sessionsNotReportedByEvents", heard.unreported().size(), "sessionsChecked", heard.checked(),
                "sessions", heard.unreported().subList(0, Math.min(5, heard.unreported().size())),
                "startedAfter", String.valueOf(heard.checkedFrom()), "startedBefore", heard.checkedTo().toString(),
                "consequence", "their violations were alerted by the sweep, minutes late, and not the moment they started",
                "likelyCauses", List.of(
                        "no CloudTrail trail records management events in " + region + " (aws cloudtrail get-trail-status, "
                                + "get-event-selectors)",
                        "the StartSession EventBridge rule is disabled or deleted (aws events describe-rule)",
                        "the event function fails before it records the session (its Errors alarm and log group)",
                        "CloudTrail delivered these events more than " + EventPathCheck.GRACE.toMinutes() + " minutes late")));
    }

    /** Ended sessions window by window, stopping (with a cursor to go on from) when time runs short. */
    private EndedListing listEnded(HistoryReach reach, AuditRequest request) {
        List<Session> all = new ArrayList<>();
        int pages = 0;
        // Room for the claims and a publish, or for a termination and its alerts when sessions may be ended: a long
        // backlog of ended sessions must not leave the sessions to end, run after run, without the time to end them.
        Duration reserve = remediator.timeNeeded().compareTo(endedListingReserve(stepBudget)) > 0 ? remediator.timeNeeded()
                : endedListingReserve(stepBudget);
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

    private record SweepSave(Instant saved, int errors) {
    }

    /**
     * Records the sweep: complete (moves the last complete sweep, never backwards) or where the backlog stopped. Not
     * when another run held some of this run's keys: if that run fails, its ended sessions must still be within the
     * next run's reach.
     */
    private SweepSave saveSweep(String account, String region, SweepMark before, HistoryReach reach, EndedListing ended,
                                Instant t, boolean olderEvent, int heldElsewhere, AuditRequest request) {
        if (heldElsewhere > 0) {
            log.info("sweep not recorded: another run holds some of these alerts", JsonLog.fields("heldElsewhere", heldElsewhere));
            return new SweepSave(null, 0);
        }
        if (!hasTime(request, stepBudget)) {
            log.warn("sweep not recorded: too little time left", JsonLog.fields("remainingMs", left(request),
                    "consequence", "the next run lists ended sessions from further back; nothing is lost"));
            return new SweepSave(null, 0);
        }
        SweepMark next;
        if (ended.cursor() != null) {
            // Sessions this run saw active may end before the next run, unlisted by the windows already done: the
            // next run goes on from the cursor, or from this run's own usual reach if that is earlier.
            Instant usualReach = t.minus(evaluator.longestLimit()).minus(HistoryReach.OVERLAP);
            Instant cursor = ended.cursor().isBefore(usualReach) ? ended.cursor() : usualReach;
            next = new SweepMark(before == null || reach.replace() ? null : before.lastCompleteSweep(), cursor);
        } else if (olderEvent && before != null && before.endedCursor() == null) {
            return new SweepSave(null, 0); // an older event, complete: the newer sweep already stands
        } else {
            next = new SweepMark(olderEvent ? before.lastCompleteSweep() : t, null);
        }
        try {
            ledger.saveSweep(account, region, next, reach.replace());
            return new SweepSave(next.endedCursor() == null ? next.lastCompleteSweep() : null, 0);
        } catch (RuntimeException e) {
            log.error("alert ledger: sweep not recorded", JsonLog.fields("error", e.getMessage(), "consequence",
                    "the next run lists ended sessions from further back; nothing is lost"));
            return new SweepSave(null, 1);
        }
    }

    private static boolean require(AuditRequest request, Duration needed, String step) {
        if (!hasTime(request, needed)) {
            throw new AuditDeadlineException("only " + left(request) + " ms left before the function times out; not starting to "
                    + step + ". Nothing was published as if the audit were complete. " + FIX);
        }
        return true;
    }
}
