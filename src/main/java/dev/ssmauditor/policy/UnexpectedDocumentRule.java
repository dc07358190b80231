package dev.ssmauditor.policy;

import java.time.Duration;
import java.util.Optional;

/** The session document (shell, port forwarding, ...) is not in the allowed list. */
final class UnexpectedDocumentRule implements Rule {

    private final PatternList allowed;

    UnexpectedDocumentRule(PatternList allowed) {
        this.allowed = allowed;
    }

    @Override
    public RuleId id() {
        return RuleId.UNEXPECTED_DOCUMENT;
    }

    @Override
    public Optional<Breach> check(Session session, Duration openFor) {
        String document = session.documentName();
        if (document == null) {
            return Breach.fromStart(session, "document unknown (DescribeSessions gave none); only allowed documents may be used");
        }
        if (allowed.firstMatch(document).isPresent()) {
            return Optional.empty();
        }
        return Breach.fromStart(session, "document " + document + " is not allowed");
    }
}
