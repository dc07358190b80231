package dev.ssmauditor.coverage;

import java.util.List;

/**
 * Which accounts a sweep audits ({@code AUDIT_ACCOUNTS}).
 *
 * @param ids the accounts listed; empty unless {@link Kind#LISTED}
 */
public record AccountScope(Kind kind, List<String> ids) {

    public enum Kind {
        /** The function's own account, with its own role: the single-account auditor. */
        SELF,
        /** The accounts listed. */
        LISTED,
        /** Every ACTIVE account of the organisation. */
        ORGANIZATION
    }

    public static final AccountScope SELF = new AccountScope(Kind.SELF, List.of());

    public AccountScope {
        ids = List.copyOf(ids);
    }
}
