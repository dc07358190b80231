package dev.ssmauditor.coverage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One account for a shard worker to audit, every region of it, as the scheduled sweep at {@code referenceTime} would
 * have: {@code {"v":1,"account":"123456789012","name":"Production","referenceTime":"2026-11-30T12:00:00Z"}}.
 */
public record ShardMessage(MemberAccount account, Instant referenceTime) {

    static final int VERSION = 1;

    public String toJson(JsonFactory json) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("account", account.id());
            if (account.name() != null) {
                g.writeStringField("name", account.name());
            }
            g.writeStringField("referenceTime", referenceTime.toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** @throws IllegalArgumentException saying what is wrong with the body */
    public static ShardMessage parse(String body, JsonFactory json) {
        String account = null;
        String name = null;
        String time = null;
        try (JsonParser p = json.createParser(body == null ? "" : body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "account" -> account = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "name" -> name = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "referenceTime" -> time = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (account == null || !account.matches("\\d{12}")) {
            throw new IllegalArgumentException("no 12-digit \"account\"");
        }
        try {
            return new ShardMessage(new MemberAccount(account, name), Instant.parse(String.valueOf(time)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("no ISO-8601 \"referenceTime\"");
        }
    }
}
