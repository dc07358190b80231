package dev.ssmauditor.audit;

import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.AuditFindings;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.policy.Violation;
import dev.ssmauditor.sessions.SessionListing;
import dev.ssmauditor.sessions.SessionSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One audit run: list sessions, evaluate them, compose alerts, deliver them. Any failure propagates:
 * an audit either delivers everything it found or fails as a whole.
 */
public final class Auditor {

    private final SessionSource sessions;
    private final PolicyEvaluator evaluator;
    private final AlertComposer composer;
    private final AlertPublisher publisher;
    private final Clock clock;

    public Auditor(SessionSource sessions, PolicyEvaluator evaluator, AlertComposer composer, AlertPublisher publisher,
                   Clock clock) {
        this.sessions = sessions;
        this.evaluator = evaluator;
        this.composer = composer;
        this.publisher = publisher;
        this.clock = clock;
    }

    public AuditReport run(AuditRequest request) {
        Instant began = clock.instant();
        SessionListing listing = sessions.activeSessions();
        List<Violation> violations = evaluator.evaluate(listing.sessions(), request.referenceTime());
        List<AlertMessage> messages = composer.compose(new AuditFindings(request.account(), request.region(),
                request.referenceTime(), listing.sessions().size(), violations));
        if (!messages.isEmpty()) {
            publisher.publish(messages);
        }
        return new AuditReport(request.referenceTime(), listing.sessions().size(), listing.pages(), violations,
                messages.size(), publisher.delivers() && !messages.isEmpty(), Duration.between(began, clock.instant()));
    }
}
