package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.audit.AlertDispatch;
import dev.ssmauditor.audit.AlertPlanner;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.SessionSightings;
import dev.ssmauditor.audit.StartSessionCheck;
import dev.ssmauditor.audit.StartedSession;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.events.ParsedEvent;
import dev.ssmauditor.events.StartSessionEventParser;
import dev.ssmauditor.log.EmbeddedMetrics;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.policy.PolicyEvaluator;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.http.SdkHttpClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lambda entry point for the event path: one CloudTrail {@code StartSession} record, delivered by an EventBridge
 * rule, judged the moment it arrives and alerted through the same composer, topic and ledger as the sweep.
 *
 * <p>It builds only what it uses: the SNS and DynamoDB clients; an SSM client (and STS, for member accounts) only when
 * it first ends a session, with termination on (to judge a session, the event says all there is to know). Any event
 * it cannot use (another call, a refused call, a foreign or broken event) gives one log line and a normal return,
 * never an error: Lambda would retry it, to no avail. Only a publish that fails fails the invocation,
 * so that Lambda's retry sends it (the sweep sends it too, whichever comes first); a session that cannot be ended
 * does not (the alert says so, and the sweep tries again).
 */
public final class StartSessionHandler implements RequestStreamHandler, Resource {

    static final Map<String, String> METRICS = AuditSummary.units("startSessionEvents", "Count", "violations", "Count", "alerted", "Count",
            "alertsPublished", "Count", "ledgerErrors", "Count", "eventAgeMs", "Milliseconds", "sessionsTerminated", "Count",
            "terminationsFailed", "Count");
    static final Map<String, String> IGNORED_METRICS = AuditSummary.units("eventsIgnored", "Count");
    static final Map<String, String> FAILURE_METRICS = AuditSummary.units("eventCheckFailed", "Count");

    private final JsonFactory json;
    private final JsonLog log;
    private final EmbeddedMetrics metrics;
    private final AuditorConfig config;
    private final StartSessionEventParser parser;
    private final StartSessionCheck check;
    private final Clock clock;
    private final Map<String, String> env;
    private final RetryPolicy retry;
    private final FunctionParts parts;
    private final CallBudget budget;
    /** Null unless sessions are ended (termination asked, not a dry run). */
    private final EventPathTerminators terminators;

    /** Used by the Lambda runtime. */
    public StartSessionHandler() {
        this(System.getenv(), System.out, Clock.systemUTC(), RetryPolicy.LAMBDA, null);
    }

    StartSessionHandler(Map<String, String> env, PrintStream out, Clock clock, RetryPolicy retry) {
        this(env, out, clock, retry, null);
    }

    StartSessionHandler(Map<String, String> env, PrintStream out, Clock clock, RetryPolicy retry, SdkHttpClient http) {
        this.parts = FunctionParts.build(env, out, retry, http,
                "STATE_TABLE is not set: no alert ledger, so the sweep alerts again what this function alerts");
        this.json = parts.json();
        this.log = parts.log();
        this.metrics = parts.metrics();
        this.config = parts.config();
        this.budget = parts.budget();
        this.parser = new StartSessionEventParser(json);
        this.clock = clock;
        this.env = env;
        this.retry = retry;
        SessionSightings sightings = config.dryRun() ? null : parts.table();
        this.terminators = config.remediation().terminatesAny() && !config.dryRun()
                ? new EventPathTerminators(parts.clients(), budget, clock, config.coverage().memberRoleName()) : null;
        this.check = new StartSessionCheck(new PolicyEvaluator(config.policy()), new AlertPlanner(config.remindEvery()),
                // A dry run claims nothing, so only a read can tell it what was sent already.
                new AlertDispatch(parts.composer(), parts.publisher(), parts.ledger(), clock, log, CallBudget.STEP, config.dryRun()),
                sightings, parts.remediator(terminators, clock, log), log);
        Core.getGlobalContext().register(this);
    }

    /** SnapStart: run one canned event through every piece before the snapshot is taken. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        long started = System.nanoTime();
        parts.primed(prime(), started);
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        log.info("restored from snapshot", Map.of());
    }

    /** One canned StartSession event through the parser, the rules, the ledger and SNS, over canned HTTP. */
    int prime() {
        Priming p = Priming.canned(env, retry, json);
        StartSessionCheck primer = new StartSessionCheck(new PolicyEvaluator(Priming.policy(config.policy())),
                new AlertPlanner(config.remindEvery()), new AlertDispatch(p.composer(), p.publisher(), p.ledger(), clock, p.quiet(),
                CallBudget.STEP, false), p.ledger(), p.quiet());
        ParsedEvent event = parser.parse(PrimingHttpClient.startSessionEvent(p.region()).getBytes(StandardCharsets.UTF_8));
        primer.check(event.started(), new AuditRequest(event.started().eventTime(), event.started().account(), p.region()));
        return p.http().calls();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        log.requestId(context == null ? null : context.getAwsRequestId());
        budget.until(context == null ? () -> Long.MAX_VALUE : context::getRemainingTimeInMillis);
        ParsedEvent event = parser.parse(input.readAllBytes());
        if (event.started() == null) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("reason", event.ignored());
            fields.put("eventName", event.eventName());
            fields.put("eventId", event.eventId());
            if (event.errorCode() != null) {
                fields.put("errorCode", event.errorCode());
            }
            fields.put("eventsIgnored", 1);
            Map<String, Object> line = metrics.declare(fields, IGNORED_METRICS, Map.of(), clock.instant());
            if (event.malformed()) {
                log.warn("event ignored", line);
            } else {
                log.info("event ignored", line);
            }
            output.write(AuditSummary.json(json, "event ignored", fields).getBytes(StandardCharsets.UTF_8));
            return;
        }
        StartedSession started = event.started();
        if (terminators != null) {
            terminators.invocation(FunctionParts.accountOf(context));
        }
        StartSessionCheck.Report report;
        try {
            report = check.check(started, new AuditRequest(started.eventTime() == null ? clock.instant() : started.eventTime(),
                    started.account(), started.region(), context == null ? () -> Long.MAX_VALUE : context::getRemainingTimeInMillis));
        } catch (RuntimeException e) {
            Map<String, Object> fields = about(event);
            fields.put("error", e.getClass().getSimpleName());
            fields.put("cause", String.valueOf(e.getMessage()));
            fields.put("consequence", "Lambda retries the event; the sweep alerts the session if the retries fail too");
            fields.put("eventCheckFailed", 1);
            log.error("start session check failed", metrics.declare(fields, FAILURE_METRICS, Map.of(), clock.instant()));
            throw e;
        }
        Map<String, Object> fields = about(event);
        if (started.missing() != null) {
            fields.put("notJudged", "the record lacks " + started.missing() + " (truncated?); the sweep judges the session");
        }
        fields.put("startSessionEvents", 1);
        fields.put("violations", report.violations().size());
        fields.put("rules", report.violations().stream().map(v -> v.rule().id()).toList());
        fields.put("alerted", report.alerted());
        fields.put("alertsPublished", report.outcome() != null && report.outcome().delivered() ? report.outcome().messages().size() : 0);
        fields.put("seenRecorded", report.seenRecorded());
        fields.put("ledgerErrors", report.ledgerErrors());
        AuditSummary.remediation(fields, report.remediation());
        // How late CloudTrail delivered the record: the figure the event path's promise rests on.
        fields.put("eventAgeMs", ageMillis(started));
        fields.put("dryRun", config.dryRun());
        Map<String, Object> line = metrics.declare(fields, METRICS, Map.of(), clock.instant());
        if (started.missing() != null) {
            log.warn("start session not judged", line);
        } else {
            log.info("start session checked", line);
        }
        output.write(AuditSummary.json(json, "start session checked", fields).getBytes(StandardCharsets.UTF_8));
    }

    private long ageMillis(StartedSession started) {
        // The parser keeps times within 2000-9999, whose distance to any clock fits in a long of milliseconds.
        return started.eventTime() == null ? 0 : Math.max(0, Duration.between(started.eventTime(), clock.instant()).toMillis());
    }

    private static Map<String, Object> about(ParsedEvent event) {
        StartedSession s = event.started();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("eventId", event.eventId());
        fields.put("account", s.account());
        fields.put("region", s.region());
        fields.put("sessionId", s.session().sessionId());
        fields.put("owner", s.session().owner());
        fields.put("target", s.session().target());
        fields.put("documentName", s.session().documentName());
        fields.put("eventTime", s.eventTime() == null ? null : s.eventTime().toString());
        fields.put("sourceIPAddress", s.detection().sourceIp());
        return fields;
    }
}
