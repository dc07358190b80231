package dev.ssmauditor.policy;

/**
 * A session length limit for the sessions whose owner and target match; a null glob matches anything,
 * but at least one must be given.
 */
public record DurationLimit(Glob owner, Glob target, int maxSessionMinutes) {

    public DurationLimit {
        if (owner == null && target == null) {
            throw new IllegalArgumentException("a duration limit needs an owner or a target pattern");
        }
        if (maxSessionMinutes < 1) {
            throw new IllegalArgumentException("maxSessionMinutes must be at least 1, was " + maxSessionMinutes);
        }
    }

    public boolean appliesTo(Session session) {
        return (owner == null || owner.matches(session.owner()))
                && (target == null || target.matches(session.target()));
    }

    /** Says which sessions this limit is for, for alert details: {@code owner arn:...:BreakGlass/*}. */
    public String scope() {
        if (owner != null && target != null) {
            return "owner " + owner + ", target " + target;
        }
        return owner != null ? "owner " + owner : "target " + target;
    }
}
