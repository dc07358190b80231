package dev.ssmauditor.events;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.Detection;
import dev.ssmauditor.audit.StartedSession;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.sessions.OwnerNormaliser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a CloudTrail {@code StartSession} record as EventBridge delivers it ({@code source} {@code aws.ssm},
 * {@code detail-type} "AWS API Call via CloudTrail"). Never throws: anything else (another call such as
 * {@code ResumeSession}, a refused call, another kind of event, broken JSON) comes back as ignored, with the reason.
 *
 * <p>The account and region are the record's ({@code recipientAccountId}, {@code awsRegion}), so one function can
 * serve a bus that receives the events of many accounts. The document is the default shell when the call named none,
 * as Session Manager does.
 */
public final class StartSessionEventParser {

    static final String SOURCE = "aws.ssm";
    static final String DETAIL_TYPE = "AWS API Call via CloudTrail";
    static final String EVENT_SOURCE = "ssm.amazonaws.com";
    static final String DEFAULT_DOCUMENT = "SSM-SessionManagerRunShell";
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    /** CloudTrail times are of this millennium; anything else is a broken record, not a session to date. */
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final JsonFactory json;

    public StartSessionEventParser(JsonFactory json) {
        this.json = json;
    }

    public ParsedEvent parse(byte[] event) {
        Map<String, Object> top;
        try {
            top = JsonValues.object(JsonValues.read(json, new String(event, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            String problem = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            return ParsedEvent.ignored("the event is not valid JSON (" + problem + ")", true, null, null, null);
        }
        if (top == null) {
            return ParsedEvent.ignored("the event is not a JSON object", true, null, null, null);
        }
        String source = JsonValues.text(top.get("source"));
        String detailType = JsonValues.text(top.get("detail-type"));
        String id = JsonValues.text(top.get("id"));
        if (!SOURCE.equals(source) || !DETAIL_TYPE.equals(detailType)) {
            return ParsedEvent.ignored("not a CloudTrail record of Systems Manager (source " + quoted(source) + ", detail-type "
                    + quoted(detailType) + "); the rule should send only StartSession calls", false, null, id, null);
        }
        Map<String, Object> detail = JsonValues.object(top.get("detail"));
        if (detail == null) {
            return ParsedEvent.ignored("the record has no detail object", true, null, id, null);
        }
        String eventId = orElse(JsonValues.text(detail.get("eventID")), id);
        String eventName = JsonValues.text(detail.get("eventName"));
        if (!EVENT_SOURCE.equals(JsonValues.text(detail.get("eventSource")))) {
            return ParsedEvent.ignored("eventSource " + quoted(JsonValues.text(detail.get("eventSource"))) + " is not "
                    + EVENT_SOURCE, false, eventName, eventId, null);
        }
        if ("ResumeSession".equals(eventName)) {
            return ParsedEvent.ignored("ResumeSession reconnects a session that already started (the plugin does so about "
                    + "hourly); it was judged when it started", false, eventName, eventId, null);
        }
        if (!"StartSession".equals(eventName)) {
            return ParsedEvent.ignored("eventName " + quoted(eventName) + " is not StartSession", false, eventName, eventId, null);
        }
        String errorCode = text(detail.get("errorCode"));
        if (errorCode != null) {
            String message = text(detail.get("errorMessage"));
            return ParsedEvent.ignored("the StartSession call was refused (" + errorCode + (message == null ? "" : ": " + message)
                    + "); no session started", false, eventName, eventId, errorCode);
        }
        Map<String, Object> response = JsonValues.object(detail.get("responseElements"));
        Map<String, Object> request = JsonValues.object(detail.get("requestParameters"));
        Map<String, Object> identity = JsonValues.object(detail.get("userIdentity"));
        String sessionId = response == null ? null : text(response.get("sessionId"));
        String account = orElse(text(detail.get("recipientAccountId")), text(top.get("account")));
        String region = orElse(text(detail.get("awsRegion")), text(top.get("region")));
        if (sessionId == null) {
            return ParsedEvent.ignored("the record has no responseElements.sessionId (truncated?); the sweep judges the "
                    + "session", true, eventName, eventId, null);
        }
        if (account == null || !ACCOUNT.matcher(account).matches() || region == null || !REGION.matcher(region).matches()) {
            return ParsedEvent.ignored("the record names no valid account (" + quoted(account) + ") or region (" + quoted(region)
                    + ")", true, eventName, eventId, null);
        }
        List<String> missing = new ArrayList<>();
        Instant time = time(text(detail.get("eventTime")));
        if (time == null) {
            time = time(text(top.get("time")));
        }
        if (time == null) {
            missing.add("eventTime");
        }
        String owner = OwnerNormaliser.normalise(identity == null ? null : text(identity.get("arn")));
        if (owner == null) {
            missing.add("userIdentity.arn");
        }
        String target = request == null ? null : text(request.get("target"));
        if (target == null) {
            missing.add("requestParameters.target");
        }
        String document = request == null ? null : document(text(request.get("documentName")));
        String reason = request == null ? null : text(request.get("reason"));
        Session session = Session.withId(sessionId).target(target).startDate(time).owner(owner)
                .documentName(document == null ? DEFAULT_DOCUMENT : document).reason(reason);
        Detection detection = Detection.event(text(detail.get("sourceIPAddress")), text(detail.get("userAgent")));
        return new ParsedEvent(new StartedSession(account, region, session, time, detection,
                missing.isEmpty() ? null : String.join(", ", missing)), null, false, eventName, eventId, null);
    }

    /** StartSession takes a document name or its ARN; DescribeSessions and the policy speak of names. */
    static String document(String value) {
        if (value == null) {
            return null;
        }
        int slash = value.indexOf(":document/");
        return value.startsWith("arn:") && slash > 0 ? value.substring(slash + ":document/".length()) : value;
    }

    private static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            Instant t = OffsetDateTime.parse(value).toInstant();
            return t.isBefore(EARLIEST) || t.isAfter(LATEST) ? null : t;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A non-blank string, trimmed; null otherwise. */
    private static String text(Object value) {
        String s = JsonValues.text(value);
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private static String quoted(String s) {
        return s == null ? "none" : "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
    }
}
