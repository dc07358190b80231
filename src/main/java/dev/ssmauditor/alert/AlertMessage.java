package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;

import java.util.List;

/**
 * One SNS message: the alerts of one severity (or one part of them), with a body per subscriber protocol.
 *
 * @param defaultBody the machine-readable JSON document (SQS, Lambda, anything not email or https)
 * @param emailBody plain text for people
 * @param chatBody an AWS Chatbot custom notification, for https subscribers (Slack and Teams through Chatbot)
 * @param severity every alert in this message has this severity: subscribers filter on it
 * @param part 1-based; the alerts of one severity are split into several parts when they exceed SNS limits
 * @param alerts the alerts this message carries: once SNS accepted it, their ledger keys are marked sent
 */
public record AlertMessage(String subject, String defaultBody, String emailBody, String chatBody, Severity severity,
                           int part, int parts, List<Alert> alerts) {

    public AlertMessage {
        alerts = List.copyOf(alerts);
    }

    public int alertCount() {
        return alerts.size();
    }
}
