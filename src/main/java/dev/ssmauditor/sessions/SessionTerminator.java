package dev.ssmauditor.sessions;

import dev.ssmauditor.alert.Remediation;

import java.time.Instant;

/**
 * Ends one session and finds out what became of it. {@code TerminateSession} is documented to succeed whatever the
 * session's state, so its answer alone says nothing: the result is what {@code DescribeSessions} shows around it.
 * Never throws for a failed AWS call: a failure is an outcome, reported and retried by the next run.
 */
public interface SessionTerminator {

    /**
     * @param outcome {@code TERMINATED}, {@code ALREADY_ENDED} or {@code TERMINATE_FAILED}
     * @param at when the session was found ended (its end date when it was over already), or when the attempt failed
     * @param error why it failed; null otherwise
     * @param terminateCalls how many {@code TerminateSession} calls were made (0 when the session was over already)
     */
    record Result(Remediation.Outcome outcome, Instant at, String error, int terminateCalls) {
    }

    Result terminate(String sessionId);

    /** The terminator for sessions of one account and region (the event path serves many). */
    @FunctionalInterface
    interface Locator {
        SessionTerminator in(String account, String region);
    }
}
