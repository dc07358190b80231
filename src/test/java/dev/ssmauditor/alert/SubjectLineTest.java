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

    private static AuditFindings named(String account, String name, String region) {
        return new AuditFindings(account, region, Instant.EPOCH, 1, 0, List.of(), false, name);
    }

    @Test
    void saysHowManySessionsTheAuditorEndedRightAfterTheCount() {
        assertThat(SubjectLine.of(named("123456789012", "Prod", "eu-west-1"), Severity.HIGH, 3, 2, 1, 1))
                .isEqualTo("SSM session audit: 3 HIGH violations, 2 sessions ended in 123456789012 (Prod) eu-west-1");
        assertThat(SubjectLine.of(named("123456789012", "Prod", "eu-west-1"), Severity.HIGH, 3, 1, 1, 1))
                .isEqualTo("SSM session audit: 3 HIGH violations, 1 session ended in 123456789012 (Prod) eu-west-1");
        assertThat(SubjectLine.of(findings("123456789012", "eu-west-1"), Severity.CRITICAL, 1, 1, 2, 3))
                .isEqualTo("SSM session audit: 1 CRITICAL violation, 1 session ended in 123456789012 eu-west-1 [part 2/3]");
        assertThat(SubjectLine.of(findings(null, null), Severity.LOW, 2, 2, 1, 1))
                .isEqualTo("SSM session audit: 2 LOW violations, 2 sessions ended");
    }

    @Test
    void noEndedSessionsNoEndedCount() {
        assertThat(SubjectLine.of(named("123456789012", "Prod", "eu-west-1"), Severity.HIGH, 3, 0, 1, 1))
                .isEqualTo("SSM session audit: 3 HIGH violations in 123456789012 (Prod) eu-west-1");
    }

    @Test
    void theEndedCountOutlivesTheAccountNameAndThenItsId() {
        // Without the count the 20-character name fits (86 characters); with it, only the id and region do.
        String name = "n".repeat(20);
        assertThat(SubjectLine.of(named("123456789012", name, "eu-west-1"), Severity.HIGH, 12, 0, 1, 1))
                .isEqualTo("SSM session audit: 12 HIGH violations in 123456789012 (" + name + ") eu-west-1");
        assertThat(SubjectLine.of(named("123456789012", name, "eu-west-1"), Severity.HIGH, 12, 3, 1, 1))
                .isEqualTo("SSM session audit: 12 HIGH violations, 3 sessions ended in 123456789012 eu-west-1");
        assertThat(SubjectLine.of(named("123456789012", name, "r".repeat(40)), Severity.HIGH, 12, 3, 1, 1))
                .isEqualTo("SSM session audit: 12 HIGH violations, 3 sessions ended");
        assertThat(SubjectLine.of(findings("123456789012", "r".repeat(80)), Severity.CRITICAL, 12345, 12345, 12, 13))
                .isEqualTo("SSM session audit: 12345 CRITICAL violations, 12345 sessions ended [part 12/13]")
                .hasSizeLessThanOrEqualTo(SubjectLine.MAX_LENGTH);
    }

    @Test
    void neverHasLineBreaksOrNonAscii() {
        String subject = SubjectLine.of(findings("acct\nwith\u00e9", "r"), Severity.LOW, 1, 1, 1);
        assertThat(subject).doesNotContain("\n").matches("[\\x20-\\x7e]+");
    }
}
