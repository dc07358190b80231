package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.Deadline;
import dev.ssmauditor.audit.EventPathCheck;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.coverage.CoverageException;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.coverage.ShardMessage;
import dev.ssmauditor.coverage.SweepTotals;
import dev.ssmauditor.coverage.UnitOutcome;
import dev.ssmauditor.log.EmbeddedMetrics;
import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.http.SdkHttpClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sharded sweep's worker: an SQS batch of accounts (one {@link ShardMessage} each), every region of each audited
 * as the scheduled sweep would, {@code AUDIT_CONCURRENCY} at once. An account that could not be audited somewhere is
 * a coverage gap at once (alerted when it opens, as in one invocation), and its message is reported in
 * {@code batchItemFailures} so that SQS gives it back alone, until its last receive ({@code SHARD_MAX_RECEIVES}),
 * after which the next schedule queues it again. What fails the hub itself (the ledger, SNS, the time) is reported
 * in {@code batchItemFailures} whatever the receive, logged as {@code shard failed}, and counted.
 */
public final class ShardWorkerHandler implements RequestStreamHandler {

    private final JsonFactory json;
    private final JsonLog log;
    private final EmbeddedMetrics metrics;
    private final AuditorConfig config;
    private final OrganizationAudit organization;
    private final String region;
    private final Clock clock;
    private final CallBudget budget;

    /** Used by the Lambda runtime. */
    public ShardWorkerHandler() {
        this(System.getenv(), System.out, Clock.systemUTC(), RetryPolicy.LAMBDA, null);
    }

    ShardWorkerHandler(Map<String, String> env, PrintStream out, Clock clock, RetryPolicy retry, SdkHttpClient http) {
        FunctionParts parts = FunctionParts.build(env, out, retry, http,
                "STATE_TABLE is not set: no alert ledger, every shard alerts every current violation");
        this.json = parts.json();
        this.log = parts.log();
        this.metrics = parts.metrics();
        this.config = parts.config();
        this.clock = clock;
        this.region = parts.clients().region().id();
        this.budget = parts.budget();
        EventPathCheck eventPath = parts.table() == null || config.dryRun() ? null
                : new EventPathCheck(parts.table(), config.expectStartSessionEvents());
        this.organization = OrganizationParts.build(parts, env, parts.clients().ssm(), eventPath, clock, retry);
    }

    private record Item(String messageId, int receives, ShardMessage message, String problem) {
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        log.requestId(context == null ? null : context.getAwsRequestId());
        budget.until(context == null ? () -> Long.MAX_VALUE : context::getRemainingTimeInMillis);
        Deadline deadline = context == null ? Deadline.NONE : context::getRemainingTimeInMillis;
        Instant began = clock.instant();
        List<Item> items = items(input.readAllBytes());
        Set<String> failures = new LinkedHashSet<>();
        Map<Instant, List<Item>> byTime = new LinkedHashMap<>();
        for (Item item : items) {
            if (item.problem() != null) {
                // A body no worker can read fails every receive and lands in the dead-letter queue, which is alarmed.
                log.error("shard message unreadable", JsonLog.fields("messageId", item.messageId(), "problem", item.problem(),
                        "receives", item.receives()));
                failures.add(item.messageId());
            } else {
                byTime.computeIfAbsent(item.message().referenceTime(), t -> new ArrayList<>()).add(item);
            }
        }
        int audited = 0;
        int gaps = 0;
        int unitCount = 0;
        int hubFailures = 0;
        List<AuditReport> reports = new ArrayList<>();
        int gapLedgerErrors = 0;
        int maxReceives = config.coverage().shardMaxReceives();
        for (Map.Entry<Instant, List<Item>> group : byTime.entrySet()) {
            // Every message of an account (SQS may hold two: a schedule queued it twice) stands or falls with it.
            Map<String, List<Item>> byAccount = new LinkedHashMap<>();
            group.getValue().forEach(i -> byAccount.computeIfAbsent(i.message().account().id(), a -> new ArrayList<>()).add(i));
            List<MemberAccount> accounts = byAccount.values().stream().map(i -> i.get(0).message().account()).toList();
            OrganizationAudit.Run run;
            try {
                run = organization.run(accounts, group.getKey(), FunctionParts.accountOf(context), region, deadline, began);
            } catch (RuntimeException e) {
                hubFailures++;
                log.error("shard failed", JsonLog.fields("error", e.getClass().getSimpleName(), "cause", String.valueOf(e.getMessage()),
                        "accounts", accounts.size(), "consequence", "SQS delivers these accounts again"));
                byAccount.values().forEach(list -> list.forEach(i -> failures.add(i.messageId())));
                continue;
            }
            gapLedgerErrors += run.gaps().ledgerErrors();
            if (run.failure() != null && !(run.failure() instanceof CoverageException)) {
                hubFailures++;
                log.error("shard failed", JsonLog.fields("error", run.failure().getClass().getSimpleName(), "cause",
                        String.valueOf(run.failure().getMessage()), "accounts", accounts.size(),
                        "consequence", "SQS delivers the accounts concerned again"));
            }
            for (UnitOutcome o : run.outcomes()) {
                unitCount++;
                List<Item> messages = byAccount.get(o.unit().accountId());
                if (o.audited()) {
                    audited++;
                    reports.add(o.report());
                    continue;
                }
                // Counted on the account's first receive: a lasting gap counts once a schedule, as in one invocation.
                gaps += o.gap() && messages.get(0).receives() == 1 ? 1 : 0;
                for (Item item : messages) {
                    if (o.failure() != null || item.receives() < maxReceives) {
                        failures.add(item.messageId()); // back alone; the ledger keeps its other regions from alerting twice
                    }
                }
            }
        }
        AuditReport totals = SweepTotals.combine(reports, began,
                Duration.between(began, clock.instant()));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("messages", items.size());
        summary.put("accountRegions", unitCount);
        summary.put("accountRegionsAudited", audited);
        summary.put("coverageGaps", gaps);
        summary.put("batchItemFailures", failures.size());
        summary.put("sessionsChecked", totals.sessionsChecked());
        summary.put("violations", totals.violations().size());
        summary.put("alerted", totals.alerts().size());
        summary.put("ledgerErrors", totals.ledgerErrors() + gapLedgerErrors);
        summary.put("sweepRecordIgnored", totals.sweepProblem() == null ? 0 : 1);
        summary.put("sessionsNotReportedByEvents", totals.sessionsNotReportedByEvents() == null ? 0 : totals.sessionsNotReportedByEvents());
        AuditSummary.remediation(summary, totals.remediation());
        // 0 only when the hub itself failed (ledger, SNS, time): a batch of one roleless account, given back alone, audits
        // nothing and is a coverage gap, already alerted, not a failing worker.
        summary.put("auditSucceeded", hubFailures == 0 ? 1 : 0);
        summary.put("durationMs", Duration.between(began, clock.instant()).toMillis());
        log.info("shard complete", metrics.declare(summary, METRICS, Map.of(), clock.instant()));
        output.write(response(failures).getBytes(StandardCharsets.UTF_8));
    }

    static final Map<String, String> METRICS = AuditSummary.units("accountRegionsAudited", "Count", "coverageGaps", "Count",
            "batchItemFailures", "Count", "sessionsChecked", "Count", "violations", "Count", "alerted", "Count",
            "ledgerErrors", "Count", "sweepRecordIgnored", "Count", "sessionsNotReportedByEvents", "Count",
            "auditSucceeded", "Count", "durationMs", "Milliseconds", "sessionsTerminated", "Count", "terminationsFailed", "Count");

    private List<Item> items(byte[] event) throws IOException {
        List<Item> items = new ArrayList<>();
        try (JsonParser p = json.createParser(event)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the event is not an SQS batch (no JSON object)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!"Records".equals(field) || t != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    items.add(record(p));
                }
            }
        }
        return items;
    }

    private Item record(JsonParser p) throws IOException {
        String id = null;
        String body = null;
        int receives = 1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if ("messageId".equals(field) && t == JsonToken.VALUE_STRING) {
                id = p.getText();
            } else if ("body".equals(field) && t == JsonToken.VALUE_STRING) {
                body = p.getText();
            } else if ("attributes".equals(field) && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if ("ApproximateReceiveCount".equals(name)) {
                        try {
                            receives = Integer.parseInt(p.getText());
                        } catch (NumberFormatException e) {
                            receives = 1;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        try {
            return new Item(id, receives, ShardMessage.parse(body, json), null);
        } catch (IllegalArgumentException e) {
            return new Item(id, receives, null, e.getMessage());
        }
    }

    private String response(Set<String> failures) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("batchItemFailures");
            for (String id : failures) {
                g.writeStartObject();
                g.writeStringField("itemIdentifier", id);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toString();
    }
}
