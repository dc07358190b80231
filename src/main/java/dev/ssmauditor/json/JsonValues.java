package dev.ssmauditor.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON document into plain Java values (maps, lists, strings, numbers, booleans, null) with
 * jackson-core's streaming parser. The function reads {@code POLICY} at every cold start, and databind's
 * ObjectMapper cost about 130 ms of it on a cold JVM (measured, see the README); this costs almost nothing,
 * and leaving databind out of the artifact saves 1.8 MB.
 * Whole numbers are {@link Long} when they fit, else {@link java.math.BigInteger}; others are {@link Double}.
 */
public final class JsonValues {

    private JsonValues() {
    }

    /** Throws {@link IOException} (Jackson's, with a location) for anything that is not one JSON value. */
    public static Object read(JsonFactory factory, String json) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "no JSON value");
            }
            Object value = value(p);
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected content after the JSON value");
            }
            return value;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + p.currentToken());
        }
    }

    /** The value as a map, or null when it is not a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The value as a list, or an empty list when it is not a JSON array. */
    public static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    /** The value as text when it is a string, else null. */
    public static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    /** How a value is named in an error message. */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return value.toString();
    }
}
