package dev.ssmauditor.state;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.audit.AuditState;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.testing.LocalAws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The watermark through the real SsmClient: GetParameter and PutParameter on the wire. */
class SsmParameterStateStoreTest {

    private static final String NAME = "/ssm-session-auditor/audit-state";

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    private SsmParameterStateStore store() {
        return new SsmParameterStateStore(new AwsClientFactory(System.getenv()).ssm(), NAME, new JsonFactory(),
                new JsonLog(new PrintStream(logs, true, StandardCharsets.UTF_8), LogLevel.INFO, new JsonFactory()));
    }

    @Test
    void savesAndLoadsTheWatermark() {
        AuditState state = new AuditState(Instant.parse("2026-11-30T12:05:00Z"), "abc123",
                java.util.Set.of("alice-01 unexpected-owner"));
        store().save(state);
        assertThat(aws.ssm().parameter(NAME)).isEqualTo("{\"coveredUntil\":\"2026-11-30T12:05:00Z\",\"policyFingerprint\":"
                + "\"abc123\",\"recentlyAlerted\":[\"alice-01 unexpected-owner\"]}");
        assertThat(store().load()).contains(state);
    }

    @Test
    void theValueStaysWithinAStandardParameter() {
        java.util.Set<String> many = new java.util.LinkedHashSet<>();
        for (int i = 0; i < 500; i++) {
            many.add("user" + i + "-0a1b2c3d4e5f6a7b8 unexpected-document");
        }
        store().save(new AuditState(Instant.parse("2026-11-30T12:05:00Z"), "abc123", many));
        assertThat(aws.ssm().parameter(NAME)).hasSizeLessThanOrEqualTo(4096);
        assertThat(store().load().orElseThrow().recentlyAlerted()).hasSizeBetween(50, 499);
    }

    @Test
    void theTemplatesInitialValueIsNoState() {
        aws.ssm().putParameter(NAME, "{}");
        assertThat(store().load()).isEmpty();
        assertThat(logs.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aMissingParameterIsNoStateAndSaysSo() {
        assertThat(store().load()).isEmpty();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("state parameter not found").contains(NAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "{\"coveredUntil\":\"yesterday\",\"policyFingerprint\":\"x\"}",
            "{\"coveredUntil\":\"2026-11-30T12:05:00Z\"}", "{\"coveredUntil\":5,\"policyFingerprint\":\"x\"}", "{\"a\":"})
    void anUnreadableValueIsNoStateNeverAnError(String value) {
        aws.ssm().putParameter(NAME, value);
        assertThat(store().load()).isEqualTo(Optional.empty());
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("state parameter unreadable");
    }

    @Test
    void unknownFieldsAreIgnored() {
        aws.ssm().putParameter(NAME, "{\"v\":{\"x\":[1]},\"coveredUntil\":\"2026-11-30T12:05:00Z\",\"policyFingerprint\":\"f\"}");
        assertThat(store().load()).contains(new AuditState(Instant.parse("2026-11-30T12:05:00Z"), "f"));
    }
}
