package dev.ssmauditor.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A minimal Lambda Runtime API (2018-06-01) for one function process: hands out queued events on
 * {@code /invocation/next}, and calls back when a response or an error is posted, while the process is
 * still alive and waiting for its next event (so its CPU time and peak RSS can be read then).
 */
final class RuntimeApi implements AutoCloseable {

    record Answer(String requestId, boolean error, String body, long nanoTime) {
    }

    private final HttpServer server;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private volatile Consumer<Answer> onAnswer = a -> { };
    private volatile long firstNext;
    private volatile long lastHandedOut;
    private int ids;

    /** The function's timeout, as the Runtime API's deadline header tells it. */
    private final long timeoutMillis;

    RuntimeApi() throws IOException {
        this(60_000);
    }

    RuntimeApi(long timeoutMillis) throws IOException {
        this.timeoutMillis = timeoutMillis;
        // The JDK's HTTP server leaves Nagle's algorithm on: it writes the headers and the body of an event apart, and the
        // body then waits for the runtime client's delayed ACK (about 40 ms on Linux) before it leaves. Lambda's Runtime
        // API does not make a function wait so; read once, when the server's configuration is first loaded.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "runtime-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/2018-06-01/runtime/", this::handle);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    void enqueue(String event) {
        events.add(event);
    }

    /** When the last event was handed to the function: the moment it entered the runtime. */
    long lastHandedOutNanos() {
        return lastHandedOut;
    }

    /** When the function first asked for an event: its init phase ended then. */
    long firstNextNanos() {
        return firstNext;
    }

    void onAnswer(Consumer<Answer> callback) {
        this.onAnswer = callback;
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        if (path.endsWith("/invocation/next")) {
            if (firstNext == 0) {
                firstNext = System.nanoTime(); // the runtime client asks for work once the handler is constructed
            }
            String event;
            try {
                event = events.poll(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (event == null) {
                x.sendResponseHeaders(500, -1);
                return;
            }
            String id;
            synchronized (this) {
                id = "req-" + (++ids);
            }
            byte[] body = event.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", id);
            x.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + timeoutMillis));
            x.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:eu-west-1:123456789012:function:ssm-session-auditor");
            x.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
            x.getResponseHeaders().add("Content-Type", "application/json");
            lastHandedOut = System.nanoTime();
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        long now = System.nanoTime();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        boolean error = path.endsWith("/error");
        String[] parts = path.split("/");
        String id = path.contains("/invocation/") ? parts[parts.length - 2] : "init";
        onAnswer.accept(new Answer(id, error, body, now));
        x.sendResponseHeaders(202, -1);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
