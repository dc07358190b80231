package dev.ssmauditor.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.policy.Session;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Sessions from a saved {@code aws ssm describe-sessions --state Active} output: {@code {"Sessions": [...]}}.
 * Dates may be ISO-8601 strings (the CLI's default) or epoch seconds ({@code cli_timestamp_format = none}).
 */
public final class SnapshotSessionSource implements SessionSource {

    private final Path file;
    private final ObjectMapper mapper;

    public SnapshotSessionSource(Path file, ObjectMapper mapper) {
        this.file = file;
        this.mapper = mapper;
    }

    @Override
    public SessionListing activeSessions() {
        JsonNode root;
        try {
            root = mapper.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new SessionListingException("cannot read snapshot " + file + ": " + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("Sessions");
        if (list == null || !list.isArray()) {
            throw new SessionListingException("snapshot " + file + " has no \"Sessions\" list; expected the JSON "
                    + "printed by 'aws ssm describe-sessions --state Active'");
        }
        List<Session> sessions = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            sessions.add(toSession(list.get(i), i));
        }
        return new SessionListing(sessions, 1);
    }

    /** A snapshot is a picture of the active sessions only. */
    @Override
    public SessionListing endedSessions(Instant since) {
        return new SessionListing(List.of(), 0);
    }

    private Session toSession(JsonNode n, int index) {
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

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private Instant date(JsonNode n, String field, int index) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            if (v.isNumber()) {
                BigDecimal seconds = v.decimalValue();
                return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            }
            return OffsetDateTime.parse(v.asText()).toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new SessionListingException("snapshot " + file + ": Sessions[" + index + "]." + field + " '" + v.asText()
                    + "' is not an ISO-8601 date with offset (2026-11-30T08:00:00+00:00) or epoch seconds", e);
        }
    }
}
