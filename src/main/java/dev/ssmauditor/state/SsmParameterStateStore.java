package dev.ssmauditor.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ssmauditor.audit.AuditState;
import dev.ssmauditor.audit.StateStore;
import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The watermark in an SSM Parameter Store parameter the template creates (initial value {@code {}}):
 * {@code {"coveredUntil":"2026-11-30T12:00:00Z","policyFingerprint":"...","recentlyAlerted":["alice-0a1b unexpected-owner"]}}.
 * A value that cannot be read counts as no state, which alerts every current violation once: a duplicate
 * rather than a gap. The value stays under the 4 KB of a standard parameter: recent keys that do not fit are
 * left out, which can only cause a duplicate.
 */
public final class SsmParameterStateStore implements StateStore {

    /** A standard parameter holds 4,096 characters. */
    static final int MAX_VALUE_LENGTH = 4_000;

    private final SsmClient ssm;
    private final String name;
    private final JsonFactory json;
    private final JsonLog log;

    public SsmParameterStateStore(SsmClient ssm, String name, JsonFactory json, JsonLog log) {
        this.ssm = ssm;
        this.name = name;
        this.json = json;
        this.log = log;
    }

    @Override
    public Optional<AuditState> load() {
        String value;
        try {
            value = ssm.getParameter(r -> r.name(name)).parameter().value();
        } catch (ParameterNotFoundException e) {
            log.warn("state parameter not found; alerting every current violation once", Map.of("parameter", name));
            return Optional.empty();
        }
        Optional<AuditState> state = parse(value);
        if (state.isEmpty() && !value.isBlank() && !value.trim().equals("{}")) {
            log.warn("state parameter unreadable; alerting every current violation once", Map.of("parameter", name));
        }
        return state;
    }

    @Override
    public void save(AuditState state) {
        ssm.putParameter(r -> r.name(name).type(ParameterType.STRING).overwrite(true).value(format(state)));
    }

    Optional<AuditState> parse(String value) {
        String coveredUntil = null;
        String fingerprint = null;
        Set<String> recent = new LinkedHashSet<>();
        try (JsonParser p = json.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                if (token == JsonToken.VALUE_STRING && field.equals("coveredUntil")) {
                    coveredUntil = p.getText();
                } else if (token == JsonToken.VALUE_STRING && field.equals("policyFingerprint")) {
                    fingerprint = p.getText();
                } else if (token == JsonToken.START_ARRAY && field.equals("recentlyAlerted")) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            recent.add(p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        if (coveredUntil == null || fingerprint == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AuditState(Instant.parse(coveredUntil), fingerprint, recent));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    String format(AuditState state) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("coveredUntil", state.coveredUntil().toString());
            g.writeStringField("policyFingerprint", state.policyFingerprint());
            g.writeArrayFieldStart("recentlyAlerted");
            int length = 120 + state.policyFingerprint().length();
            for (String key : state.recentlyAlerted()) {
                length += key.length() + 3 + (key.length() / 4); // quotes, comma, room for escapes
                if (length > MAX_VALUE_LENGTH) {
                    break;
                }
                g.writeString(key);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
