package dev.ssmauditor.sessions;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.policy.Session;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sessions from a saved {@code aws ssm describe-sessions --state Active} output: {@code {"Sessions": [...]}}.
 * Dates may be ISO-8601 strings (the CLI's default) or epoch seconds ({@code cli_timestamp_format = none}).
 */
public final class SnapshotSessionSource implements SessionSource {

    private final Path file;
    private final JsonFactory json;

    public SnapshotSessionSource(Path file, JsonFactory json) {
        this.file = file;
        this.json = json;
    }

    @Override
    public SessionListing activeSessions(PageGate gate) {
        Object root;
        try {
            root = JsonValues.read(json, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SessionListingException("cannot read snapshot " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> doc = JsonValues.object(root);
        if (doc == null || !(doc.get("Sessions") instanceof List<?> list)) {
            throw new SessionListingException("snapshot " + file + " has no \"Sessions\" list; expected the JSON "
                    + "printed by 'aws ssm describe-sessions --state Active'");
        }
        List<Session> sessions = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Map<String, Object> s = JsonValues.object(list.get(i));
            sessions.add(toSession(s == null ? Map.of() : s, i));
        }
        return new SessionListing(sessions, 1);
    }

    /** A snapshot is a picture of the active sessions only. */
    @Override
    public SessionListing endedSessions(Instant from, Instant before, PageGate gate) {
        return new SessionListing(List.of(), 0);
    }

    private Session toSession(Map<String, Object> n, int index) {
        return new Session(
                text(n, "SessionId"),
                text(n, "Target"),
                text(n, "Status"),
                date(n, "StartDate", index),
                date(n, "EndDate", index),
                text(n, "DocumentName"),
                OwnerNormaliser.normalise(text(n, "Owner")),
                text(n, "Reason"),
                text(n, "MaxSessionDuration"),
                text(n, "AccessType"));
    }

    private static String text(Map<String, Object> n, String field) {
        Object v = n.get(field);
        return v == null || v instanceof Map || v instanceof List ? null : v.toString();
    }

    private Instant date(Map<String, Object> n, String field, int index) {
        Object v = n.get(field);
        if (v == null) {
            return null;
        }
        try {
            if (v instanceof Number number) {
                BigDecimal seconds = new BigDecimal(number.toString());
                return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            }
            return OffsetDateTime.parse(v.toString()).toInstant();
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new SessionListingException("snapshot " + file + ": Sessions[" + index + "]." + field + " '" + v
                    + "' is not an ISO-8601 date with offset (2026-11-30T08:00:00+00:00) or epoch seconds", e);
        }
    }
}
