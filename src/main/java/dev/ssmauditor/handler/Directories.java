package dev.ssmauditor.handler;

import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.coverage.AccountDirectory;
import dev.ssmauditor.coverage.RegionDirectory;
import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.util.Map;

/** The organisation's accounts and each account's regions, asked without an SDK service client. */
final class Directories {

    private Directories() {
    }

    static AccountDirectory accounts(Map<String, String> env, AwsClientFactory clients, AwsCredentialsProvider own, JsonLog log) {
        return () -> {
            throw new UnsupportedOperationException("not yet");
        };
    }

    static RegionDirectory regions(Map<String, String> env, AwsClientFactory clients, JsonLog log) {
        return (account, credentials) -> {
            throw new UnsupportedOperationException("not yet");
        };
    }
}
