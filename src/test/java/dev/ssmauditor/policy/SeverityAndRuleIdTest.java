package dev.ssmauditor.policy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeverityAndRuleIdTest {

    @Test
    void severitiesParseCaseInsensitivelyAndSortLeastToMost() {
        assertThat(Severity.parse(" high ")).isEqualTo(Severity.HIGH);
        assertThat(Severity.CRITICAL).isGreaterThan(Severity.HIGH);
        assertThat(Severity.HIGH).isGreaterThan(Severity.MEDIUM);
        assertThat(Severity.MEDIUM).isGreaterThan(Severity.LOW);
        assertThatThrownBy(() -> Severity.parse("URGENT")).hasMessageContaining("LOW, MEDIUM, HIGH, CRITICAL");
        assertThatThrownBy(() -> Severity.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ruleIdsRoundTrip() {
        for (RuleId rule : RuleId.values()) {
            assertThat(RuleId.fromId(rule.id())).isEqualTo(rule);
        }
        assertThatThrownBy(() -> RuleId.fromId("too-long")).hasMessageContaining("long-running");
    }
}
