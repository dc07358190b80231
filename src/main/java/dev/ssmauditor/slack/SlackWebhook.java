package dev.ssmauditor.slack;

import dev.ssmauditor.log.JsonLog;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts a message to a Slack incoming webhook. Anything but 200 throws, so the invocation fails and SNS
 * (through Lambda's retries) delivers the alert again; a 4xx is logged with Slack's body, which says what
 * is wrong ({@code invalid_payload}, {@code channel_is_archived}, ...). The URL is never logged.
 */
final class SlackWebhook {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final HttpClient http;
    private final JsonLog log;

    SlackWebhook(URI url, HttpClient http, JsonLog log) {
        this.url = url;
        this.http = http;
        this.log = log;
    }

    void post(String message) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(message, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SlackDeliveryException("Slack webhook unreachable: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlackDeliveryException("interrupted while posting to Slack", e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return;
        }
        String body = response.body() == null ? "" : response.body();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("slackSays", body.length() > 500 ? body.substring(0, 500) : body);
        response.headers().firstValue("Retry-After").ifPresent(v -> fields.put("retryAfterSeconds", v));
        if (status >= 400 && status < 500) {
            log.error("Slack rejected the alert", fields);
        } else {
            log.warn("Slack failed to take the alert", fields);
        }
        throw new SlackDeliveryException("Slack webhook answered " + status + ": " + fields.get("slackSays"), null);
    }

    static final class SlackDeliveryException extends RuntimeException {
        SlackDeliveryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
