package dev.ssmauditor.coverage;

import java.util.List;

/** The accounts of the organisation ({@code AUDIT_ACCOUNTS=organization}). */
public interface AccountDirectory {

    /**
     * Every ACTIVE account of the organisation, every page read (pages may be empty mid-list), in the order listed.
     *
     * @throws CoverageException when the listing is refused (a message naming {@code AUDIT_ACCOUNTS} and the fix) or
     *                           fails after its retries
     */
    List<MemberAccount> activeAccounts();

    /**
     * One cheap call at start-up, so that a hub that may not list the organisation fails there, naming the setting,
     * rather than at its first run.
     *
     * @throws CoverageException as {@link #activeAccounts()} does
     */
    default void checkAccess() {
        activeAccounts();
    }
}
