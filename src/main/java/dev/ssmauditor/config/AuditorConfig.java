package dev.ssmauditor.config;

import dev.ssmauditor.policy.Policy;

/**
 * Everything an audit needs to know from its environment, validated.
 *
 * @param alertTopicArn where alerts go; null only in a dry run without a topic
 * @param dryRun evaluate and log alerts, publish nothing
 */
public record AuditorConfig(String alertTopicArn, boolean dryRun, Policy policy) {
}
