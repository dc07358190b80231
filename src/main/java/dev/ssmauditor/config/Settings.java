package dev.ssmauditor.config;

/** The environment variables that configure the auditor: the contract with template.yaml and the README. */
public final class Settings {

    public static final String ALERT_TOPIC_ARN = "ALERT_TOPIC_ARN";
    public static final String DRY_RUN = "DRY_RUN";
    public static final String MAX_SESSION_MINUTES = "MAX_SESSION_MINUTES";
    public static final String ALLOWED_OWNERS = "ALLOWED_OWNERS";
    public static final String ALLOWED_TARGETS = "ALLOWED_TARGETS";
    public static final String DENIED_TARGETS = "DENIED_TARGETS";
    public static final String ALLOWED_DOCUMENTS = "ALLOWED_DOCUMENTS";
    public static final String POLICY = "POLICY";
    public static final String REMIND_EVERY_MINUTES = "REMIND_EVERY_MINUTES";
    public static final String STATE_TABLE = "STATE_TABLE";
    public static final String EXPECT_START_SESSION_EVENTS = "EXPECT_START_SESSION_EVENTS";
    /** Empty: this account; a comma-separated list of account ids; or {@code organization}. */
    public static final String AUDIT_ACCOUNTS = "AUDIT_ACCOUNTS";
    /** Empty: the function's region; a comma-separated list of regions; or {@code enabled} (each account's own). */
    public static final String AUDIT_REGIONS = "AUDIT_REGIONS";
    /** The role assumed in every audited account but the function's own. */
    public static final String MEMBER_ROLE_NAME = "MEMBER_ROLE_NAME";
    /** How many account-regions are audited at once. */
    public static final String AUDIT_CONCURRENCY = "AUDIT_CONCURRENCY";
    /** Set: the scheduled sweep sends the accounts to this SQS queue, for the shard workers, instead of auditing them. */
    public static final String SHARD_QUEUE_URL = "SHARD_QUEUE_URL";
    /** The shard queue's maxReceiveCount: a worker's last attempt at an account reports its gaps instead of retrying. */
    public static final String SHARD_MAX_RECEIVES = "SHARD_MAX_RECEIVES";
    /** Comma-separated rule ids whose violations end the session ({@code ssm:TerminateSession}); empty: none is ended. */
    public static final String TERMINATE_RULES = "TERMINATE_RULES";
    /** Minutes past its limit a {@code long-running} session is ended, so that its owner reads the alert first; default 0. */
    public static final String TERMINATE_GRACE_MINUTES = "TERMINATE_GRACE_MINUTES";

    private Settings() {
    }
}
