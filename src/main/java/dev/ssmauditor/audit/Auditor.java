package dev.ssmauditor.audit;

import dev.ssmauditor.alert.Alert;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.AuditFindings;
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
import java.util.Optional;
import java.util.Set;

/**
 * One audit run: read the watermark, list active and recently ended sessions, evaluate them, alert what
 * began since the watermark, deliver, and only then move the watermark. Any failure propagates: a run
 * either delivers everything it selected or fails as a whole, and a failed run leaves the watermark where
 * it was, so the next run alerts what this one could not.
 */
public final class Auditor {

    /** Without a watermark, ended sessions are looked for this far back. */
    static final Duration FIRST_RUN_LOOKBACK = Duration.ofHours(1);
    /** History reaches back the visibility lag further, where late-listed sessions may start. */
    static final Duration HISTORY_OVERLAP = AlertSelector.VISIBILITY_LAG;
    /** Below this much time left, a step is not started. */
    static final Duration STEP_BUDGET = Duration.ofSeconds(5);

    private final SessionSource sessions;
    private final PolicyEvaluator evaluator;
    private final String policyFingerprint;
    private final AlertSelector selector;
    private final AlertComposer composer;
    private final AlertPublisher publisher;
    private final StateStore state;
    private final Clock clock;

    public Auditor(SessionSource sessions, PolicyEvaluator evaluator, String policyFingerprint, AlertSelector selector,
                   AlertComposer composer, AlertPublisher publisher, StateStore state, Clock clock) {
        this.sessions = sessions;
        this.evaluator = evaluator;
        this.policyFingerprint = policyFingerprint;
        this.selector = selector;
        this.composer = composer;
        this.publisher = publisher;
        this.state = state;
        this.clock = clock;
    }

    public AuditReport run(AuditRequest request) {
        Instant began = clock.instant();
        Phases phases = new Phases(clock);
        Instant t = request.referenceTime();
        Optional<AuditState> before = state.load();
        phases.end("loadState");

        checkTime(request, "list active sessions");
        SessionListing active = sessions.activeSessions();
        phases.end("listActive");
        // Ended sessions that matter started after the watermark, or were open at it and still within their limit
        // then (they may have passed it before ending): InvokedAfter filters on the start.
        Instant historyFrom = before.map(s -> s.coveredUntil().minus(evaluator.longestLimit()).minus(HISTORY_OVERLAP))
                .orElse(t.minus(FIRST_RUN_LOOKBACK));
        checkTime(request, "list ended sessions");
        SessionListing ended = sessions.endedSessions(historyFrom);
        phases.end("listEnded");

        List<Violation> activeViolations = evaluator.evaluate(active.sessions(), t);
        List<Violation> endedViolations = new ArrayList<>();
        Set<String> activeIds = new HashSet<>();
        active.sessions().forEach(s -> activeIds.add(s.sessionId()));
        for (Session s : ended.sessions()) {
            // Listed active first, then history: a session ending in between shows up in both.
            if (s.sessionId() == null || !activeIds.contains(s.sessionId())) {
                endedViolations.addAll(evaluator.evaluateEnded(s));
            }
        }

        List<Alert> alerts = selector.select(activeViolations, endedViolations, before, t, policyFingerprint);
        List<AlertMessage> messages = composer.compose(new AuditFindings(request.account(), request.region(), t,
                active.sessions().size(), ended.sessions().size(), alerts));
        phases.end("evaluate");
        if (!messages.isEmpty()) {
            checkTime(request, "publish " + messages.size() + " alert messages");
            publisher.publish(messages);
        }
        phases.end("publish");

        List<Violation> all = new ArrayList<>(activeViolations);
        all.addAll(endedViolations);
        Instant after = null;
        if ((publisher.delivers() || messages.isEmpty()) && state.persists()) {
            after = advance(before, t, all, request);
        }
        phases.end("saveState");
        return new AuditReport(t, active.sessions().size(), ended.sessions().size(), active.pages() + ended.pages(), all,
                alerts, messages.size(), publisher.delivers() && !messages.isEmpty(),
                before.map(AuditState::coveredUntil).orElse(null), after, Duration.between(began, clock.instant()),
                phases.millis());
    }

    /**
     * Moves the watermark to T, never backwards, with the violations that began just before it; records the
     * policy in force. Returns the new watermark.
     */
    private Instant advance(Optional<AuditState> before, Instant t, List<Violation> violations, AuditRequest request) {
        boolean forward = before.isEmpty() || t.isAfter(before.get().coveredUntil());
        boolean samePolicy = before.isPresent() && before.get().policyFingerprint().equals(policyFingerprint);
        if (!forward && samePolicy) {
            return before.get().coveredUntil(); // a retried or older event: nothing to record
        }
        AuditState next = forward
                ? new AuditState(t, policyFingerprint, AlertSelector.recentKeys(violations, t))
                : new AuditState(before.get().coveredUntil(), policyFingerprint, before.get().recentlyAlerted());
        checkTime(request, "save the watermark");
        state.save(next);
        return next.coveredUntil();
    }

    private static void checkTime(AuditRequest request, String step) {
        long left = request.deadline().remainingMillis();
        if (left < STEP_BUDGET.toMillis()) {
            throw new AuditDeadlineException("only " + left + " ms left before the function times out; not starting to "
                    + step + ". Nothing was reported as complete: raise the function timeout (Timeout parameter) "
                    + "or look for slow SSM/SNS calls in the logs");
        }
    }
}
