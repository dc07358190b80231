package dev.ssmauditor.bench;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import dev.ssmauditor.testing.StartSessionEvents;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sns.SnsClient;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Cold start and footprint of the built function, run as Lambda runs it: a fresh JVM per run with the
 * java21 runtime's flags, the real Lambda runtime interface client (aws-lambda-java-runtime-interface-client)
 * talking to a local Runtime API, the function's code in a {@code sam build} layout (classes + lib/), and
 * local SSM and SNS endpoints holding 1,000 active sessions (5 pages) with a few violations, and the alert ledger in
 * dynalite (a DynamoDB-compatible engine, as in the tests). The floor is a
 * trivial handler through the same runtime client in the same run; results are reported as ratios to it.
 *
 * <p>Run with {@code mvn -Pbench -DskipTests verify} (see the README, "Performance").
 */
public final class ColdStartBenchmark {

    static final String AUDIT_HANDLER = "dev.ssmauditor.handler.AuditHandler::handleRequest";
    static final String TRIVIAL_HANDLER = "dev.ssmauditor.bench.TrivialHandler::handleRequest";
    static final String EVENT_HANDLER = "dev.ssmauditor.handler.StartSessionHandler::handleRequest";
    /**
     * The java21 runtime's flags for a 512 MB function, and {@code -XX:MaxRAM} so that this JVM sizes itself
     * for 512 MB as the function's JVM does inside its container, not for this machine's memory.
     */
    static final List<String> JVM_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto", "-XX:MaxHeapSize=445645k", "-XX:MaxRAM=536870912", "-Djava.net.preferIPv4Stack=true");
    static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    static final String ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";

    /** @param eventToSnsMs for the event function: from the event handed to the runtime to SNS accepting the alert */
    record Run(double wallMs, double initMs, double cpuMs, double rssMib, double eventToSnsMs) {
    }

    /**
     * @param alerting true: each run gets an empty ledger table, so it alerts and publishes (the first cold start of
     *                 a new deployment); false: the ledger is kept, so runs after the first find nothing new and publish
     *                 nothing (the steady state, most cold starts)
     */
    record Variant(String name, String handler, Path layout, long bytes, long zipBytes, boolean alerting) {
        Variant steady() {
            return new Variant(name + ", nothing new to alert", handler, layout, bytes, zipBytes, false);
        }

        boolean eventPath() {
            return handler.equals(EVENT_HANDLER);
        }
    }

    private final Path target;
    private final int runs;
    private final String javaCommand;
    private final LocalAws aws = new LocalAws();
    private LocalDynamoDb.Engine dynamo;
    private String table;
    private int tables;
    private int startSessions;
    private final List<String> report = new ArrayList<>();
    private Path baseline;
    private String baselineName;

    ColdStartBenchmark(Path target, int runs, String java) {
        this.target = target;
        this.runs = runs;
        this.javaCommand = java;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path target = Path.of(options.getOrDefault("target", "target")).toAbsolutePath();
        int runs = Integer.parseInt(options.getOrDefault("runs", "7"));
        String java = options.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> variants = List.of(options.getOrDefault("variants", "url-connection,apache,crt").split(","));
        ColdStartBenchmark bench = new ColdStartBenchmark(target, runs, java);
        String baseline = options.getOrDefault("baseline", "none");
        if (!baseline.isBlank() && !baseline.equals("none")) {
            // Another build of the function (its target/ with classes/ and runtime-classpath.txt), measured in the
            // same run: "before" figures for a change.
            bench.baseline = Path.of(baseline).toAbsolutePath();
            bench.baselineName = options.getOrDefault("baseline-name", "baseline");
        }
        bench.run(variants);
    }

    void run(List<String> variantNames) throws Exception {
        aws.beforeEach(null);
        dynamo = LocalDynamoDb.Engine.start();
        try {
            List<Path> runtimeJars = Files.readAllLines(target.resolve("runtime-classpath.txt")).stream()
                    .flatMap(line -> Arrays.stream(line.split(File.pathSeparator)))
                    .filter(s -> !s.isBlank()).map(Path::of).toList();
            Variant base = layout("url-connection", AUDIT_HANDLER, runtimeJars, List.of(), List.of());
            Map<String, Variant> variants = new LinkedHashMap<>();
            variants.put("url-connection", base);
            variants.put(base.steady().name(), base.steady());
            Variant events = new Variant("StartSession event function, one alert", EVENT_HANDLER, base.layout(), base.bytes(),
                    base.zipBytes(), true);
            variants.put(events.name(), events);
            if (baseline != null) {
                List<Path> baselineJars = Files.readAllLines(baseline.resolve("runtime-classpath.txt")).stream()
                        .flatMap(line -> Arrays.stream(line.split(File.pathSeparator)))
                        .filter(s -> !s.isBlank()).map(Path::of).toList();
                Variant before = layout(baselineName, AUDIT_HANDLER, baselineJars, List.of(), List.of(), baseline.resolve("classes"));
                variants.put(before.name(), before);
                variants.put(before.steady().name(), before.steady());
            }
            if (variantNames.contains("apache")) {
                variants.put("apache", layout("apache", "dev.ssmauditor.handler.ApacheClientAuditHandler::handleRequest",
                        runtimeJars, jarsOf("software.amazon.awssdk.http.apache.ApacheHttpClient", "org.apache.http.client.HttpClient",
                                "org.apache.http.HttpRequest", "org.apache.commons.logging.Log", "org.apache.commons.codec.Encoder"),
                        List.of("dev/ssmauditor/handler/ApacheClientAuditHandler.class")));
            }
            if (variantNames.contains("crt")) {
                variants.put("crt", layout("crt", "dev.ssmauditor.handler.CrtClientAuditHandler::handleRequest", runtimeJars,
                        jarsOf("software.amazon.awssdk.http.crt.AwsCrtHttpClient", "software.amazon.awssdk.crt.CRT",
                                "software.amazon.awssdk.crtcore.CrtConfigurationUtils"),
                        List.of("dev/ssmauditor/handler/CrtClientAuditHandler.class")));
            }
            Variant floor = layout("floor", TRIVIAL_HANDLER, jarsOf("com.amazonaws.services.lambda.runtime.RequestStreamHandler"),
                    List.of(), List.of("dev/ssmauditor/bench/TrivialHandler.class"));

            sessions(1_000, 3);
            line("Cold start, " + runs + " runs after 1 warm-up each, " + javaCommand + " ("
                    + System.getProperty("java.vm.version") + "), " + Runtime.getRuntime().availableProcessors() + " cores");
            line("JVM flags: " + String.join(" ", JVM_FLAGS));
            line("");
            line("| variant | wall ms median (min-max) | ratio to floor | init ms | invoke ms | CPU ms | peak RSS MiB | artifact MB (zip) |");
            line("| --- | --- | --- | --- | --- | --- | --- | --- |");
            Map<String, List<Run>> results = new LinkedHashMap<>();
            for (String name : List.of("floor")) {
                results.put(name, new ArrayList<>());
            }
            variants.keySet().forEach(name -> results.put(name, new ArrayList<>()));
            // Interleaved, so that drift on the machine hits every variant alike.
            cold(floor);
            variants.values().forEach(v -> cold(v));
            for (int i = 0; i < runs; i++) {
                results.get("floor").add(cold(floor));
                for (Variant v : variants.values()) {
                    if (!v.alerting()) {
                        cold(v); // a run that fills the ledger: the measured one after it has nothing new
                    }
                    results.get(v.name()).add(cold(v));
                }
            }
            double floorWall = median(results.get("floor"), Run::wallMs);
            row(floor, results.get("floor"), floorWall);
            for (Variant v : variants.values()) {
                row(v, results.get(v.name()), floorWall);
            }
            List<Run> eventRuns = results.get(events.name());
            line("");
            line(String.format(Locale.ROOT, "StartSession event function, cold: from the event handed to the runtime to SNS "
                            + "accepting the alert, median %.0f ms (min %.0f, max %.0f); JVM launch to SNS accepting it %.0f ms",
                    median(eventRuns, Run::eventToSnsMs), min(eventRuns, Run::eventToSnsMs), max(eventRuns, Run::eventToSnsMs),
                    // The event is handed out as soon as the runtime client first asks, at the end of init.
                    median(eventRuns, r -> r.initMs() + r.eventToSnsMs())));
            line("");
            warm(base, 10_000, 10);
            double eventPath = warmEvents(events, 200);
            referenceCalls(200, eventPath);
            Files.writeString(target.resolve("bench-report.md"), String.join("\n", report) + "\n");
        } finally {
            aws.afterEach(null);
            dynamo.close();
        }
    }

    /** An empty ledger table: the next run alerts as a first run does. */
    private void newLedger() {
        table = "ledger-" + (++tables);
        dynamo.createTable(table);
    }

    private void row(Variant v, List<Run> runs, double floorWall) {
        double wall = median(runs, Run::wallMs);
        double init = median(runs, Run::initMs);
        line(String.format(Locale.ROOT, "| %s | %.0f (%.0f-%.0f) | %.2f | %.0f | %.0f | %.0f | %.1f | %.2f (%.2f) |", v.name(), wall,
                min(runs, Run::wallMs), max(runs, Run::wallMs), wall / floorWall, init, wall - init, median(runs, Run::cpuMs),
                median(runs, Run::rssMib), v.bytes() / 1e6, v.zipBytes() / 1e6));
    }

    /** The sessions the fake SSM serves: {@code total} active, {@code strangers} of them breaking the owner rule. */
    private void sessions(int total, int strangers) {
        sessions(total, strangers, "");
    }

    /** ... with the strangers' session ids prefixed, so that each prefix makes new violations. */
    private void sessions(int total, int strangers, String strangerPrefix) {
        List<ObjectNode> sessions = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            String owner = i < strangers ? "arn:aws:iam::123456789012:user/stranger" + i : ADMIN + "user" + i;
            sessions.add(FakeSsm.session((i < strangers ? strangerPrefix : "") + "user" + i + "-0a1b2c3d4e5f6a7b8", String.format("i-0a1b2c3d4e%07d", i), owner,
                    "SSM-SessionManagerRunShell", T.minusSeconds(600 + i)));
        }
        aws.ssm().setActive(sessions);
        aws.sns().acceptPublishes();
    }

    private Map<String, String> environment(String runtimeApi) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDBENCH");
        env.put("AWS_SECRET_ACCESS_KEY", "bench-secret");
        env.put("AWS_SESSION_TOKEN", "bench-token");
        env.put("AWS_ENDPOINT_URL_SSM", aws.ssmServer().baseUrl());
        env.put("AWS_ENDPOINT_URL_SNS", aws.snsServer().baseUrl());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "ssm-session-auditor");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
        env.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
        env.put("ALERT_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.url());
        env.put("STATE_TABLE", table);
        env.put("EXPECT_START_SESSION_EVENTS", "true");
        env.put("MAX_SESSION_MINUTES", "480");
        env.put("ALLOWED_OWNERS", ADMIN + "*,arn:aws:sts::123456789012:assumed-role/BreakGlass/*");
        env.put("DENIED_TARGETS", "i-0pci*");
        env.put("ALLOWED_DOCUMENTS", "SSM-SessionManagerRunShell,AWS-StartInteractiveCommand");
        env.put("POLICY", "{\"durationLimits\":[{\"owner\":\"arn:aws:sts::123456789012:assumed-role/BreakGlass/*\","
                + "\"maxSessionMinutes\":60}],\"severities\":{\"unexpected-target\":\"CRITICAL\"}}");
        return env;
    }

    private static String event(Instant t) {
        return "{\"version\":\"0\",\"id\":\"bench\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                + "\"account\":\"123456789012\",\"time\":\"" + t + "\",\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{}}";
    }

    private Process start(Variant v, RuntimeApi api, String kind) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaCommand);
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, jarsOf(AWSLambda.class.getName(),
                "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer", "software.amazon.awssdk.utilslite.SdkInternalThreadLocal",
                "com.amazonaws.services.lambda.runtime.Context").stream().map(Path::toString).toList()));
        command.add(AWSLambda.class.getName());
        command.add(v.handler());
        ProcessBuilder pb = new ProcessBuilder(command).directory(v.layout().toFile());
        pb.environment().clear();
        pb.environment().putAll(environment(api.address()));
        pb.redirectErrorStream(true);
        pb.redirectOutput(target.resolve("bench-" + v.name().replaceAll("[^A-Za-z0-9.-]", "_") + "-" + kind + ".log").toFile());
        return pb.start();
    }

    /** One cold invocation in a fresh JVM: launch to response posted. */
    private Run cold(Variant v) {
        if (v.alerting() || table == null) {
            newLedger();
        }
        try (RuntimeApi api = new RuntimeApi()) {
            CompletableFuture<Run> result = new CompletableFuture<>();
            api.enqueue(v.eventPath() ? startSession(++startSessions) : event(T));
            int publishedBefore = aws.sns().acceptedNanos().size();
            long[] startedAt = new long[1];
            Process[] process = new Process[1];
            api.onAnswer(a -> {
                long pid = process[0].pid();
                List<Long> published = aws.sns().acceptedNanos();
                double toSns = published.size() > publishedBefore
                        ? (published.get(publishedBefore) - api.lastHandedOutNanos()) / 1e6 : Double.NaN;
                Run run = new Run((a.nanoTime() - startedAt[0]) / 1e6, (api.firstNextNanos() - startedAt[0]) / 1e6,
                        ProcStats.cpuNanos(pid) / 1e6, ProcStats.peakRssKib(pid) / 1024.0, toSns);
                if (a.error()) {
                    result.completeExceptionally(new IllegalStateException(v.name() + " failed: " + a.body()));
                } else {
                    result.complete(run);
                }
            });
            startedAt[0] = System.nanoTime();
            process[0] = start(v, api, "cold");
            try {
                return result.get(2, TimeUnit.MINUTES);
            } finally {
                process[0].destroyForcibly().waitFor();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cold run of " + v.name() + " failed; see " + target.resolve("bench-" + v.name() + "-cold.log"), e);
        }
    }

    /** Warm invocations over {@code total} sessions in one JVM: the function process's CPU per audit. */
    private void warm(Variant v, int total, int measured) throws Exception {
        newLedger();
        sessions(total, 10, "warm0-");
        int warmUp = 20;
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        try (RuntimeApi api = new RuntimeApi()) {
            List<long[]> marks = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            Process[] process = new Process[1];
            api.onAnswer(a -> {
                synchronized (marks) {
                    marks.add(new long[] {ProcStats.cpuNanos(process[0].pid()), a.nanoTime()});
                    sessions(total, 10, "warm" + marks.size() + "-"); // ten new violations for the next run
                    if (a.error()) {
                        done.completeExceptionally(new IllegalStateException(a.body()));
                    } else if (marks.size() == warmUp + measured + 1) {
                        done.complete(null);
                    } else {
                        api.enqueue(event(T));
                    }
                }
            });
            api.enqueue(event(T));
            process[0] = start(v, api, "warm");
            try {
                done.get(5, TimeUnit.MINUTES);
            } finally {
                process[0].destroyForcibly().waitFor();
            }
            for (int i = warmUp + 1; i < marks.size(); i++) {
                cpu.add((marks.get(i)[0] - marks.get(i - 1)[0]) / 1e6);
                wall.add((marks.get(i)[1] - marks.get(i - 1)[1]) / 1e6);
            }
        }
        line(String.format(Locale.ROOT, "Warm audit of %,d sessions (%d pages, 10 new violations each, claimed, published and marked), %d invocations after %d warm-ups: "
                        + "function process CPU median %.1f ms (min %.1f, max %.1f); wall median %.1f ms, including the local endpoints",
                total, total / 200, measured, warmUp, medianOf(cpu), cpu.stream().min(Double::compare).orElseThrow(),
                cpu.stream().max(Double::compare).orElseThrow(), medianOf(wall)));
    }

    /** A StartSession record of a new session by an IAM user the policy does not allow: one HIGH alert. */
    private static String startSession(int n) {
        return StartSessionEvents.sample().sessionId("bench" + n + "-0a1b2c3d4e5f6a7b8")
                .owner("arn:aws:iam::123456789012:user/bench" + n).target("i-0a1b2c3d4e5f60718").document(null).at(T).toString();
    }

    /**
     * Warm StartSession events in one JVM, each a new violating session: from the event handed to the runtime to SNS
     * accepting its alert, and the function process's CPU per event.
     */
    private double warmEvents(Variant v, int measured) throws Exception {
        newLedger();
        int warmUp = 50;
        List<Double> toSns = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        try (RuntimeApi api = new RuntimeApi()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Process[] process = new Process[1];
            long[] last = {0, 0};
            int[] answers = {0};
            api.onAnswer(a -> {
                List<Long> published = aws.sns().acceptedNanos();
                long cpuNow = ProcStats.cpuNanos(process[0].pid());
                if (answers[0] >= warmUp) {
                    toSns.add((published.get(published.size() - 1) - api.lastHandedOutNanos()) / 1e6);
                    cpu.add((cpuNow - last[0]) / 1e6);
                }
                last[0] = cpuNow;
                answers[0]++;
                if (a.error()) {
                    done.completeExceptionally(new IllegalStateException(a.body()));
                } else if (answers[0] == warmUp + measured) {
                    done.complete(null);
                } else {
                    api.enqueue(startSession(++startSessions));
                }
            });
            api.enqueue(startSession(++startSessions));
            process[0] = start(v, api, "warm");
            try {
                done.get(5, TimeUnit.MINUTES);
            } finally {
                process[0].destroyForcibly().waitFor();
            }
        }
        List<Double> sorted = toSns.stream().sorted().toList();
        line(String.format(Locale.ROOT, "Warm StartSession events, %d after %d warm-ups, each a new violation (a claim, a publish, a mark, "
                        + "a sighting): event handed to the runtime to SNS accepting the alert, median "
                        + "**%.1f ms** (p90 %.1f, min %.1f, max %.1f); function process CPU median %.1f ms per event",
                measured, warmUp, medianOf(toSns), sorted.get((int) Math.floor(sorted.size() * 0.9)), sorted.get(0),
                sorted.get(sorted.size() - 1), medianOf(cpu)));
        return medianOf(toSns);
    }

    /**
     * The reference for the warm event path, in the same run: the two calls on its way to SNS (a conditional PutItem on
     * dynalite, a Publish of an alert-sized message on the local SNS endpoint), made back to back by warm SDK clients
     * in this JVM. What the event path takes beyond it is the function's own.
     */
    private void referenceCalls(int measured, double eventPathMs) {
        newLedger();
        AwsBasicCredentials keys = AwsBasicCredentials.create("AKIDBENCH", "bench-secret");
        try (DynamoDbClient dynamoDb = DynamoDbClient.builder().region(Region.EU_WEST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(keys)).endpointOverride(URI.create(dynamo.url())).build();
             SnsClient sns = SnsClient.builder().region(Region.EU_WEST_1).httpClient(UrlConnectionHttpClient.create())
                     .credentialsProvider(StaticCredentialsProvider.create(keys))
                     .endpointOverride(URI.create(aws.snsServer().baseUrl())).build()) {
            String message = "{\"default\":\"" + "x".repeat(3_000) + "\"}";
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < 50 + measured; i++) {
                long start = System.nanoTime();
                dynamoDb.putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS("reference#" + UUID.randomUUID())))
                        .conditionExpression("attribute_not_exists(pk)"));
                sns.publish(r -> r.topicArn("arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts").message(message)
                        .messageStructure("json").subject("reference"));
                if (i >= 50) {
                    times.add((System.nanoTime() - start) / 1e6);
                }
            }
            double reference = medianOf(times);
            line(String.format(Locale.ROOT, "Reference, same run: a conditional PutItem on dynalite and a Publish on the local SNS "
                    + "endpoint, back to back from warm clients in the benchmark's JVM, median %.1f ms; the warm event path takes "
                    + "%.2f times that (%.1f ms of its own)", reference, eventPathMs / reference, eventPathMs - reference));
        }
    }

    /** A {@code sam build} layout: classes at the top, runtime jars in lib/. Returns its size, raw and zipped. */
    private Variant layout(String name, String handler, List<Path> jars, List<Path> extraJars, List<String> testClasses)
            throws IOException, URISyntaxException {
        return layout(name, handler, jars, extraJars, testClasses, target.resolve("classes"));
    }

    private Variant layout(String name, String handler, List<Path> jars, List<Path> extraJars, List<String> testClasses,
                           Path classes) throws IOException, URISyntaxException {
        Path dir = target.resolve("lambda-" + name.replaceAll("[^A-Za-z0-9.-]", "_"));
        deleteTree(dir);
        Files.createDirectories(dir.resolve("lib"));
        if (!name.equals("floor")) {
            copyTree(classes, dir);
        }
        for (Path jar : jars) {
            Files.copy(jar, dir.resolve("lib").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        for (Path jar : extraJars) {
            Files.copy(jar, dir.resolve("lib").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String c : testClasses) {
            Path to = dir.resolve(c);
            Files.createDirectories(to.getParent());
            Files.copy(target.resolve("test-classes").resolve(c), to, StandardCopyOption.REPLACE_EXISTING);
        }
        long bytes;
        try (Stream<Path> files = Files.walk(dir)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        return new Variant(name, handler, dir, bytes, zipSize(dir), true);
    }

    private static long zipSize(Path dir) throws IOException {
        CountingStream counter = new CountingStream();
        try (ZipOutputStream zip = new ZipOutputStream(counter); Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                zip.putNextEntry(new ZipEntry(dir.relativize(p).toString()));
                Files.copy(p, zip);
                zip.closeEntry();
            }
        }
        return counter.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static List<Path> jarsOf(String... classNames) {
        List<Path> jars = new ArrayList<>();
        for (String name : classNames) {
            try {
                Path p = Path.of(Class.forName(name, false, ColdStartBenchmark.class.getClassLoader())
                        .getProtectionDomain().getCodeSource().getLocation().toURI());
                if (!jars.contains(p)) {
                    jars.add(p);
                }
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException("benchmark needs " + name + " on its classpath", e);
            }
        }
        return jars;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    private void line(String s) {
        System.out.println(s);
        report.add(s);
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        return medianOf(runs.stream().map(r -> f.applyAsDouble(r)).toList());
    }

    private static double min(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).min().orElseThrow();
    }

    private static double max(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).max().orElseThrow();
    }

    private static double medianOf(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
