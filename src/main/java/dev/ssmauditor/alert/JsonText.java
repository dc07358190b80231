package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Small helpers over Jackson's streaming generator. Alerts are written with jackson-core only: it is
 * what the hot path of a cold start can afford (no databind, no reflection).
 */
final class JsonText {

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private final JsonFactory factory;

    JsonText(JsonFactory factory) {
        this.factory = factory;
    }

    String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** The UTF-8 size of {@code s} once written as a JSON string value, without the quotes. */
    int quotedSize(String s) {
        String quoted = write(g -> g.writeString(s));
        return utf8Length(quoted) - 2;
    }

    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }
}
