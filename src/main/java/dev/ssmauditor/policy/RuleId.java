package dev.ssmauditor.policy;

/** The rules a session is checked against, with the ids used in configuration and alerts. */
public enum RuleId {
    LONG_RUNNING("long-running", Severity.MEDIUM),
    UNEXPECTED_OWNER("unexpected-owner", Severity.HIGH),
    UNEXPECTED_TARGET("unexpected-target", Severity.HIGH),
    UNEXPECTED_DOCUMENT("unexpected-document", Severity.MEDIUM);

    private final String id;
    private final Severity defaultSeverity;

    RuleId(String id, Severity defaultSeverity) {
        this.id = id;
        this.defaultSeverity = defaultSeverity;
    }

    public String id() {
        return id;
    }

    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    public static RuleId fromId(String id) {
        for (RuleId r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("'" + id + "' is not a rule; use one of long-running, unexpected-owner, "
                + "unexpected-target, unexpected-document");
    }

    @Override
    public String toString() {
        return id;
    }
}
