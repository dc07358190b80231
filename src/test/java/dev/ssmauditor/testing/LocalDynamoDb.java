package dev.ssmauditor.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real DynamoDB-compatible engine for the tests: dynalite (open source, from the npm registry, pinned by
 * {@code src/test/dynalite/package-lock.json}), installed with {@code npm ci} on first use and started once per
 * test JVM on a free port. Each test gets a table of its own, created the way the template creates the ledger
 * (partition key {@code pk}), and the SDK is pointed at the engine through its standard setting
 * ({@code aws.endpointUrlDynamoDb}, the system-property form of {@code AWS_ENDPOINT_URL_DYNAMODB}), never in code.
 */
public final class LocalDynamoDb implements BeforeEachCallback, AfterEachCallback {

    public static final String ENDPOINT_PROPERTY = "aws.endpointUrlDynamoDb";
    private static final AtomicInteger TABLES = new AtomicInteger();

    private Engine engine;
    private String table;
    private DynamoDbClient client;

    @Override
    public void beforeEach(ExtensionContext context) {
        engine = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Engine.class, k -> Engine.start(), Engine.class);
        System.setProperty(ENDPOINT_PROPERTY, engine.url());
        client = DynamoDbClient.builder().region(Region.EU_WEST_1).httpClient(UrlConnectionHttpClient.create()).build();
        table = "ledger-" + TABLES.incrementAndGet();
        createTable(table);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.clearProperty(ENDPOINT_PROPERTY);
        client.close();
    }

    /** The table this test's ledger lives in. */
    public String table() {
        return table;
    }

    public String url() {
        return engine.url();
    }

    /** A client on the engine, for reading and tampering with items. */
    public DynamoDbClient client() {
        return client;
    }

    public void createTable(String name) {
        client.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    }

    /** Every item of the table, by key. */
    public Map<String, Map<String, AttributeValue>> items() {
        Map<String, Map<String, AttributeValue>> items = new HashMap<>();
        client.scanPaginator(r -> r.tableName(table)).items().forEach(i -> items.put(i.get("pk").s(), i));
        return items;
    }

    /** Points the SDK at a port nothing listens on: the ledger is unreachable. */
    public void unreachable() {
        System.setProperty(ENDPOINT_PROPERTY, "http://127.0.0.1:" + freePort());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The dynalite process, stopped when the test JVM's root context closes (or by its user, outside JUnit). */
    public static final class Engine implements ExtensionContext.Store.CloseableResource, AutoCloseable {

        private final Process process;
        private final String url;

        private Engine(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        public String url() {
            return url;
        }

        /** A client on this engine with the ledger's key schema, for creating tables outside a JUnit test. */
        public void createTable(String name) {
            // Outside the test JVM (the benchmark) there are no credentials; dynalite checks none.
            try (DynamoDbClient c = DynamoDbClient.builder().region(Region.EU_WEST_1).endpointOverride(java.net.URI.create(url))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                c.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                        .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            }
        }

        public static Engine start() {
            Path dir = Path.of(System.getProperty("basedir", "."), "src", "test", "dynalite");
            Path cli = dir.resolve("node_modules/dynalite/cli.js");
            if (!Files.exists(cli)) {
                run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5));
            }
            int port = freePort();
            try {
                Process p = new ProcessBuilder("node", cli.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                        .redirectErrorStream(true).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String first = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
                if (first == null || !first.contains("listening")) {
                    p.destroyForcibly();
                    throw new IllegalStateException("dynalite did not start: " + first);
                }
                // Keep draining its output so that it never blocks on a full pipe.
                Thread drain = new Thread(() -> out.lines().forEach(line -> { }), "dynalite-output");
                drain.setDaemon(true);
                drain.start();
                return new Engine(p, "http://127.0.0.1:" + port);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start dynalite with 'node' (Node.js 18 or later is needed to run "
                        + "the tests; see the README): " + e.getMessage(), e);
            } catch (Exception e) {
                throw new IllegalStateException("dynalite did not start: " + e, e);
            }
        }

        private static void run(Path dir, List<String> command, Duration timeout) {
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("npm-ci.log").toFile()).start();
                if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " failed in " + dir + " (see npm-ci.log there); "
                            + "Node.js and npm are needed to run the tests (dynalite, a local DynamoDB-compatible engine)");
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + String.join(" ", command) + ": Node.js and npm are needed to run "
                        + "the tests (see the README): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public void close() throws InterruptedException {  // also called by the benchmark
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
