package dev.ssmauditor.coverage;

/**
 * An account to audit.
 *
 * @param id the 12-digit account id
 * @param name its name in AWS Organizations, or null when not known (an account listed in {@code AUDIT_ACCOUNTS})
 */
public record MemberAccount(String id, String name) {
}
