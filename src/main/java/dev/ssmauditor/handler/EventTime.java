package dev.ssmauditor.handler;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The reference time of a run: the scheduled event's {@code time}, or the clock when the event has none
 * that can be read. Never throws: a malformed event is logged and the audit still runs.
 *
 * @param ignored why the event's time was not used, or null when it was
 */
record EventTime(Instant time, String ignored) {

    /** How far ahead of this function's clock an event's time may be: EventBridge and Lambda clocks differ a little. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    static EventTime of(byte[] event, JsonFactory json, Clock clock) {
        String value;
        try (JsonParser p = json.createParser(event)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new EventTime(clock.instant(), "the event is not a JSON object");
            }
            value = null;
            boolean timeNotString = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                if ("time".equals(name) && value == null) {
                    if (token == JsonToken.VALUE_STRING) {
                        value = p.getText();
                    } else {
                        timeNotString = true;
                    }
                }
                p.skipChildren();
            }
            // Read to the end: a truncated or corrupted event is not trusted for its time either.
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return new EventTime(clock.instant(), "the event is not valid JSON");
            }
            if (timeNotString) {
                return new EventTime(clock.instant(), "the event's time is not a string");
            }
        } catch (IOException e) {
            return new EventTime(clock.instant(), "the event is not valid JSON");
        }
        if (value == null) {
            return new EventTime(clock.instant(), "the event has no time");
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return new EventTime(clock.instant(), "the event's time '" + abbreviate(value) + "' is not an ISO-8601 date");
        }
        // A time in the future would judge sessions at a moment not yet come (and alert long-running sessions early):
        // a schedule never sends one, so it is a hand-made or replayed event.
        Instant now = clock.instant();
        if (time.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            return new EventTime(now, "the event's time " + time + " is in the future");
        }
        return new EventTime(time, null);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
