package dev.ssmauditor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * CloudTrail {@code StartSession} records as EventBridge delivers them, made from the bundled sample
 * ({@code events/start-session-event.json}) with the fields a test cares about changed.
 */
public final class StartSessionEvents {

    public static final Path SAMPLE = Path.of("events", "start-session-event.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode event;

    private StartSessionEvents(ObjectNode event) {
        this.event = event;
    }

    /** The sample: alice (an SSO admin) port-forwarding to the database host i-0db5e1a2b3c4d5e6f. */
    public static StartSessionEvents sample() {
        try {
            return new StartSessionEvents((ObjectNode) JSON.readTree(Files.readString(SAMPLE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ObjectNode detail() {
        return (ObjectNode) event.get("detail");
    }

    public StartSessionEvents sessionId(String id) {
        ((ObjectNode) detail().get("responseElements")).put("sessionId", id);
        return this;
    }

    public StartSessionEvents target(String target) {
        ((ObjectNode) detail().get("requestParameters")).put("target", target);
        return this;
    }

    public StartSessionEvents owner(String arn) {
        ((ObjectNode) detail().get("userIdentity")).put("arn", arn);
        return this;
    }

    /** null for the default shell: the call then names no document. */
    public StartSessionEvents document(String name) {
        ObjectNode request = (ObjectNode) detail().get("requestParameters");
        if (name == null) {
            request.remove("documentName");
            request.remove("parameters");
        } else {
            request.put("documentName", name);
        }
        return this;
    }

    public StartSessionEvents at(Instant time) {
        event.put("time", time.toString());
        detail().put("eventTime", time.toString());
        return this;
    }

    public StartSessionEvents account(String account) {
        event.put("account", account);
        detail().put("recipientAccountId", account);
        return this;
    }

    public StartSessionEvents eventName(String name) {
        detail().put("eventName", name);
        return this;
    }

    public StartSessionEvents put(String field, String value) {
        detail().put(field, value);
        return this;
    }

    public StartSessionEvents remove(String field) {
        detail().remove(field);
        return this;
    }

    public ObjectNode json() {
        return event;
    }

    public byte[] bytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return event.toString();
    }
}
