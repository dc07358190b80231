package dev.ssmauditor.handler;

import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.sessions.SessionTerminator;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.audit.Remediator;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.aws.RegionalSsmClients;
import dev.ssmauditor.coverage.AccountCredentials;
import dev.ssmauditor.organization.MemberRoleCredentials;
import dev.ssmauditor.sessions.SsmSessionTerminator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.time.Clock;

/**
 * Where the event function ends sessions: in the event's account and region, which a central bus makes any account of
 * the organisation. Its own account is ended with its own role, any other through the member role, as the sweep does.
 * The SSM clients and the STS client are built on first use only: a function that never ends a session never pays
 * for them at cold start.
 */
final class EventPathTerminators implements SessionTerminator.Locator {

    private final AwsClientFactory clients;
    private final CallBudget budget;
    private final Clock clock;
    private final MemberRoleCredentials roles;
    private volatile RegionalSsmClients ssm;
    private volatile AccountCredentials credentials;

    EventPathTerminators(AwsClientFactory clients, CallBudget budget, Clock clock, String memberRoleName) {
        this.clients = clients;
        this.budget = budget;
        this.clock = clock;
        this.roles = new MemberRoleCredentials(clients::sts, DefaultCredentialsProvider.builder().build(), memberRoleName,
                MemberRoleCredentials.partitionOf(clients.region().id()), budget);
    }

    /** A fresh credentials cache for one invocation: {@code ownAccount} (null when unknown) uses the function's role. */
    void invocation(String ownAccount) {
        credentials = roles.forRun(ownAccount);
    }

    @Override
    public SessionTerminator in(String account, String region) {
        return sessionId -> {
            AwsCredentialsProvider provider;
            try {
                AccountCredentials c = credentials;
                provider = c == null ? null : c.of(account);
            } catch (RuntimeException e) {
                return new SessionTerminator.Result(Remediation.Outcome.TERMINATE_FAILED, clock.instant(),
                        "no credentials for account " + account + ": " + e.getMessage(), 0);
            }
            SsmSessionTerminator terminator;
            try {
                terminator = new SsmSessionTerminator(ssm().in(region), budget, provider, clock,
                        Remediator.afterTermination(CallBudget.STEP));
            } catch (RuntimeException e) {
                return new SessionTerminator.Result(Remediation.Outcome.TERMINATE_FAILED, clock.instant(),
                        "no SSM client for " + region + ": " + e.getMessage(), 0);
            }
            return terminator.terminate(sessionId);
        };
    }

    private RegionalSsmClients ssm() {
        RegionalSsmClients s = ssm;
        if (s == null) {
            synchronized (this) {
                if (ssm == null) {
                    ssm = new RegionalSsmClients(clients, clients.ssm());
                }
                s = ssm;
            }
        }
        return s;
    }
}
