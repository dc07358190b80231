package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.SnsAlertPublisher;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.Policy;
import dev.ssmauditor.state.DynamoDbAlertLedger;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What both handlers prime their SnapStart snapshot with: real SDK clients over {@link PrimingHttpClient} (no AWS
 * call), a log that prints nothing, and a publisher and ledger of their own.
 */
record Priming(PrimingHttpClient http, JsonLog quiet, AwsClientFactory clients, AlertComposer composer,
               SnsAlertPublisher publisher, DynamoDbAlertLedger ledger, String region) {

    static Priming canned(Map<String, String> env, RetryPolicy retry, JsonFactory json) {
        PrimingHttpClient http = new PrimingHttpClient();
        JsonLog quiet = new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.FATAL, json);
        AwsClientFactory clients = new AwsClientFactory(env, retry, quiet, http);
        AlertComposer composer = new AlertComposer(json);
        String region = clients.region().id();
        return new Priming(http, quiet, clients, composer, new SnsAlertPublisher(clients.sns(),
                "arn:aws:sns:" + region + ":000000000000:priming", composer.envelope()),
                new DynamoDbAlertLedger(clients.dynamoDb(), "priming"), region);
    }

    /** The configured rules, plus an owner rule the canned session breaks, so that priming runs the alert path too. */
    static Policy policy(Policy p) {
        return new Policy(p.maxSessionMinutes(), p.durationLimits(), PatternList.of("arn:aws:iam::*:user/not-priming"),
                p.allowedTargets(), p.deniedTargets(), p.allowedDocuments(), p.severities());
    }
}
