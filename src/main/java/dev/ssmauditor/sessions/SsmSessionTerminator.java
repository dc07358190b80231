package dev.ssmauditor.sessions;

import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.aws.CallBudget;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.SessionFilter;
import software.amazon.awssdk.services.ssm.model.SessionFilterKey;
import software.amazon.awssdk.services.ssm.model.SessionState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Ends a session with {@code TerminateSession}, and finds out what that did with {@code DescribeSessions} filtered by
 * {@code SessionId}, since TerminateSession succeeds whatever the session's state:
 * <ol>
 * <li>before: a session listed neither active nor in the history is not known yet (a StartSession event may come
 * first), so it is ended anyway; one listed only in the history, or active but terminating, is {@code already-ended},
 * and is not ended again;</li>
 * <li>TerminateSession;</li>
 * <li>after: gone from the active sessions, or listed as terminating or terminated, is {@code terminated}; still
 * connected, connecting or disconnected after a few looks a second apart is {@code terminate-failed}. A session that
 * was listed nowhere before must show up as over (in the history, or terminating) to count as ended: otherwise the
 * call may have ended nothing, and it is {@code terminate-failed}, so that the next run tries again.</li>
 * </ol>
 * Any failed call (after the SDK's retries) is {@code terminate-failed}, with the error. Each call keeps the time the
 * run needs after it (its alerts), so that a slow SSM cannot cost the alert.
 */
public final class SsmSessionTerminator implements SessionTerminator {

    /** Statuses of a session on its way out or over: DescribeSessions may still list it active for a while. */
    static final Set<String> ENDING = Set.of("Terminating", "Terminated", "Failed");

    private final SsmClient ssm;
    private final CallBudget budget;
    private final AwsCredentialsProvider credentials;
    /** How often, and how long apart, a session still open after TerminateSession is looked at again. */
    static final int LOOKS_AFTER = 3;
    static final long PAUSE_MILLIS = 300;

    private final Clock clock;
    private final Duration keepAfter;

    /**
     * @param credentials the session's account's credentials (a member role's); null for the client's own
     * @param keepAfter the time each call leaves for what the run does after the termination (its alerts)
     */
    public SsmSessionTerminator(SsmClient ssm, CallBudget budget, AwsCredentialsProvider credentials, Clock clock,
                                Duration keepAfter) {
        this.ssm = ssm;
        this.budget = budget;
        this.credentials = credentials;
        this.clock = clock;
        this.keepAfter = keepAfter;
    }

    @Override
    public Result terminate(String sessionId) {
        String step = "DescribeSessions";
        int calls = 0;
        try {
            List<software.amazon.awssdk.services.ssm.model.Session> before = describe(SessionState.ACTIVE, sessionId);
            boolean listedBefore = !before.isEmpty();
            if (!listedBefore || ending(before.get(0).statusAsString())) {
                List<software.amazon.awssdk.services.ssm.model.Session> history = describe(SessionState.HISTORY, sessionId);
                if (!history.isEmpty() || listedBefore) {
                    Instant ended = history.isEmpty() ? null : history.get(0).endDate();
                    return new Result(Remediation.Outcome.ALREADY_ENDED, ended == null ? clock.instant() : ended, null, 0);
                }
            }
            step = "TerminateSession";
            calls++;
            ssm.terminateSession(r -> r.sessionId(sessionId).overrideConfiguration(overrides()));
            step = "DescribeSessions after TerminateSession";
            String still = null;
            for (int look = 0; look < LOOKS_AFTER; look++) {
                if (look > 0) {
                    pause(look);
                }
                List<software.amazon.awssdk.services.ssm.model.Session> after = describe(SessionState.ACTIVE, sessionId);
                boolean ending = !after.isEmpty() && ending(after.get(0).statusAsString());
                if (ending || (after.isEmpty() && (listedBefore || !describe(SessionState.HISTORY, sessionId).isEmpty()))) {
                    return new Result(Remediation.Outcome.TERMINATED, clock.instant(), null, calls);
                }
                still = after.isEmpty() ? null : after.get(0).statusAsString();
            }
            return new Result(Remediation.Outcome.TERMINATE_FAILED, clock.instant(), still == null
                    ? "not confirmed: DescribeSessions lists the session neither before nor after TerminateSession; the next "
                            + "run tries again" : "still " + still + " after TerminateSession", calls);
        } catch (SdkException e) {
            return new Result(Remediation.Outcome.TERMINATE_FAILED, clock.instant(), step + " failed: " + describe(e), calls);
        } catch (RuntimeException e) {
            // Never thrown to the run: the alert goes out whatever happened here.
            return new Result(Remediation.Outcome.TERMINATE_FAILED, clock.instant(), step + " failed: " + e, calls);
        }
    }

    private static boolean ending(String status) {
        return status != null && ENDING.contains(status);
    }

    private static void pause(int look) {
        try {
            Thread.sleep(PAUSE_MILLIS * look);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<software.amazon.awssdk.services.ssm.model.Session> describe(SessionState state, String sessionId) {
        return ssm.describeSessions(r -> r.state(state).filters(SessionFilter.builder().key(SessionFilterKey.SESSION_ID)
                .value(sessionId).build()).overrideConfiguration(overrides())).sessions();
    }

    /** The error code and message, and for a refusal the permission that is missing. */
    private static String describe(SdkException e) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            String code = s.awsErrorDetails().errorCode();
            String text = code + ": " + s.awsErrorDetails().errorMessage();
            if ("AccessDeniedException".equals(code) || "AccessDenied".equals(code)) {
                return text + " (the role needs ssm:TerminateSession and ssm:DescribeSessions: the template grants them when "
                        + "TerminateRules or the policy's remediation asks for termination; in a member account, deploy the "
                        + "member stacks with AllowTermination=true)";
            }
            return text;
        }
        return e.getMessage();
    }

    private AwsRequestOverrideConfiguration overrides() {
        AwsRequestOverrideConfiguration o = budget.overrides(keepAfter);
        return credentials == null ? o : o.toBuilder().credentialsProvider(credentials).build();
    }
}
