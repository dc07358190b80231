package dev.ssmauditor.events;

import dev.ssmauditor.audit.StartedSession;

/**
 * What an EventBridge event turned out to be: a new session to judge, or something to leave alone.
 *
 * @param started the session, or null when the event is ignored
 * @param ignored why the event is ignored (null when it is not), in words for the log line
 * @param malformed true when the event should have been a StartSession record but could not be read as one: logged
 *                  as a warning, while other events ignored (reconnections, refused calls, other events) are routine
 * @param eventName CloudTrail's {@code eventName}, when there is one
 * @param eventId CloudTrail's {@code eventID} (or EventBridge's {@code id}), to find the record
 */
public record ParsedEvent(StartedSession started, String ignored, boolean malformed, String eventName, String eventId,
                          String errorCode) {

    static ParsedEvent ignored(String reason, boolean malformed, String eventName, String eventId, String errorCode) {
        return new ParsedEvent(null, reason, malformed, eventName, eventId, errorCode);
    }
}
