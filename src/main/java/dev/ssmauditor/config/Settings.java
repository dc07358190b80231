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

    private Settings() {
    }
}
