package dev.ssmauditor.config;

import dev.ssmauditor.coverage.AccountScope;
import dev.ssmauditor.coverage.CoverageSettings;
import dev.ssmauditor.coverage.RegionScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AUDIT_ACCOUNTS, AUDIT_REGIONS, MEMBER_ROLE_NAME, AUDIT_CONCURRENCY and the shard settings, read at start-up. */
class CoverageSettingsTest {

    private static CoverageSettings load(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("ALERT_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return new ConfigLoader().load(env).coverage();
    }

    @Test
    void nothingSetIsTodaysSingleAccountAudit() {
        CoverageSettings c = load();
        assertThat(c.selfOnly()).isTrue();
        assertThat(c.accounts()).isEqualTo(AccountScope.SELF);
        assertThat(c.regions()).isEqualTo(RegionScope.SELF);
        assertThat(c.memberRoleName()).isEqualTo("ssm-session-auditor-member");
        assertThat(c.concurrency()).isEqualTo(32);
        assertThat(c.sharded()).isFalse();
    }

    @Test
    void listsAreTrimmedAndDeduplicatedInOrder() {
        CoverageSettings c = load("AUDIT_ACCOUNTS", " 222222222222, 012345678901,222222222222 ,", "AUDIT_REGIONS",
                "us-east-1, eu-west-1", "MEMBER_ROLE_NAME", "auditor-reader", "AUDIT_CONCURRENCY", "8");
        assertThat(c.accounts()).isEqualTo(new AccountScope(AccountScope.Kind.LISTED, List.of("222222222222", "012345678901")));
        assertThat(c.regions()).isEqualTo(new RegionScope(RegionScope.Kind.LISTED, List.of("us-east-1", "eu-west-1")));
        assertThat(c.memberRoleName()).isEqualTo("auditor-reader");
        assertThat(c.concurrency()).isEqualTo(8);
        assertThat(c.selfOnly()).isFalse();
    }

    @Test
    void organizationAndEnabledAreKeywords() {
        CoverageSettings c = load("AUDIT_ACCOUNTS", "Organization", "AUDIT_REGIONS", " enabled ");
        assertThat(c.accounts().kind()).isEqualTo(AccountScope.Kind.ORGANIZATION);
        assertThat(c.regions().kind()).isEqualTo(RegionScope.Kind.ENABLED);
    }

    @Test
    void onlyRegionsListedStillAuditsMoreThanThisOne() {
        assertThat(load("AUDIT_REGIONS", "eu-west-1,eu-central-1").selfOnly()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "AUDIT_ACCOUNTS|12345678901|AUDIT_ACCOUNTS: '12345678901' is not an AWS account id",
            "AUDIT_ACCOUNTS|123456789012,prod|AUDIT_ACCOUNTS: 'prod' is not an AWS account id",
            "AUDIT_ACCOUNTS|organisation|AUDIT_ACCOUNTS: 'organisation' is not an AWS account id",
            "AUDIT_REGIONS|eu-wst-1|AUDIT_REGIONS: 'eu-wst-1' is not an AWS region",
            "AUDIT_REGIONS|EU-WEST-1|AUDIT_REGIONS: 'EU-WEST-1' is not an AWS region",
            "AUDIT_REGIONS|all|AUDIT_REGIONS: 'all' is not an AWS region",
            "MEMBER_ROLE_NAME|path/role|MEMBER_ROLE_NAME: 'path/role' is not an IAM role name",
            "AUDIT_CONCURRENCY|0|AUDIT_CONCURRENCY: '0' is not a whole number from 1 to 256",
            "AUDIT_CONCURRENCY|257|AUDIT_CONCURRENCY: '257' is not a whole number from 1 to 256",
            "AUDIT_CONCURRENCY|many|AUDIT_CONCURRENCY: 'many' is not a whole number",
            "SHARD_QUEUE_URL|ssm-audit-shards|SHARD_QUEUE_URL: 'ssm-audit-shards' is not an SQS queue URL",
            "SHARD_MAX_RECEIVES|0|SHARD_MAX_RECEIVES: '0' is not a whole number from 1 to 1000"})
    void badValuesFailAtStartUpNamingTheVariable(String name, String value, String message) {
        assertThatThrownBy(() -> load(name, value)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void theShardQueueSwitchesTheShardedMode() {
        CoverageSettings c = load("SHARD_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/ssm-audit-shards",
                "SHARD_MAX_RECEIVES", "5");
        assertThat(c.sharded()).isTrue();
        assertThat(c.selfOnly()).isFalse();
        assertThat(c.shardMaxReceives()).isEqualTo(5);
    }
}
