package dev.ssmauditor.alert;

import java.time.Instant;

/**
 * An account-region that stopped being audited (a gap opened) or is audited again (it closed).
 *
 * @param accountName the name in AWS Organizations, or null when not known
 * @param region null for the whole account, when its regions could not be listed
 * @param reason why it is not audited; for a closed gap, why it was not
 * @param since when the gap opened
 */
public record CoverageChange(String account, String accountName, String region, String reason, Instant since) {

    String where() {
        String name = accountName == null || accountName.isBlank() ? "" : " (" + accountName + ")";
        return account + name + " " + (region == null ? "all regions" : region);
    }
}
