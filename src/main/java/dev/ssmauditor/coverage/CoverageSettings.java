package dev.ssmauditor.coverage;

/**
 * What a sweep covers and how.
 *
 * @param memberRoleName the role assumed in every account but the function's own
 * @param concurrency how many account-regions are audited at once
 * @param shardQueueUrl set: the scheduled sweep queues the accounts there for the shard workers instead of auditing them
 * @param shardMaxReceives the shard queue's maxReceiveCount: a worker's last try at an account reports its gaps
 */
public record CoverageSettings(AccountScope accounts, RegionScope regions, String memberRoleName, int concurrency,
                               String shardQueueUrl, int shardMaxReceives) {

    public static final int DEFAULT_MAX_RECEIVES = 3;

    public CoverageSettings(AccountScope accounts, RegionScope regions, String memberRoleName, int concurrency) {
        this(accounts, regions, memberRoleName, concurrency, null, DEFAULT_MAX_RECEIVES);
    }

    public boolean sharded() {
        return shardQueueUrl != null;
    }

    /** 32 at once: see the README ("How many at once"). */
    public static final int DEFAULT_CONCURRENCY = 32;
    public static final int MAX_CONCURRENCY = 256;
    public static final String DEFAULT_MEMBER_ROLE = "ssm-session-auditor-member";

    /** Today's single-account audit: this account, this region, no role assumed. */
    public boolean selfOnly() {
        return accounts.kind() == AccountScope.Kind.SELF && regions.kind() == RegionScope.Kind.SELF && !sharded();
    }
}
