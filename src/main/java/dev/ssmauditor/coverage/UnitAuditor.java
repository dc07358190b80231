package dev.ssmauditor.coverage;

import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** Audits one account-region: the single-account sweep, pointed at it. */
@FunctionalInterface
public interface UnitAuditor {

    AuditReport audit(AccountRegion unit, AwsCredentialsProvider credentials, AuditRequest request);

    /**
     * Called once a run, before its account-regions are audited, with all of them: what can be read for all at once
     * (the sweep records) is read here. Returns the auditor to use for this run.
     */
    default UnitAuditor prepare(java.util.List<AccountRegion> units) {
        return this;
    }
}
