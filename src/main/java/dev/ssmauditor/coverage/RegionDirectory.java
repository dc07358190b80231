package dev.ssmauditor.coverage;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.util.List;

/** The regions enabled in one account ({@code AUDIT_REGIONS=enabled}). */
public interface RegionDirectory {

    /**
     * @param credentials the account's credentials (the member role's, or the function's own for the hub account)
     * @return the region names enabled in that account, e.g. {@code eu-west-1}
     * @throws CoverageException when the call is refused or fails after its retries
     */
    List<String> enabledRegions(String account, AwsCredentialsProvider credentials);
}
