package dev.ssmauditor.aws;

import software.amazon.awssdk.services.ssm.SsmClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One SSM client per region, built on first use and shared by every account audited there (each request carries its
 * account's credentials). The function's own region reuses the client built at start-up.
 */
public final class RegionalSsmClients {

    private final AwsClientFactory factory;
    private final Map<String, SsmClient> clients = new ConcurrentHashMap<>();

    public RegionalSsmClients(AwsClientFactory factory, SsmClient home) {
        this.factory = factory;
        clients.put(factory.region().id(), home);
    }

    public SsmClient in(String region) {
        return clients.computeIfAbsent(region, factory::ssm);
    }
}
