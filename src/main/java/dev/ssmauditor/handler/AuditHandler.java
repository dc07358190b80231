package dev.ssmauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.PrintingAlertPublisher;
import dev.ssmauditor.alert.SnsAlertPublisher;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.Auditor;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.config.ConfigLoader;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.sessions.SsmSessionSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * Lambda entry point for the EventBridge schedule. Everything is built once per execution environment, in
 * the constructor, so bad configuration fails the init loudly and warm invocations only audit.
 *
 * <p>A stream handler rather than {@code RequestHandler<ScheduledEvent, ...>}: the runtime's own event
 * binding would fail the invocation on a malformed {@code time} before any of our code runs, and it drags
 * in joda-time and reflection-based binding at cold start. The event here is read for its {@code time}
 * only, and anything unreadable falls back to the clock, with a log line.
 */
public final class AuditHandler implements RequestStreamHandler {

    private final JsonFactory json = new JsonFactory();
    private final AuditorConfig config;
    private final Auditor auditor;
    private final String region;
    private final Clock clock;

    /** Used by the Lambda runtime. */
    public AuditHandler() {
        this(System.getenv(), System.out, Clock.systemUTC());
    }

    AuditHandler(Map<String, String> env, PrintStream log, Clock clock) {
        this.config = new ConfigLoader().load(env);
        this.clock = clock;
        AwsClientFactory clients = new AwsClientFactory(env);
        this.region = clients.region().id();
        AlertComposer composer = new AlertComposer(json);
        AlertPublisher publisher = config.dryRun()
                ? new PrintingAlertPublisher(log, PrintingAlertPublisher.Format.JSON)
                : new SnsAlertPublisher(clients.sns(), config.alertTopicArn(), composer.envelope());
        this.auditor = new Auditor(new SsmSessionSource(clients.ssm()), new PolicyEvaluator(config.policy()), composer,
                publisher, clock);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        EventTime time = EventTime.of(input.readAllBytes(), json, clock);
        AuditReport report = auditor.run(new AuditRequest(time.time(), accountOf(context), region));
        String summary = AuditSummary.json(json, report, config.dryRun(), time.ignored());
        context.getLogger().log(summary + "\n");
        output.write(summary.getBytes(StandardCharsets.UTF_8));
    }

    /** The account from the function's own ARN: {@code arn:aws:lambda:REGION:ACCOUNT:function:NAME}. */
    static String accountOf(Context context) {
        String arn = context == null ? null : context.getInvokedFunctionArn();
        if (arn == null) {
            return null;
        }
        String[] parts = arn.split(":");
        return parts.length > 4 && parts[4].matches("\\d{12}") ? parts[4] : null;
    }
}
