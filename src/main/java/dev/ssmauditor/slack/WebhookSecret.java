package dev.ssmauditor.slack;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.json.JsonValues;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * The Slack incoming-webhook URL, read once from Secrets Manager. The secret string is the URL itself or
 * a JSON object with a {@code webhookUrl} field. The URL is a credential: no message here ever contains it.
 */
final class WebhookSecret {

    private WebhookSecret() {
    }

    static URI read(SecretsManagerClient secrets, String secretArn, JsonFactory json) {
        String value = secrets.getSecretValue(r -> r.secretId(secretArn)).secretString();
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("secret " + secretArn + " has no SecretString; store the Slack webhook URL "
                    + "as plain text or as {\"webhookUrl\": \"https://hooks.slack.com/services/...\"}");
        }
        String url = value.trim();
        if (url.startsWith("{")) {
            try {
                Map<String, Object> fields = JsonValues.object(JsonValues.read(json, url));
                url = fields != null && fields.get("webhookUrl") instanceof String s ? s : "";
            } catch (IOException e) {
                throw new IllegalStateException("secret " + secretArn + " looks like JSON but does not parse; store the "
                        + "webhook URL as plain text or as {\"webhookUrl\": \"https://...\"}");
            }
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalStateException("secret " + secretArn + " does not hold an https:// webhook URL "
                    + "(its value is not shown here because it is a credential)");
        }
        return uri;
    }
}
