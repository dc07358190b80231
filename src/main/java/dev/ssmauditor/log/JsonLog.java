package dev.ssmauditor.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One JSON object per line on standard output. In Lambda each line becomes one CloudWatch Logs event that
 * Logs Insights parses as JSON, and a line carrying an {@code _aws} block is read as an Embedded Metric
 * Format record. (Lambda's own logger would wrap the line inside a {@code message} string, hiding both.)
 * Values may be strings, numbers, booleans, null, or nested maps.
 */
public final class JsonLog {

    private final PrintStream out;
    private final LogLevel threshold;
    private final JsonFactory json;
    private volatile String requestId;
    /** The log this one adds its context to; null for a root log. It keeps the request id. */
    private final JsonLog parent;
    private final Map<String, ?> context;

    public JsonLog(PrintStream out, LogLevel threshold, JsonFactory json) {
        this(out, threshold, json, null, Map.of());
    }

    private JsonLog(PrintStream out, LogLevel threshold, JsonFactory json, JsonLog parent, Map<String, ?> context) {
        this.out = out;
        this.threshold = threshold;
        this.json = json;
        this.parent = parent;
        this.context = context;
    }

    /**
     * A log whose every line also carries these fields (first, unless a line sets them itself): the organisation sweep
     * gives each account-region one, since their lines interleave.
     */
    public JsonLog with(Map<String, ?> fields) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(context);
        merged.putAll(fields);
        return new JsonLog(out, threshold, json, parent == null ? this : parent, merged);
    }

    /** Fields in the order given (Map.of has none, and log lines should read the same every time). */
    public static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    /**
     * The Lambda request id every line carries from now on (one invocation at a time runs in an execution
     * environment), so that an operator can pick one run's lines out of a log stream; null for none.
     */
    public void requestId(String id) {
        if (parent != null) {
            parent.requestId(id);
        } else {
            this.requestId = id;
        }
    }

    public boolean enabled(LogLevel level) {
        return level.compareTo(threshold) >= 0;
    }

    public void info(String message, Map<String, ?> fields) {
        log(LogLevel.INFO, message, fields);
    }

    public void warn(String message, Map<String, ?> fields) {
        log(LogLevel.WARN, message, fields);
    }

    public void error(String message, Map<String, ?> fields) {
        log(LogLevel.ERROR, message, fields);
    }

    public void log(LogLevel level, String message, Map<String, ?> fields) {
        if (!enabled(level)) {
            return;
        }
        StringWriter line = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("level", level.name());
            g.writeStringField("message", message);
            String id = parent == null ? requestId : parent.requestId;
            if (id != null) {
                g.writeStringField("requestId", id);
            }
            if (!context.isEmpty()) {
                Map<String, Object> all = new java.util.LinkedHashMap<>(context);
                all.putAll(fields);
                writeFields(g, all);
            } else {
                writeFields(g, fields);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println(line);
    }

    private static void writeFields(JsonGenerator g, Map<String, ?> fields) throws IOException {
        for (Map.Entry<String, ?> f : fields.entrySet()) {
            g.writeFieldName(f.getKey());
            writeValue(g, f.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            writeFields(g, (Map<String, ?>) m);
            g.writeEndObject();
        } else if (v instanceof Iterable<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString(v.toString());
        }
    }
}
