package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * dynalite behind a WireMock proxy that injects faults: the real engine answers every call that gets through, and
 * a share of them are throttled, fail with a 500 or have their connection reset first, as {@link Faults} draws.
 * The SDK is pointed at the proxy through its standard setting, as at the engine itself.
 */
public final class FaultyDynamoDb extends FakeEndpoint implements AutoCloseable {

    static final String NAME = "faulty-dynamodb";

    private final String engine;
    private final WireMockServer proxy;

    private FaultyDynamoDb(String engine, int threads) {
        super(NAME, 13);
        this.engine = engine;
        this.proxy = new WireMockServer(options().dynamicPort().jettyAcceptors(1).containerThreads(threads).extensions(this));
    }

    /** A proxy in front of the engine at {@code engineUrl}, with the SDK pointed at it. */
    public static FaultyDynamoDb before(String engineUrl) {
        return before(engineUrl, 8);
    }

    /** @param threads the proxy's server threads: as many as calls may be in flight, for the benchmark's latency */
    public static FaultyDynamoDb before(String engineUrl, int threads) {
        FaultyDynamoDb f = new FaultyDynamoDb(engineUrl, threads);
        f.proxy.start();
        f.attach(f.proxy);
        System.setProperty(LocalDynamoDb.ENDPOINT_PROPERTY, f.proxy.baseUrl());
        return f;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String target = event.getRequest().getHeader("X-Amz-Target");
        String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
        Faults.Kind fault = faults().draw(operation);
        if (fault == Faults.Kind.THROTTLE) {
            return error(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.");
        }
        if (fault == Faults.Kind.SERVER_ERROR || fault == Faults.Kind.DOWN) {
            return error(500, "InternalServerError", "injected");
        }
        if (fault == Faults.Kind.RESET) {
            return Faults.reset().build();
        }
        return ResponseDefinitionBuilder.responseDefinition().proxiedFrom(engine)
                .withFixedDelay(fault == Faults.Kind.DELAY ? faults().delayMillis() : null).build();
    }

    private static ResponseDefinition error(int status, String type, String message) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + type + "\",\"message\":\"" + message + "\"}")
                .build();
    }

    @Override
    public void close() {
        proxy.stop();
    }
}
