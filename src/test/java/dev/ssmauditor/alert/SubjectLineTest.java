package dev.ssmauditor.alert;

import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SubjectLineTest {

    private static AuditFindings findings(String account, String region, Severity... severities) {
        List<Violation> violations = java.util.Arrays.stream(severities)
                .map(s -> new Violation(Session.withId("x"), RuleId.LONG_RUNNING, s, null, "d")).toList();
        return new AuditFindings(account, region, Instant.EPOCH, 1, violations);
    }

    @Test
    void saysHowManyAndHowBadMostSevereFirst() {
        assertThat(SubjectLine.of(findings("123456789012", "eu-west-1", Severity.LOW, Severity.HIGH, Severity.HIGH), 1, 1))
                .isEqualTo("SSM session audit: 3 violations (2 HIGH, 1 LOW) in 123456789012 eu-west-1");
        assertThat(SubjectLine.of(findings(null, null, Severity.MEDIUM), 1, 1))
                .isEqualTo("SSM session audit: 1 violation (1 MEDIUM)");
    }

    @Test
    void dropsWhereBeforeGoingOverNinetyNineCharacters() {
        String subject = SubjectLine.of(findings("123456789012", "ap-southeast-4", Severity.CRITICAL, Severity.HIGH,
                Severity.MEDIUM, Severity.LOW), 12, 13);
        assertThat(subject).hasSizeLessThan(100).startsWith("SSM session audit: 4 violations").endsWith("[part 12/13]");
    }

    @Test
    void neverHasLineBreaksOrNonAscii() {
        String subject = SubjectLine.of(findings("acct\nwith\u00e9", "r", Severity.LOW), 1, 1);
        assertThat(subject).doesNotContain("\n").matches("[\\x20-\\x7e]+");
    }
}
