package dev.ssmauditor.audit;

/**
 * What a run did to sessions, counted by session.
 *
 * @param terminated sessions this run ended
 * @param failed sessions this run tried to end and could not (or had no time to try)
 * @param alreadyEnded sessions this run was to end that were over already
 * @param wouldTerminate sessions a dry run would have ended
 */
public record RemediationCounts(int terminated, int failed, int alreadyEnded, int wouldTerminate) {

    public static final RemediationCounts NONE = new RemediationCounts(0, 0, 0, 0);

    public RemediationCounts plus(RemediationCounts o) {
        return new RemediationCounts(terminated + o.terminated, failed + o.failed, alreadyEnded + o.alreadyEnded,
                wouldTerminate + o.wouldTerminate);
    }
}
