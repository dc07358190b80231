package dev.ssmauditor.bench;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.ssmauditor.aws.RetryPolicy;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.testing.FakeEndpoint;
import dev.ssmauditor.testing.FakeOrganizations;
import dev.ssmauditor.testing.FakeSns;
import dev.ssmauditor.testing.FakeSqs;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.FakeSts;
import dev.ssmauditor.testing.LocalDynamoDb;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * The organisation sweep at scale, every AWS call answered {@code --latency} ms late (50 by default): one invocation
 * of the scheduled function, in its own JVM through the Lambda runtime client, over {@code --sizes} account-regions of
 * 20 sessions each (one of them a violation); then the sharded mode over {@code --sharded} account-regions, the
 * scheduled function queueing the accounts and {@code --workers} simulated shard workers (each its own handler, as
 * Lambda's execution environments are) auditing batches of ten accounts. Writes target/scale-report.md.
 *
 * <p>Run: {@code mvn -Pscale -DskipTests verify} (see the README, "Scale").
 */
public final class ScaleBenchmark {

    static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    static final String HANDLER = "dev.ssmauditor.handler.AuditHandler::handleRequest";
    static final String SSO = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";
    static final List<String> REGIONS = List.of("eu-west-1", "us-east-1");
    static final int SESSIONS = 20;
    static final int BATCH = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final int latency;
    private final String javaCommand;
    private final List<String> report = new ArrayList<>();
    private final FakeSts sts = new FakeSts();
    private final FakeSsm ssm = newFake(FakeSsm.class);
    private final FakeSns sns = newFake(FakeSns.class);
    private final FakeSqs sqs = new FakeSqs();
    private final FakeOrganizations organizations = new FakeOrganizations();
    private final List<WireMockServer> servers = new ArrayList<>();
    private final Map<FakeEndpoint, String> urls = new HashMap<>();
    private LocalDynamoDb.Engine dynamo;
    private Process dynamoProxy;
    private String dynamoUrl;
    private int tables;
    private Path layout;

    ScaleBenchmark(Path target, int latency, String java) {
        this.target = target;
        this.latency = latency;
        this.javaCommand = java;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        ScaleBenchmark bench = new ScaleBenchmark(Path.of(o.getOrDefault("target", "target")).toAbsolutePath(),
                Integer.parseInt(o.getOrDefault("latency", "50")),
                o.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        List<Integer> sizes = Arrays.stream(o.getOrDefault("sizes", "100,250,500,1000").split(",")).map(String::trim)
                .map(Integer::parseInt).toList();
        try {
            bench.run(sizes, Integer.parseInt(o.getOrDefault("sharded", "10000")), Integer.parseInt(o.getOrDefault("workers", "10")),
                    Integer.parseInt(o.getOrDefault("concurrency", "32")));
        } finally {
            bench.close();
        }
        System.exit(0);
    }

    /** The fakes' constructors are package-private where only their package's extension starts them. */
    private static <T> T newFake(Class<T> type) {
        try {
            Constructor<T> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    void run(List<Integer> sizes, int sharded, int workers, int concurrency) throws Exception {
        for (FakeEndpoint f : List.<FakeEndpoint>of(sts, ssm, sns, sqs)) {
            // Enough server threads that the latency is each call's, not a queue's.
            WireMockServer s = new WireMockServer(options().dynamicPort().jettyAcceptors(2).containerThreads(300)
                    .disableRequestJournal().extensions(f));
            s.start();
            f.attachTo(s);
            servers.add(s);
            urls.put(f, s.baseUrl());
            slow(f);
        }
        organizations.open();
        slow(organizations);
        dynamo = LocalDynamoDb.Engine.start();
        dynamoProxy = latencyProxy(dynamo.url());
        System.setProperty(LocalDynamoDb.ENDPOINT_PROPERTY, dynamoUrl);
        // The simulated shard workers run in this JVM: the SDK finds the endpoints and credentials here as it would in theirs.
        System.setProperty("aws.endpointUrlSts", urls.get(sts));
        System.setProperty("aws.endpointUrlSsm", urls.get(ssm));
        System.setProperty("aws.endpointUrlSns", urls.get(sns));
        System.setProperty("aws.endpointUrlSqs", urls.get(sqs));
        System.setProperty("aws.accessKeyId", "AKIDBENCH");
        System.setProperty("aws.secretAccessKey", "bench-secret");
        sns.acceptPublishes();
        layout = layout();
        int largest = Math.max(sharded, sizes.stream().max(Integer::compare).orElse(0));
        accounts(largest / REGIONS.size());

        line("Scale: every AWS call (STS, SSM, SNS, DynamoDB, SQS) answered " + latency + " ms late; " + SESSIONS
                + " sessions per account-region, one of them a violation; " + REGIONS.size() + " regions per account; "
                + "AUDIT_CONCURRENCY=" + concurrency + "; " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.version"));
        line("");
        line("One invocation of the scheduled function (own JVM, the java21 runtime's flags for 512 MB):");
        line("");
        line("| account-regions | wall s | per account-region ms | peak RSS MiB | CPU s | calls made (Organizations, STS, SSM, SNS, DynamoDB) | alerts |");
        line("| --- | --- | --- | --- | --- | --- | --- |");
        List<double[]> points = new ArrayList<>();
        for (int n : sizes) {
            points.add(new double[] {n, single(n, concurrency) * n / 1000});
        }
        line("");
        if (points.size() >= 2) {
            // Least squares: wall = a + b * account-regions. The crossover is where a run would need more than 90% of
            // the function's timeout (the rest is the margins a run keeps).
            double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
            double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
            double b = points.stream().mapToDouble(p -> (p[0] - mx) * (p[1] - my)).sum()
                    / points.stream().mapToDouble(p -> (p[0] - mx) * (p[0] - mx)).sum();
            double a = my - b * mx;
            line(String.format(Locale.ROOT, "Fit: wall s = %.1f + %.2f ms x account-regions (%.0f account-regions a second once "
                    + "started). One invocation stays within 90%% of a 60 s timeout (the template's default) up to about %,.0f "
                    + "account-regions, of 300 s up to %,.0f, of 900 s (Lambda's limit) up to %,.0f.", a, b * 1000, 1 / b,
                    (54 - a) / b, (270 - a) / b, (810 - a) / b));
            line("");
        }
        sharded(sharded, workers, concurrency);
        Files.writeString(target.resolve("scale-report.md"), String.join("\n", report) + "\n");
    }

    private void slow(FakeEndpoint f) {
        f.faults().set(0, 0, 0, 1.0, latency, false, Set.of());
    }

    private static List<String> accountIds(int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(String.format("%012d", 200_000_000_000L + i));
        }
        return ids;
    }

    /** Every account's role, and its sessions in every region. */
    private void accounts(int count) {
        for (String id : accountIds(count)) {
            sts.allow("arn:aws:iam::" + id + ":role/ssm-session-auditor-member");
            for (String region : REGIONS) {
                List<ObjectNode> sessions = new ArrayList<>(SESSIONS);
                for (int s = 0; s < SESSIONS; s++) {
                    String owner = s == 0 ? "arn:aws:iam::" + id + ":user/mallory" : SSO + "user" + s;
                    sessions.add(FakeSsm.session("user" + s + "-" + id + "-" + region, String.format("i-0a1b2c3d4e%07d", s), owner,
                            "SSM-SessionManagerRunShell", T.minusSeconds(600 + s)));
                }
                ssm.setActive(FakeSts.accessKeyOf(id), region, sessions);
            }
        }
    }

    private Map<String, String> functionEnv(List<String> accounts, int concurrency, String table) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDBENCH");
        env.put("AWS_SECRET_ACCESS_KEY", "bench-secret");
        env.put("AWS_ENDPOINT_URL_STS", urls.get(sts));
        env.put("AWS_ENDPOINT_URL_SSM", urls.get(ssm));
        env.put("AWS_ENDPOINT_URL_SNS", urls.get(sns));
        env.put("AWS_ENDPOINT_URL_SQS", urls.get(sqs));
        env.put("AWS_ENDPOINT_URL_DYNAMODB", System.getProperty(LocalDynamoDb.ENDPOINT_PROPERTY));
        env.put("AWS_LAMBDA_FUNCTION_NAME", "ssm-session-auditor");
        env.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
        env.put("ALERT_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts");
        env.put("STATE_TABLE", table);
        env.put("ALLOWED_OWNERS", SSO + "*");
        // The organisation, as a large one is configured: a list of 500 ids would not fit Lambda's 4 KB of variables.
        organizations.accounts(accounts.stream().map(id -> new MemberAccount(id, "account " + id)).toList());
        env.put("AUDIT_ACCOUNTS", "organization");
        env.put("AWS_ENDPOINT_URL_ORGANIZATIONS", organizations.baseUrl());
        env.put("AUDIT_REGIONS", String.join(",", REGIONS));
        env.put("AUDIT_CONCURRENCY", Integer.toString(concurrency));
        return env;
    }

    private String newTable() {
        String table = "scale-" + (++tables);
        dynamo.createTable(table);
        return table;
    }

    private int[] calls() {
        return new int[] {sts.faults().injected(), ssm.faults().injected(), sns.faults().injected(), dynamoCalls(),
                sqs.faults().injected(), organizations.requestCount()};
    }

    /** One cold invocation over {@code n} account-regions; returns the wall time per account-region, in ms. */
    private double single(int n, int concurrency) throws Exception {
        String table = newTable();
        Map<String, String> env = functionEnv(accountIds(n / REGIONS.size()), concurrency, table);
        int[] before = calls();
        int alertsBefore = sns.delivered().size();
        double[] r = invoke(env, "single-" + n, 900_000);
        int[] after = calls();
        line(String.format(Locale.ROOT, "| %,d | %.1f | %.1f | %.1f | %.1f | %,d (%,d, %,d, %,d, %,d, %,d) | %,d |", n,
                r[0] / 1000, r[0] / n, r[1], r[2] / 1000, (after[5] - before[5]) + (after[0] - before[0]) + (after[1] - before[1])
                        + (after[2] - before[2]) + (after[3] - before[3]), after[5] - before[5], after[0] - before[0],
                after[1] - before[1], after[2] - before[2], after[3] - before[3], sns.delivered().size() - alertsBefore));
        return r[0] / n;
    }

    /** Launch to response posted, in a fresh JVM: {wall ms, peak RSS MiB, CPU ms}. */
    private double[] invoke(Map<String, String> functionEnv, String name, long timeoutMs) throws Exception {
        try (RuntimeApi api = new RuntimeApi(timeoutMs)) {
            api.enqueue("{\"version\":\"0\",\"id\":\"scale\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                    + "\"account\":\"123456789012\",\"time\":\"" + T + "\",\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{}}");
            CompletableFuture<double[]> result = new CompletableFuture<>();
            Process[] process = new Process[1];
            long[] started = new long[1];
            api.onAnswer(a -> {
                long pid = process[0].pid();
                double[] r = {(a.nanoTime() - started[0]) / 1e6, ProcStats.peakRssKib(pid) / 1024.0, ProcStats.cpuNanos(pid) / 1e6};
                if (a.error()) {
                    result.completeExceptionally(new IllegalStateException(name + " failed: " + a.body()));
                } else {
                    result.complete(r);
                }
            });
            List<String> command = new ArrayList<>();
            command.add(javaCommand);
            command.addAll(ColdStartBenchmark.JVM_FLAGS);
            command.add("-cp");
            command.add(String.join(File.pathSeparator, runtimeClientJars()));
            command.add(AWSLambda.class.getName());
            command.add(HANDLER);
            ProcessBuilder pb = new ProcessBuilder(command).directory(layout.toFile());
            pb.environment().clear();
            pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().put("AWS_LAMBDA_RUNTIME_API", api.address());
            pb.environment().putAll(functionEnv);
            pb.redirectErrorStream(true);
            pb.redirectOutput(target.resolve("scale-" + name + ".log").toFile());
            started[0] = System.nanoTime();
            process[0] = pb.start();
            try {
                return result.get(20, TimeUnit.MINUTES);
            } finally {
                process[0].destroyForcibly().waitFor();
            }
        }
    }

    /**
     * The sharded mode: the scheduled function queues the accounts (own JVM), then {@code workers} shard workers, each
     * its own handler instance in this JVM, take batches of ten accounts off the queue, as Lambda's event source mapping
     * with that maximum concurrency would.
     */
    private void sharded(int n, int workers, int concurrency) throws Exception {
        String table = newTable();
        List<String> accounts = accountIds(n / REGIONS.size());
        Map<String, String> env = functionEnv(accounts, concurrency, table);
        env.put("SHARD_QUEUE_URL", urls.get(sqs) + "/123456789012/ssm-audit-shards");
        int queuedBefore = sqs.bodies().size();
        int alertsBefore = sns.delivered().size();
        long began = System.nanoTime();
        double[] coordinator = invoke(env, "coordinator-" + n, 900_000);
        List<String> bodies = sqs.bodies().subList(queuedBefore, sqs.bodies().size());
        ConcurrentLinkedQueue<List<String>> batches = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < bodies.size(); i += BATCH) {
            batches.add(bodies.subList(i, Math.min(bodies.size(), i + BATCH)));
        }
        int batchCount = batches.size();
        Map<String, String> workerEnv = new HashMap<>(env);
        workerEnv.remove("SHARD_QUEUE_URL");
        workerEnv.put("SHARD_MAX_RECEIVES", "3");
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Double> batchMs = java.util.Collections.synchronizedList(new ArrayList<>());
        int[] failures = new int[1];
        long workersBegan = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            running.add(pool.submit(() -> {
                Object worker = newWorker(workerEnv);
                List<String> batch;
                while ((batch = batches.poll()) != null) {
                    long t0 = System.nanoTime();
                    String response = invokeWorker(worker, batch);
                    batchMs.add((System.nanoTime() - t0) / 1e6);
                    if (!response.contains("\"batchItemFailures\":[]")) {
                        synchronized (failures) {
                            failures[0]++;
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        double workersMs = (System.nanoTime() - workersBegan) / 1e6;
        double totalMs = (System.nanoTime() - began) / 1e6;
        List<Double> sorted = new ArrayList<>(batchMs);
        sorted.sort(null);
        line(String.format(Locale.ROOT, "Sharded, %,d account-regions (%,d accounts): the scheduled function listed the organisation "
                        + "and queued %,d messages in "
                        + "%.1f s (peak RSS %.1f MiB); %d workers audited %,d batches of %d accounts in %.1f s (a batch: median %.1f s, "
                        + "max %.1f s); %,d alerts; %d batches reported failures; %.1f s in all.",
                n, accounts.size(), bodies.size(), coordinator[0] / 1000, coordinator[1], workers, batchCount, BATCH, workersMs / 1000,
                sorted.get(sorted.size() / 2) / 1000, sorted.get(sorted.size() - 1) / 1000, sns.delivered().size() - alertsBefore,
                failures[0], totalMs / 1000));
    }

    private static Object newWorker(Map<String, String> env) throws Exception {
        Class<?> type = Class.forName("dev.ssmauditor.handler.ShardWorkerHandler");
        Constructor<?> c = type.getDeclaredConstructor(Map.class, PrintStream.class, java.time.Clock.class, RetryPolicy.class,
                software.amazon.awssdk.http.SdkHttpClient.class);
        c.setAccessible(true);
        return c.newInstance(env, new PrintStream(OutputStream.nullOutputStream()), java.time.Clock.systemUTC(), RetryPolicy.LAMBDA,
                null);
    }

    private static String invokeWorker(Object worker, List<String> bodies) throws Exception {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < bodies.size(); i++) {
            ObjectNode r = records.addObject();
            r.put("messageId", "m-" + i);
            r.put("body", bodies.get(i));
            r.putObject("attributes").put("ApproximateReceiveCount", "1");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((com.amazonaws.services.lambda.runtime.RequestStreamHandler) worker).handleRequest(
                new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, new FakeContext(300_000));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private List<String> runtimeClientJars() {
        List<String> jars = new ArrayList<>();
        for (String c : List.of(AWSLambda.class.getName(), "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
                "software.amazon.awssdk.utilslite.SdkInternalThreadLocal", "com.amazonaws.services.lambda.runtime.Context")) {
            try {
                jars.add(Path.of(Class.forName(c).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return jars.stream().distinct().toList();
    }

    /** A {@code sam build} layout: the classes at the top, the runtime jars in lib/. */
    private Path layout() throws IOException {
        Path dir = target.resolve("lambda-scale");
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("lib"));
        Path classes = target.resolve("classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = dir.resolve(classes.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (String line : Files.readAllLines(target.resolve("runtime-classpath.txt"))) {
            for (String jar : line.split(File.pathSeparator)) {
                if (!jar.isBlank()) {
                    Path p = Path.of(jar);
                    Files.copy(p, dir.resolve("lib").resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /**
     * dynalite behind a small Node.js proxy that forwards each call {@code latency} ms late (a WireMock proxy, as the
     * fault tests use, costs this 2-core machine more CPU per call than the function itself).
     */
    private Process latencyProxy(String engineUrl) throws IOException {
        Path script = Path.of(System.getProperty("basedir", "."), "src", "test", "dynalite", "latency-proxy.js");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder("node", script.toString(), "--target", engineUrl, "--delay", Integer.toString(latency),
                "--port", Integer.toString(port)).redirectErrorStream(true).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        if (first == null || !first.contains("listening")) {
            throw new IllegalStateException("the latency proxy did not start: " + first);
        }
        dynamoUrl = "http://127.0.0.1:" + port;
        return p;
    }

    private int dynamoCalls() {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(dynamoUrl + "/__calls")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return Integer.parseInt(r.body().trim());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void line(String s) {
        System.out.println(s);
        report.add(s);
    }

    void close() throws Exception {
        servers.forEach(WireMockServer::stop);
        organizations.close();
        if (dynamoProxy != null) {
            dynamoProxy.destroyForcibly();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }
}
