package dev.ssmauditor.alert;

/**
 * One SNS message: a subject, the machine-readable {@code default} body and the {@code email} body.
 *
 * @param part 1-based; a run with many violations is split into several parts, none dropped
 * @param violationCount how many violations this part carries
 */
public record AlertMessage(String subject, String defaultBody, String emailBody, int part, int parts, int violationCount) {
}
