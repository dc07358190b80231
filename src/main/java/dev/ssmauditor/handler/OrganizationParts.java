package dev.ssmauditor.handler;

import dev.ssmauditor.alert.AlertDeliveryException;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.CoverageAlertComposer;
import dev.ssmauditor.audit.AlertDispatch;
import dev.ssmauditor.audit.AlertLedger;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.audit.PrefetchedSweeps;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.coverage.AccountRegion;
import dev.ssmauditor.audit.AlertPlanner;
import dev.ssmauditor.audit.Auditor;
import dev.ssmauditor.audit.Remediator;
import dev.ssmauditor.audit.EventPathCheck;
import dev.ssmauditor.organization.MemberRoleCredentials;
import dev.ssmauditor.aws.RegionalSsmClients;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.coverage.CoverageGapLedger;
import dev.ssmauditor.coverage.CoverageGaps;
import dev.ssmauditor.coverage.CoverageSettings;
import dev.ssmauditor.coverage.OrganizationSweep;
import dev.ssmauditor.coverage.UnitAuditor;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.sessions.SsmSessionSource;
import dev.ssmauditor.sessions.SsmSessionTerminator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds the sweep of many account-regions, alike for the scheduled function and the shard workers. */
final class OrganizationParts {

    private OrganizationParts() {
    }

    /** Each account-region is the single-account sweep, pointed at it with the account's credentials. */
    static OrganizationAudit build(FunctionParts parts, Map<String, String> env, SsmClient ssm, EventPathCheck eventPath,
                                   Clock clock, RetryPolicy retry) {
        AuditorConfig config = parts.config();
        JsonLog log = parts.log();
        CoverageSettings coverage = config.coverage();
        String region = parts.clients().region().id();
        Duration step = AuditHandler.stepBudget();
        RegionalSsmClients ssmClients = new RegionalSsmClients(parts.clients(), ssm);
        AwsCredentialsProvider own = DefaultCredentialsProvider.builder().build();
        MemberRoleCredentials roles = new MemberRoleCredentials(parts.clients()::sts, own, coverage.memberRoleName(),
                MemberRoleCredentials.partitionOf(region), parts.budget());
        PolicyEvaluator evaluator = new PolicyEvaluator(config.policy());
        AlertPlanner planner = new AlertPlanner(config.remindEvery());
        AlertPublisher publisher = AlertDeliveryException.wrapping(parts.publisher());
        UnitAuditor unit = new UnitAuditor() {
            @Override
            public AuditReport audit(AccountRegion u, AwsCredentialsProvider credentials, AuditRequest request) {
                return withLedger(parts.ledger()).audit(u, credentials, request);
            }

            @Override
            public UnitAuditor prepare(List<AccountRegion> units) {
                try {
                    return withLedger(new PrefetchedSweeps(parts.ledger(), parts.ledger().lastSweeps(
                            units.stream().map(u -> new String[] {u.accountId(), u.region()}).toList())));
                } catch (LedgerUnavailableException e) {
                    log.warn("alert ledger: sweep records not read in advance", JsonLog.fields("error", e.getMessage(),
                            "consequence", "each account-region reads its own"));
                    return this;
                }
            }

            private UnitAuditor withLedger(AlertLedger ledger) {
                return (u, credentials, request) -> {
                    JsonLog unitLog = log.with(JsonLog.fields("account", u.accountId(), "region", u.region()));
                    SsmClient client = ssmClients.in(u.region());
                    return new Auditor(new SsmSessionSource(client, parts.budget(), Auditor.endedListingReserve(step), credentials),
                            evaluator, planner, new AlertDispatch(parts.composer(), publisher, ledger, clock, unitLog, step), eventPath,
                            parts.remediator((account, in) -> new SsmSessionTerminator(client, parts.budget(), credentials, clock,
                                    Remediator.afterTermination(step)),
                                    clock, unitLog), clock, unitLog, step).run(request);
                };
            }
        };
        OrganizationSweep sweep = new OrganizationSweep(coverage, Directories.accounts(coverage, env, parts.clients(), own,
                parts.json(), parts.budget()), Directories.regions(coverage, env, parts.clients(), parts.json(), parts.budget()),
                // The failed account-regions are tried again after the SDK's longest backoff (2 s in Lambda): the same
                // air a throttled call gets.
                roles::forRun, unit, log, step, retry.maxDelay());
        CoverageGapLedger gapLedger = parts.table() == null ? CoverageGapLedger.NONE : parts.table();
        return new OrganizationAudit(sweep, new CoverageGaps(gapLedger, new CoverageAlertComposer(parts.json()), parts.publisher(),
                config.dryRun(), log), clock);
    }
}
