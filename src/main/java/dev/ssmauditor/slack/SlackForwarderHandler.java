package dev.ssmauditor.slack;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Optional second function: subscribed to the alert topic, it posts each alert to a Slack incoming webhook
 * as Block Kit, for teams that do not use AWS Chatbot. The webhook URL comes from Secrets Manager
 * ({@code SLACK_WEBHOOK_SECRET_ARN}) once per execution environment.
 */
public final class SlackForwarderHandler implements RequestStreamHandler {

    public static final String SECRET_ARN = "SLACK_WEBHOOK_SECRET_ARN";

    private final JsonFactory json = new JsonFactory();
    private final SlackWebhook webhook;
    private final JsonLog log;

    /** Used by the Lambda runtime. */
    public SlackForwarderHandler() {
        this(System.getenv(), System.out);
    }

    SlackForwarderHandler(Map<String, String> env, PrintStream out) {
        this.log = new JsonLog(out, LogLevel.fromEnvironment(env.get("AWS_LAMBDA_LOG_LEVEL")), new JsonFactory());
        String secretArn = env.get(SECRET_ARN);
        if (secretArn == null || secretArn.isBlank()) {
            throw new IllegalStateException(SECRET_ARN + " is not set; set it to the ARN of the Secrets Manager secret "
                    + "holding the Slack incoming-webhook URL");
        }
        URI url = WebhookSecret.read(new AwsClientFactory(env).secretsManager(), secretArn.trim(), json);
        this.webhook = new SlackWebhook(url, HttpClient.newBuilder().connectTimeout(SlackWebhook.TIMEOUT).build(), log);
    }

    SlackForwarderHandler(SlackWebhook webhook, JsonLog log) {
        this.webhook = webhook;
        this.log = log;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        log.requestId(context == null ? null : context.getAwsRequestId());
        Map<String, Object> event = JsonValues.object(JsonValues.read(json, new String(input.readAllBytes(), StandardCharsets.UTF_8)));
        int posted = 0;
        for (Object r : JsonValues.list(event == null ? null : event.get("Records"))) {
            Map<String, Object> sns = JsonValues.object(JsonValues.object(r) == null ? null : JsonValues.object(r).get("Sns"));
            String message = sns == null ? null : JsonValues.text(sns.get("Message"));
            Map<String, Object> alert;
            try {
                alert = message == null ? null : JsonValues.object(JsonValues.read(json, message));
            } catch (IOException e) {
                alert = null;
            }
            if (alert != null && alert.get("AlarmName") instanceof String && alert.get("NewStateValue") instanceof String) {
                // The auditor's own alarms (it is failing, its ledger is unreachable): Slack may be the only subscriber.
                webhook.post(BlockKitMessage.fromAlarm(alert, json));
                posted++;
                continue;
            }
            if (alert == null || !"ssm-session-auditor".equals(alert.get("source"))) {
                // Neither an alert nor an alarm: say so and move on rather than fail forever.
                String id = sns == null ? null : JsonValues.text(sns.get("MessageId"));
                log.warn("SNS message is not an ssm-session-auditor alert; not forwarded", Map.of("messageId", id == null ? "" : id));
                continue;
            }
            webhook.post("coverage".equals(alert.get("type")) ? BlockKitMessage.fromCoverage(alert, json)
                    : BlockKitMessage.from(alert, json));
            posted++;
        }
        log.info("forwarded to Slack", Map.of("messages", posted));
        output.write(("{\"posted\":" + posted + "}").getBytes(StandardCharsets.UTF_8));
    }
}
