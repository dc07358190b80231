package dev.ssmauditor.slack;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.ssmauditor.aws.AwsClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the webhook URL with the real SecretsManagerClient against a local endpoint (JSON 1.1). */
class WebhookSecretTest {

    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-webhook-AbCdEf";
    private final WireMockServer server = new WireMockServer(options().dynamicPort());

    @BeforeEach
    void start() {
        server.start();
        System.setProperty("aws.endpointUrlSecretsManager", server.baseUrl());
    }

    @AfterEach
    void stop() {
        System.clearProperty("aws.endpointUrlSecretsManager");
        server.stop();
    }

    private void secret(String value) throws Exception {
        String body = new ObjectMapper().createObjectNode().put("ARN", ARN).put("Name", "slack-webhook")
                .put("SecretString", value).put("VersionId", "v1").toString();
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body)));
    }

    private URI read() {
        return WebhookSecret.read(new AwsClientFactory(System.getenv()).secretsManager(), ARN, new JsonFactory());
    }

    @Test
    void aPlainUrl() throws Exception {
        secret("https://hooks.slack.com/services/T0/B0/abc\n");
        assertThat(read()).isEqualTo(URI.create("https://hooks.slack.com/services/T0/B0/abc"));
    }

    @Test
    void aJsonSecret() throws Exception {
        secret("{\"webhookUrl\": \"https://hooks.slack.com/services/T0/B0/def\"}");
        assertThat(read()).isEqualTo(URI.create("https://hooks.slack.com/services/T0/B0/def"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://hooks.slack.com/services/T0/B0/secretvalue", "not a url secretvalue", "{\"url\": \"secretvalue\"}",
            "{broken secretvalue"})
    void anythingElseIsRefusedWithoutShowingTheValue(String value) throws Exception {
        secret(value);
        assertThatThrownBy(this::read).isInstanceOf(IllegalStateException.class).hasMessageContaining(ARN)
                .hasMessageNotContaining("secretvalue");
    }
}
