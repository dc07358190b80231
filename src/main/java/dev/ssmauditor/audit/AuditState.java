package dev.ssmauditor.audit;

import java.time.Instant;

/**
 * The watermark: every violation that began up to {@code coveredUntil} under the policy with this
 * fingerprint has been alerted.
 */
public record AuditState(Instant coveredUntil, String policyFingerprint) {
}
