package dev.ssmauditor.sessions;

import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.policy.Session;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DescribeSessionsRequest;
import software.amazon.awssdk.services.ssm.model.DescribeSessionsResponse;
import software.amazon.awssdk.services.ssm.model.SessionFilter;
import software.amazon.awssdk.services.ssm.model.SessionFilterKey;
import software.amazon.awssdk.services.ssm.model.SessionState;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Lists sessions with {@code DescribeSessions}, 200 a page, following {@code NextToken} to the end.
 * The loop is written out rather than left to the SDK paginator so that a service that hands back a token
 * it already gave stops the audit loudly instead of looping until the Lambda timeout.
 */
public final class SsmSessionSource implements SessionSource {

    static final int PAGE_SIZE = 200;

    private final SsmClient ssm;
    private final CallBudget budget;
    private final Duration keepAfterEndedPage;
    private final AwsCredentialsProvider credentials;

    public SsmSessionSource(SsmClient ssm) {
        this(ssm, CallBudget.unlimited(), Duration.ZERO);
    }

    /**
     * @param keepAfterEndedPage the time a page of ended sessions must leave for what follows the listing (the claims,
     *                           a publish, its mark), so that one slow page cannot use it up
     */
    public SsmSessionSource(SsmClient ssm, CallBudget budget, Duration keepAfterEndedPage) {
        this(ssm, budget, keepAfterEndedPage, null);
    }

    /**
     * @param credentials the audited account's credentials (a member role's); null for the client's own. One client per
     *                    region serves every account: a client per account-region would cost its build a thousand times
     */
    public SsmSessionSource(SsmClient ssm, CallBudget budget, Duration keepAfterEndedPage, AwsCredentialsProvider credentials) {
        this.ssm = ssm;
        this.budget = budget;
        this.keepAfterEndedPage = keepAfterEndedPage;
        this.credentials = credentials;
    }

    @Override
    public SessionListing activeSessions(PageGate gate) {
        return list(SessionState.ACTIVE, List.of(), gate, Duration.ZERO);
    }

    @Override
    public SessionListing endedSessions(Instant from, Instant before, PageGate gate) {
        // The filters take date-times without fractions, e.g. 2018-08-29T00:00:00Z; InvokedAfter is rounded down and
        // InvokedBefore up, so that neighbouring windows overlap by a second rather than leave one out.
        List<SessionFilter> filters = new ArrayList<>(2);
        filters.add(SessionFilter.builder().key(SessionFilterKey.INVOKED_AFTER)
                .value(from.truncatedTo(ChronoUnit.SECONDS).toString()).build());
        if (before != null) {
            Instant up = before.truncatedTo(ChronoUnit.SECONDS);
            filters.add(SessionFilter.builder().key(SessionFilterKey.INVOKED_BEFORE)
                    .value((up.equals(before) ? up : up.plusSeconds(1)).toString()).build());
        }
        return list(SessionState.HISTORY, filters, gate, keepAfterEndedPage);
    }

    private SessionListing list(SessionState state, List<SessionFilter> filters, PageGate gate, Duration keep) {
        List<Session> sessions = new ArrayList<>();
        Set<String> seenTokens = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            if (!gate.mayFetch(pages + 1)) {
                return new SessionListing(sessions, pages, false);
            }
            DescribeSessionsResponse page = ssm.describeSessions(DescribeSessionsRequest.builder()
                    .state(state)
                    .maxResults(PAGE_SIZE)
                    .filters(filters.isEmpty() ? null : filters)
                    .nextToken(token)
                    .overrideConfiguration(overrides(keep))
                    .build());
            pages++;
            for (software.amazon.awssdk.services.ssm.model.Session s : page.sessions()) {
                sessions.add(SdkSessionMapper.toSession(s));
            }
            token = page.nextToken();
            if (token != null && token.isEmpty()) {
                token = null;
            }
            if (token != null && !seenTokens.add(token)) {
                throw new SessionListingException("DescribeSessions (" + state + ") returned NextToken " + abbreviate(token)
                        + " a second time (page " + pages + ", " + sessions.size() + " sessions so far); "
                        + "stopping instead of looping: the list of sessions would be incomplete");
            }
        } while (token != null);
        return new SessionListing(sessions, pages);
    }

    private AwsRequestOverrideConfiguration overrides(Duration keep) {
        AwsRequestOverrideConfiguration o = budget.overrides(keep);
        return credentials == null ? o : o.toBuilder().credentialsProvider(credentials).build();
    }

    private static String abbreviate(String token) {
        return token.length() <= 16 ? token : token.substring(0, 16) + "...";
    }
}
