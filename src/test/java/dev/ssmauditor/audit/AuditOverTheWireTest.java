package dev.ssmauditor.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.SnsAlertPublisher;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.Policy;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.sessions.SsmSessionSource;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real SSM and SNS clients (signing, retries, JSON 1.1 and Query marshalling, pagination) against
 * local endpoints: 1,100 active sessions over 6 pages, a known set of them breaking the policy.
 */
class AuditOverTheWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String SSO = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";
    private static final String SHELL = "SSM-SessionManagerRunShell";
    private static final int SESSIONS = 1_100;

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private final Set<String> expected = new HashSet<>(); // "sessionId rule"
    private final Set<String> compliant = new HashSet<>();

    @BeforeEach
    void sessions() {
        List<ObjectNode> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String id = "user" + i + "-0a" + Integer.toHexString(1000 + i);
            String owner = SSO + "user" + i;
            String target = String.format("i-0web%05d", i);
            String document = SHELL;
            Instant start = T.minusSeconds(30 * 60);
            boolean violates = false;
            if (i % 50 == 7) {
                owner = "arn:aws:iam::123456789012:user/user" + i;
                expected.add(id + " unexpected-owner");
                violates = true;
            }
            if (i % 97 == 3) {
                target = String.format("i-0db%05d", i);
                expected.add(id + " unexpected-target");
                violates = true;
            }
            if (i % 120 == 11) {
                start = T.minusSeconds(481 * 60);
                expected.add(id + " long-running");
                violates = true;
            }
            if (i % 120 == 12) {
                start = T.minusSeconds(480 * 60); // exactly at the limit: allowed
            }
            if (i % 333 == 5) {
                document = "AWS-StartPortForwardingSession";
                expected.add(id + " unexpected-document");
                violates = true;
            }
            if (!violates) {
                compliant.add(id);
            }
            sessions.add(FakeSsm.session(id, target, owner, document, start));
        }
        aws.ssm().setActive(sessions);
        aws.sns().acceptPublishes();
    }

    private AuditReport audit() {
        AwsClientFactory clients = new AwsClientFactory(System.getenv());
        Policy policy = new Policy(480, List.of(), PatternList.of(SSO + "*"), PatternList.OFF, PatternList.of("i-0db*"),
                PatternList.of(SHELL), Map.of());
        AlertComposer composer = new AlertComposer(new JsonFactory());
        Auditor auditor = new Auditor(new SsmSessionSource(clients.ssm()), new PolicyEvaluator(policy),
                new AlertPlanner(Duration.ZERO), composer, new SnsAlertPublisher(clients.sns(), TOPIC, composer.envelope()),
                AlertLedger.NONE, Clock.systemUTC(), new JsonLog(System.out, LogLevel.WARN, new JsonFactory()), Duration.ZERO);
        return auditor.run(new AuditRequest(T, "123456789012", "eu-west-1"));
    }

    @Test
    void readsEveryPageWithMaxResults200() throws Exception {
        AuditReport report = audit();

        assertThat(report.sessionsChecked()).isEqualTo(SESSIONS);
        assertThat(report.pages()).as("6 active pages and 1 (empty) history page").isEqualTo(7);
        List<LoggedRequest> requests = aws.ssm().describeSessionsRequests().stream()
                .filter(r -> r.getBodyAsString().contains("\"Active\"")).toList();
        assertThat(requests).hasSize(6);
        List<String> tokens = new ArrayList<>();
        for (LoggedRequest r : requests) {
            JsonNode body = JSON.readTree(r.getBodyAsString());
            assertThat(body.get("State").asText()).isEqualTo("Active");
            assertThat(body.get("MaxResults").asInt()).isEqualTo(200);
            tokens.add(body.has("NextToken") ? body.get("NextToken").asText() : null);
            assertThat(r.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.1");
            assertThat(r.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                    .contains("/eu-west-1/ssm/aws4_request");
        }
        assertThat(tokens).containsExactly(null, "page-2", "page-3", "page-4", "page-5", "page-6");
    }

    @Test
    void publishesEveryViolationAndNoCompliantSession() throws Exception {
        AuditReport report = audit();

        List<Map<String, String>> publishes = aws.sns().publishes();
        assertThat(publishes).hasSize(report.alertMessages()).isNotEmpty();
        Set<String> published = new HashSet<>();
        for (Map<String, String> p : publishes) {
            assertThat(p).containsEntry("Action", "Publish").containsEntry("TopicArn", TOPIC)
                    .containsEntry("MessageStructure", "json");
            assertThat(p.get("Subject")).hasSizeLessThan(100).doesNotContain("\n").startsWith("SSM session audit: ");
            JsonNode envelope = JSON.readTree(p.get("Message"));
            assertThat(envelope.fieldNames()).toIterable().containsExactlyInAnyOrder("default", "email", "https");
            assertThat(p).containsKey("MessageAttributes.entry.1.Name");
            JsonNode body = JSON.readTree(envelope.get("default").asText());
            assertThat(body.get("sessionsChecked").asInt()).isEqualTo(SESSIONS);
            assertThat(body.get("alertsInRun").asInt()).isEqualTo(expected.size());
            String email = envelope.get("email").asText();
            for (JsonNode v : body.get("violations")) {
                assertThat(published.add(v.get("sessionId").asText() + " " + v.get("rule").asText())).isTrue();
                assertThat(email).contains(v.get("sessionId").asText());
            }
            for (String id : compliant) {
                assertThat(p.get("Message")).doesNotContain("\"" + id + "\"");
            }
        }
        assertThat(published).isEqualTo(expected);
        assertThat(report.violations()).hasSize(expected.size());
    }
}
