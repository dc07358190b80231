package dev.ssmauditor.coverage;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** The credentials each account is audited with, for one run. */
public interface AccountCredentials {

    /**
     * The function's own credentials for its own account, the member role's for any other, assumed once per account for
     * the run however many of its regions ask.
     *
     * @throws CoverageException when the role cannot be assumed (missing, not trusting the hub, STS failing)
     */
    AwsCredentialsProvider of(String account);
}
