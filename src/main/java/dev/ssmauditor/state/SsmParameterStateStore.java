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
import java.util.Map;
import java.util.Optional;

/**
 * The watermark in an SSM Parameter Store parameter the template creates (initial value {@code {}}):
 * {@code {"coveredUntil":"2026-11-30T12:00:00Z","policyFingerprint":"..."}}. A value that cannot be read
 * counts as no state, which alerts every current violation once: a duplicate rather than a gap.
 */
public final class SsmParameterStateStore implements StateStore {

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
            return Optional.of(new AuditState(Instant.parse(coveredUntil), fingerprint));
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
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
