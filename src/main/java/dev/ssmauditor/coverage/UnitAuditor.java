package dev.ssmauditor.coverage;

import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** Audits one account-region: the single-account sweep, pointed at it. */
@FunctionalInterface
public interface UnitAuditor {

    AuditReport audit(AccountRegion unit, AwsCredentialsProvider credentials, AuditRequest request);
}
