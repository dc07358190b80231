package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.audit.AlertDispatch;
import dev.ssmauditor.audit.AlertPlanner;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.Auditor;
import dev.ssmauditor.audit.Deadline;
import dev.ssmauditor.audit.EventPathCheck;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.audit.Remediator;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.coverage.ShardMessage;
import dev.ssmauditor.coverage.ShardQueue;
import dev.ssmauditor.log.EmbeddedMetrics;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.organization.SqsShardQueue;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.sessions.SsmSessionSource;
import dev.ssmauditor.sessions.SsmSessionTerminator;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lambda entry point for the EventBridge schedule. Everything is built once per execution environment, in
 * the constructor, so bad configuration fails the init loudly and warm invocations only audit.
 *
 * <p>A stream handler rather than {@code RequestHandler<ScheduledEvent, ...>}: the runtime's own event
 * binding would fail the invocation on a malformed {@code time} before any of our code runs, and it drags
 * in joda-time and reflection-based binding at cold start. The event here is read for its {@code time}
 * only, and anything unreadable falls back to the clock, with a log line.
 *
 * <p>Under SnapStart the handler registers for CRaC's checkpoint: before the snapshot it runs one whole audit
 * against canned responses (no AWS call), so that the restored environment starts with the audit path loaded
 * and compiled.
 */
public final class AuditHandler implements RequestStreamHandler, Resource {

    private final JsonFactory json;
    private final JsonLog log;
    private final EmbeddedMetrics metrics;
    private final AuditorConfig config;
    private final Auditor auditor;
    private final String region;
    private final Clock clock;
    private final Map<String, String> env;
    private final RetryPolicy retry;
    private final FunctionParts parts;
    private final CallBudget budget;
    /** Null for the single-account audit (AUDIT_ACCOUNTS and AUDIT_REGIONS empty). */
    private final OrganizationAudit organization;
    /** Set in the sharded mode: the accounts go to the shard workers. */
    private final ShardQueue shards;

    /** Used by the Lambda runtime. */
    public AuditHandler() {
        this(System.getenv(), System.out, Clock.systemUTC(), RetryPolicy.LAMBDA);
    }

    AuditHandler(Map<String, String> env, PrintStream out, Clock clock) {
        this(env, out, clock, RetryPolicy.LAMBDA);
    }

    AuditHandler(Map<String, String> env, PrintStream out, Clock clock, RetryPolicy retry) {
        this(env, out, clock, retry, null);
    }

    AuditHandler(Map<String, String> env, PrintStream out, Clock clock, RetryPolicy retry, SdkHttpClient http) {
        this.parts = FunctionParts.build(env, out, retry, http,
                "STATE_TABLE is not set: no alert ledger, every run alerts every current violation");
        this.json = parts.json();
        this.log = parts.log();
        this.metrics = parts.metrics();
        this.config = parts.config();
        this.budget = parts.budget();
        this.clock = clock;
        this.env = env;
        this.retry = retry;
        this.region = parts.clients().region().id();
        SsmClient ssm = parts.clients().ssm();
        // A dry run writes nothing: it neither checks nor forgets how far the event path was checked.
        EventPathCheck eventPath = parts.table() == null || config.dryRun() ? null
                : new EventPathCheck(parts.table(), config.expectStartSessionEvents());
        this.auditor = new Auditor(new SsmSessionSource(ssm, budget, Auditor.endedListingReserve(stepBudget())),
                new PolicyEvaluator(config.policy()), new AlertPlanner(config.remindEvery()),
                new AlertDispatch(parts.composer(), parts.publisher(), parts.ledger(), clock, log, stepBudget()), eventPath,
                parts.remediator((account, in) -> new SsmSessionTerminator(ssm, budget, null, clock,
                        Remediator.afterTermination(stepBudget())), clock, log), clock,
                log, stepBudget());
        this.organization = config.coverage().selfOnly() ? null
                : OrganizationParts.build(parts, env, ssm, eventPath, clock, retry);
        this.shards = config.coverage().sharded() ? new SqsShardQueue(parts.clients()::sqs, config.coverage().shardQueueUrl(), json,
                budget, config.coverage().concurrency()) : null;
        if (organization != null) {
            // At start-up (under SnapStart, when the version is published): a hub that may not list the organisation
            // fails here, naming AUDIT_ACCOUNTS, not at its first scheduled run.
            String passing = organization.sweep().checkAccess();
            if (passing != null) {
                log.warn("organizations:ListAccounts not checked at start-up", JsonLog.fields("problem", passing,
                        "consequence", "the first run lists the accounts again"));
            }
        }
        Core.getGlobalContext().register(this);
    }

    /** See {@link CallBudget#STEP}. */
    static Duration stepBudget() {
        return CallBudget.STEP;
    }

    /** SnapStart: warm the audit path before the snapshot is taken. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        long started = System.nanoTime();
        parts.primed(prime(), started);
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        log.info("restored from snapshot", Map.of());
    }

    /**
     * One audit of a canned session through every piece the real one uses (SSM, SNS and DynamoDB clients, signing,
     * marshalling, rules, alert bodies, the ledger), over {@link PrimingHttpClient}. Returns the canned calls made.
     */
    int prime() {
        Priming p = Priming.canned(env, retry, json);
        new Auditor(new SsmSessionSource(p.clients().ssm()), new PolicyEvaluator(Priming.policy(config.policy())),
                new AlertPlanner(config.remindEvery()), p.composer(), p.publisher(), p.ledger(), clock, p.quiet(), stepBudget())
                .run(new AuditRequest(clock.instant(), "000000000000", p.region()));
        return p.http().calls();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        log.requestId(context == null ? null : context.getAwsRequestId());
        budget.until(context == null ? () -> Long.MAX_VALUE : context::getRemainingTimeInMillis);
        EventTime time = EventTime.of(input.readAllBytes(), json, clock);
        if (time.ignored() != null) {
            log.warn("event time ignored; auditing at the clock", JsonLog.fields("reason", time.ignored(), "referenceTime",
                    time.time().toString()));
        }
        if (shards != null) {
            handleShards(time, output, context);
            return;
        }
        if (organization != null) {
            handleOrganization(time, output, context);
            return;
        }
        AuditReport report;
        try {
            report = auditor.run(new AuditRequest(time.time(), FunctionParts.accountOf(context), region, context::getRemainingTimeInMillis));
        } catch (RuntimeException e) {
            throw failed(time, e);
        }
        Map<String, Object> summary = AuditSummary.fields(report, config.dryRun(), time.ignored());
        log.info("audit complete", metrics.declare(summary, AuditSummary.METRICS, Map.of(), clock.instant()));
        AuditSummary.breakdowns(report).forEach(line -> log.info("violations", metrics.declare(line.fields(),
                AuditSummary.BREAKDOWN_METRICS, line.dimensions(), clock.instant())));
        output.write(AuditSummary.json(json, "audit complete", summary).getBytes(StandardCharsets.UTF_8));
    }

    private RuntimeException failed(EventTime time, RuntimeException e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("referenceTime", time.time().toString());
        fields.put("error", e.getClass().getSimpleName());
        fields.put("cause", String.valueOf(e.getMessage()));
        fields.put("auditSucceeded", 0);
        fields.put("ledgerErrors", e instanceof LedgerUnavailableException ? 1 : 0);
        log.error("audit failed", metrics.declare(fields, AuditSummary.FAILURE_METRICS, Map.of(), clock.instant()));
        return e;
    }

    /**
     * Many accounts and regions: the summary lists which were audited and which not. A run that failed as a whole (nothing
     * audited, the ledger or the time gone) still logs its summary first, with auditSucceeded 0, then fails.
     */
    private void handleOrganization(EventTime time, OutputStream output, Context context) throws IOException {
        Deadline deadline = context == null ? Deadline.NONE : context::getRemainingTimeInMillis;
        OrganizationAudit.Run run;
        try {
            run = organization.run(time.time(), FunctionParts.accountOf(context), region, deadline);
        } catch (RuntimeException e) {
            throw failed(time, e);
        }
        Map<String, Object> summary = AuditSummary.fields(run.totals(), config.dryRun(), time.ignored());
        summary.putAll(OrganizationAudit.fields(run));
        summary.put("ledgerErrors", run.totals().ledgerErrors() + run.gaps().ledgerErrors());
        if (run.failure() != null) {
            summary.put("auditSucceeded", 0);
            summary.put("error", run.failure().getClass().getSimpleName());
            summary.put("cause", String.valueOf(run.failure().getMessage()));
            log.error("audit failed", metrics.declare(summary, AuditSummary.METRICS, Map.of(), clock.instant()));
            throw run.failure();
        }
        log.info("audit complete", metrics.declare(summary, AuditSummary.METRICS, Map.of(), clock.instant()));
        AuditSummary.breakdowns(run.totals()).forEach(line -> log.info("violations", metrics.declare(line.fields(),
                AuditSummary.BREAKDOWN_METRICS, line.dimensions(), clock.instant())));
        output.write(AuditSummary.json(json, "audit complete", summary).getBytes(StandardCharsets.UTF_8));
    }

    /** The sharded mode: list the accounts, queue one message per account for the shard workers. */
    private void handleShards(EventTime time, OutputStream output, Context context) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        try {
            List<MemberAccount> accounts = organization.sweep().accounts(FunctionParts.accountOf(context));
            int calls = shards.send(accounts.stream().map(a -> new ShardMessage(a, time.time())).toList());
            summary.put("referenceTime", time.time().toString());
            summary.put("accountsQueued", accounts.size());
            summary.put("sqsCalls", calls);
            summary.put("auditSucceeded", 1);
        } catch (RuntimeException e) {
            throw failed(time, e);
        }
        log.info("shards queued", metrics.declare(summary, SHARD_METRICS, Map.of(), clock.instant()));
        output.write(AuditSummary.json(json, "shards queued", summary).getBytes(StandardCharsets.UTF_8));
    }

    static final Map<String, String> SHARD_METRICS = AuditSummary.units("accountsQueued", "Count", "auditSucceeded", "Count");

}
