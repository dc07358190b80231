package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A fake AWS endpoint on a WireMock server: a transformer that answers every POST to {@code /} the server has
 * no more specific stub for, with the faults of its {@link Faults}.
 */
public abstract class FakeEndpoint implements ResponseDefinitionTransformerV2 {

    private final String name;
    private final Faults faults;
    protected WireMockServer server;

    FakeEndpoint(String name, long seed) {
        this.name = name;
        this.faults = new Faults(seed).none();
    }

    /** For fakes started on a server configured by the caller (the scale benchmark's). */
    public void attachTo(WireMockServer server) {
        attach(server);
    }

    /** Starts a server of its own, this fake its only extension (not {@code start()}: WireMock calls that on extensions). */
    public FakeEndpoint open() {
        WireMockServer s = new WireMockServer(options().dynamicPort().jettyAcceptors(1).containerThreads(8).extensions(this));
        s.start();
        attach(s);
        return this;
    }

    /** Stops the server {@link #open()} started. */
    public void close() {
        server.stop();
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** For odd answers stubbed on top of the model (stubs above priority 10 win). */
    public WireMockServer server() {
        return server;
    }

    void attach(WireMockServer server) {
        this.server = server;
        server.stubFor(post(urlEqualTo("/")).atPriority(10).willReturn(aResponse().withTransformers(name)));
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    public Faults faults() {
        return faults;
    }
}
