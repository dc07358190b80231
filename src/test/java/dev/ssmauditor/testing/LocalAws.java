package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * Local SSM and SNS endpoints for one test, wired into the SDK the way a user would do it: through the
 * SDK's standard endpoint settings ({@code aws.endpointUrlSsm} / {@code aws.endpointUrlSns}, the system
 * property forms of {@code AWS_ENDPOINT_URL_SSM} / {@code AWS_ENDPOINT_URL_SNS}), never through code.
 */
public final class LocalAws implements BeforeEachCallback, AfterEachCallback {

    private WireMockServer ssmServer;
    private WireMockServer snsServer;
    private FakeSsm ssm;
    private FakeSns sns;

    @Override
    public void beforeEach(ExtensionContext context) {
        ssm = new FakeSsm();
        ssmServer = new WireMockServer(options().dynamicPort().jettyAcceptors(1).containerThreads(8).extensions(ssm));
        sns = new FakeSns();
        snsServer = new WireMockServer(options().dynamicPort().jettyAcceptors(1).containerThreads(8).extensions(sns));
        ssmServer.start();
        snsServer.start();
        ssm.attach(ssmServer);
        sns.attach(snsServer);
        System.setProperty("aws.endpointUrlSsm", ssmServer.baseUrl());
        System.setProperty("aws.endpointUrlSns", snsServer.baseUrl());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.clearProperty("aws.endpointUrlSsm");
        System.clearProperty("aws.endpointUrlSns");
        ssmServer.stop();
        snsServer.stop();
    }

    public FakeSsm ssm() {
        return ssm;
    }

    public FakeSns sns() {
        return sns;
    }

    public WireMockServer ssmServer() {
        return ssmServer;
    }

    public WireMockServer snsServer() {
        return snsServer;
    }
}
