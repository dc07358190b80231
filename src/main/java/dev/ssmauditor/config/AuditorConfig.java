package dev.ssmauditor.config;

import dev.ssmauditor.coverage.CoverageSettings;
import dev.ssmauditor.policy.Policy;
import dev.ssmauditor.policy.RemediationPolicy;

import java.time.Duration;

/**
 * Everything an audit needs to know from its environment, validated.
 *
 * @param alertTopicArn where alerts go; null only in a dry run without a topic
 * @param dryRun evaluate and log alerts, publish nothing, write nothing to the ledger
 * @param remindEvery how often a violation still open is alerted again; zero for never
 * @param stateTable the DynamoDB table of the alert ledger; null for none (every run alerts everything)
 * @param expectStartSessionEvents the sweep checks that every session it lists was reported by its StartSession event
 * @param coverage the accounts and regions the sweep audits
 * @param remediation which violations end their session and which sessions never are ({@code TERMINATE_RULES},
 *                    {@code TERMINATE_GRACE_MINUTES} and the POLICY document's {@code remediation});
 *                    {@link RemediationPolicy#NONE} unless asked
 */
public record AuditorConfig(String alertTopicArn, boolean dryRun, Policy policy, Duration remindEvery,
                            String stateTable, boolean expectStartSessionEvents, CoverageSettings coverage,
                            RemediationPolicy remediation) {
}
