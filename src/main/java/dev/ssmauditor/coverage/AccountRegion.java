package dev.ssmauditor.coverage;

/**
 * One account in one region: what a sweep audits as a unit, and what a coverage gap is reported for.
 *
 * @param region the region; null for the account as a whole, when its regions could not even be listed
 */
public record AccountRegion(MemberAccount account, String region) {

    public String accountId() {
        return account.id();
    }

    /** {@code 123456789012:eu-west-1}, or {@code 123456789012:*} for the whole account: how summaries list it. */
    public String label() {
        return account.id() + ":" + (region == null ? "*" : region);
    }
}
