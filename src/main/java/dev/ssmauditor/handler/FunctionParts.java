package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.PrintingAlertPublisher;
import dev.ssmauditor.alert.SnsAlertPublisher;
import dev.ssmauditor.audit.AlertLedger;
import dev.ssmauditor.audit.Remediator;
import dev.ssmauditor.sessions.SessionTerminator;
import dev.ssmauditor.audit.TerminationLedger;
import com.amazonaws.services.lambda.runtime.Context;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.config.ConfigLoader;
import dev.ssmauditor.log.EmbeddedMetrics;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.state.DynamoDbAlertLedger;
import software.amazon.awssdk.http.SdkHttpClient;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * What both functions build once per execution environment, alike: the configuration (bad settings fail the init),
 * the log, the SDK clients' factory, the alert bodies, the publisher (SNS, or printing in a dry run) and the ledger
 * (read-only in a dry run). Each handler adds what only it needs.
 *
 * @param snsPublisher null in a dry run
 * @param table the ledger's table; null without {@code STATE_TABLE}
 * @param ledger what runs claim in: the table, read-only in a dry run, or none
 */
record FunctionParts(JsonFactory json, JsonLog log, EmbeddedMetrics metrics, AuditorConfig config, AwsClientFactory clients,
                     CallBudget budget, AlertComposer composer, SnsAlertPublisher snsPublisher, AlertPublisher publisher,
                     DynamoDbAlertLedger table, AlertLedger ledger) {

    /** @param withoutLedger the warning logged when {@code STATE_TABLE} is not set: what that means for this function */
    static FunctionParts build(Map<String, String> env, PrintStream out, RetryPolicy retry, SdkHttpClient http,
                               String withoutLedger) {
        JsonFactory json = new JsonFactory();
        JsonLog log = new JsonLog(out, LogLevel.fromEnvironment(env.get("AWS_LAMBDA_LOG_LEVEL")), json);
        EmbeddedMetrics metrics = new EmbeddedMetrics(env.get("AWS_LAMBDA_FUNCTION_NAME"));
        AuditorConfig config = new ConfigLoader().load(env);
        AwsClientFactory.keepIdleConnections(config.coverage().concurrency());
        AwsClientFactory clients = new AwsClientFactory(env, retry, log, http);
        CallBudget budget = new CallBudget(retry);
        AlertComposer composer = new AlertComposer(json);
        SnsAlertPublisher sns = config.dryRun() ? null
                : new SnsAlertPublisher(clients::sns, config.alertTopicArn(), composer.envelope(), budget);
        AlertPublisher publisher = config.dryRun() ? new PrintingAlertPublisher(out, PrintingAlertPublisher.Format.JSON) : sns;
        DynamoDbAlertLedger table = null;
        AlertLedger ledger = AlertLedger.NONE;
        if (config.stateTable() == null) {
            log.warn(withoutLedger, Map.of());
        } else {
            table = new DynamoDbAlertLedger(clients.dynamoDb(), config.stateTable(), budget);
            ledger = table;
        }
        if (config.dryRun()) {
            ledger = AlertLedger.readOnly(ledger);
        }
        return new FunctionParts(json, log, metrics, config, clients, budget, composer, sns, publisher, table, ledger);
    }

    /** Where sessions ended are recorded: the ledger's table, or nothing without one. */
    TerminationLedger terminations() {
        return table == null ? TerminationLedger.NONE : table;
    }

    /** Ends what the policy says to end (in a dry run, only says so), in the sessions' account and region. */
    Remediator remediator(SessionTerminator.Locator terminators, Clock clock, JsonLog runLog) {
        return new Remediator(config.remediation(), config.dryRun(), terminations(), terminators, clock, runLog, CallBudget.STEP);
    }

    /** SnapStart, after priming: the SNS client is built too, so that a restored environment pays for nothing. */
    void primed(int cannedCalls, long startedNanos) {
        if (snsPublisher != null) {
            snsPublisher.prepare();
        }
        log.info("primed for snapshot", JsonLog.fields("cannedCalls", cannedCalls, "ms", (System.nanoTime() - startedNanos) / 1_000_000));
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
