package dev.ssmauditor.audit;

import java.time.Instant;
import java.util.Set;

/**
 * The watermark: every violation that began up to {@code coveredUntil} under the policy with this
 * fingerprint has been alerted, as long as it was visible to DescribeSessions by then.
 *
 * @param recentlyAlerted the violations ("sessionId rule") that began in the last
 *                        {@link AlertSelector#VISIBILITY_LAG} before {@code coveredUntil}: DescribeSessions may
 *                        list a session a little after it started, so a violation that turns up late, beginning
 *                        just before the watermark, is alerted when it is not among these
 */
public record AuditState(Instant coveredUntil, String policyFingerprint, Set<String> recentlyAlerted) {

    public AuditState {
        recentlyAlerted = Set.copyOf(recentlyAlerted);
    }

    public AuditState(Instant coveredUntil, String policyFingerprint) {
        this(coveredUntil, policyFingerprint, Set.of());
    }
}
