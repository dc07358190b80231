package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.aws.AwsEndpoints;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.coverage.AccountDirectory;
import dev.ssmauditor.coverage.AccountScope;
import dev.ssmauditor.coverage.CoverageSettings;
import dev.ssmauditor.coverage.RegionDirectory;
import dev.ssmauditor.coverage.RegionScope;
import dev.ssmauditor.organization.Ec2RegionDirectory;
import dev.ssmauditor.organization.OrganizationsAccountDirectory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.util.Map;

/**
 * The organisation's accounts and each account's regions, asked without an SDK service client; built only when the
 * settings ask for them (their endpoints are checked then, at start-up).
 */
final class Directories {

    private Directories() {
    }

    /** Null unless {@code AUDIT_ACCOUNTS=organization}. */
    static AccountDirectory accounts(CoverageSettings coverage, Map<String, String> env, AwsClientFactory clients,
                                     AwsCredentialsProvider own, JsonFactory json, CallBudget budget) {
        if (coverage.accounts().kind() != AccountScope.Kind.ORGANIZATION) {
            return null;
        }
        return new OrganizationsAccountDirectory(clients.signedRequests(json, budget),
                new AwsEndpoints(env, clients.region()).organizations(), own, json);
    }

    /** Null unless {@code AUDIT_REGIONS=enabled}. */
    static RegionDirectory regions(CoverageSettings coverage, Map<String, String> env, AwsClientFactory clients, JsonFactory json,
                                   CallBudget budget) {
        if (coverage.regions().kind() != RegionScope.Kind.ENABLED) {
            return null;
        }
        return new Ec2RegionDirectory(clients.signedRequests(json, budget), new AwsEndpoints(env, clients.region()).ec2());
    }
}
