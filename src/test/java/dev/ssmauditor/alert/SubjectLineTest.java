package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SubjectLineTest {

    private static AuditFindings findings(String account, String region) {
        return new AuditFindings(account, region, Instant.EPOCH, 1, 0, List.of());
    }

    @Test
    void saysHowManyAndHowBad() {
        assertThat(SubjectLine.of(findings("123456789012", "eu-west-1"), Severity.HIGH, 3, 1, 1))
                .isEqualTo("SSM session audit: 3 HIGH violations in 123456789012 eu-west-1");
        assertThat(SubjectLine.of(findings(null, null), Severity.MEDIUM, 1, 1, 1))
                .isEqualTo("SSM session audit: 1 MEDIUM violation");
        assertThat(SubjectLine.of(findings("123456789012", "eu-west-1"), Severity.LOW, 400, 2, 3))
                .isEqualTo("SSM session audit: 400 LOW violations in 123456789012 eu-west-1 [part 2/3]");
    }

    @Test
    void dropsWhereBeforeGoingOverNinetyNineCharacters() {
        String subject = SubjectLine.of(findings("123456789012", "r".repeat(80)), Severity.CRITICAL, 12345, 12, 13);
        assertThat(subject).isEqualTo("SSM session audit: 12345 CRITICAL violations [part 12/13]");
    }

    @Test
    void neverHasLineBreaksOrNonAscii() {
        String subject = SubjectLine.of(findings("acct\nwith\u00e9", "r"), Severity.LOW, 1, 1, 1);
        assertThat(subject).doesNotContain("\n").matches("[\\x20-\\x7e]+");
    }
}
