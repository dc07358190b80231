package dev.ssmauditor.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A stable hash of what a policy enforces. A changed fingerprint means earlier alerts were judged by other
 * rules, so every current violation is alerted again. Written out field by field, in a fixed order, because
 * record and map {@code toString}s are not stable across JVMs.
 */
public final class PolicyFingerprint {

    private PolicyFingerprint() {
    }

    public static String of(Policy policy) {
        StringBuilder b = new StringBuilder(256);
        b.append("v1\nmax=").append(policy.maxSessionMinutes()).append('\n');
        for (DurationLimit l : policy.durationLimits()) {
            b.append("limit=").append(l.owner()).append('|').append(l.target()).append('|').append(l.maxSessionMinutes()).append('\n');
        }
        b.append("owners=").append(policy.allowedOwners().patterns()).append('\n');
        b.append("targets=").append(policy.allowedTargets().patterns()).append('\n');
        b.append("denied=").append(policy.deniedTargets().patterns()).append('\n');
        b.append("documents=").append(policy.allowedDocuments().patterns()).append('\n');
        for (RuleId rule : RuleId.values()) {
            b.append("severity.").append(rule.id()).append('=').append(policy.severityOf(rule)).append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
