package dev.ssmauditor.sessions;

import dev.ssmauditor.policy.Session;

/** SDK session to the policy's own value; SDK types stop here. */
final class SdkSessionMapper {

    private SdkSessionMapper() {
    }

    static Session toSession(software.amazon.awssdk.services.ssm.model.Session s) {
        return new Session(
                s.sessionId(),
                s.target(),
                s.statusAsString(),
                s.startDate(),
                s.endDate(),
                s.documentName(),
                OwnerNormaliser.normalise(s.owner()),
                s.reason(),
                s.maxSessionDuration(),
                s.accessTypeAsString());
    }
}
