package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;

/**
 * One SNS message: the alerts of one severity (or one part of them), with a body per subscriber protocol.
 *
 * @param defaultBody the machine-readable JSON document (SQS, Lambda, anything not email or https)
 * @param emailBody plain text for people
 * @param chatBody an AWS Chatbot custom notification, for https subscribers (Slack and Teams through Chatbot)
 * @param severity every alert in this message has this severity: subscribers filter on it
 * @param part 1-based; the alerts of one severity are split into several parts when they exceed SNS limits
 */
public record AlertMessage(String subject, String defaultBody, String emailBody, String chatBody, Severity severity,
                           int part, int parts, int alertCount) {
}
