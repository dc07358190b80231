package dev.ssmauditor.audit;

import dev.ssmauditor.policy.RuleId;

/**
 * What the ledger records as alerted: one violation of one session, and which reminder of it (0 for the first
 * alert). Account and region are part of it, so that one table serves every account and region audited.
 */
public record AlertKey(String account, String region, String sessionId, RuleId rule, int reminder) {

    /** The item's key in the ledger table. */
    public String id() {
        return "alert#" + orUnknown(account) + "#" + orUnknown(region) + "#" + sessionId + "#" + rule.id() + "#" + reminder;
    }

    private static String orUnknown(String s) {
        return s == null ? "unknown" : s;
    }
}
