package dev.ssmauditor.alert;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What the auditor did about a session, in words: a sentence for the email, a short phrase for chat (Chatbot and the
 * Slack forwarder share it, so both say the same), and a shorter one for the header of an update. The words hold no
 * markup and, but for the email's detail, no session-supplied text: callers escape what they add around them.
 */
public final class RemediationWords {

    /** Email details are error messages and patterns; a runaway one must not swamp the block. */
    static final int MAX_DETAIL = 300;

    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private RemediationWords() {
    }

    /** The email's {@code Action:} sentence; null when there is nothing to say. */
    static String email(Remediation r, Instant reference) {
        if (r == null || r.isEmpty()) {
            return null;
        }
        if (r.outcome() == null) {
            return "Will be ended by the auditor at " + time(r.terminateAt(), reference) + " if still open";
        }
        return switch (r.outcome()) {
            case TERMINATED -> "Ended by the auditor" + at(r.at(), reference);
            case WOULD_TERMINATE -> "Would be ended by the auditor (dry run: nothing was ended)";
            case EXEMPT -> "Not ended: exempt" + inBrackets(r.detail());
            case ALREADY_ENDED -> "Already over when the auditor came to end it";
            case TERMINATE_FAILED -> "The auditor could not end it" + inBrackets(r.detail()) + "; it tries again on its next run";
        };
    }

    /** The chat phrase, e.g. {@code ended by the auditor at 12:03:05Z}; null when there is nothing to say. */
    public static String chat(Remediation r, Instant reference) {
        if (r == null || r.isEmpty()) {
            return null;
        }
        if (r.outcome() == null) {
            return "ends at " + time(r.terminateAt(), reference) + " if still open";
        }
        return switch (r.outcome()) {
            case TERMINATED -> "ended by the auditor" + at(r.at(), reference);
            case WOULD_TERMINATE -> "would be ended (dry run)";
            case EXEMPT -> "exempt from termination";
            case ALREADY_ENDED -> "already over";
            case TERMINATE_FAILED -> "could not be ended; retried next run";
        };
    }

    /** What an update reports, for the header it replaces the reminder marker in: no times, the body gives them. */
    static String update(Remediation r) {
        if (r == null || r.isEmpty()) {
            return "update";
        }
        if (r.outcome() == null) {
            return "update: to be ended if still open";
        }
        return "update: " + switch (r.outcome()) {
            case TERMINATED -> "ended by the auditor";
            case WOULD_TERMINATE -> "would be ended (dry run)";
            case EXEMPT -> "exempt from termination";
            case ALREADY_ENDED -> "already over";
            case TERMINATE_FAILED -> "could not be ended";
        };
    }

    /**
     * The time of day when {@code t} is on the audit's UTC date (the reader knows which day it is), else the whole
     * instant; the whole instant too when there is no reference to compare with.
     */
    public static String time(Instant t, Instant reference) {
        if (t == null) {
            return "an unknown time";
        }
        if (reference != null && t.atOffset(ZoneOffset.UTC).toLocalDate().equals(reference.atOffset(ZoneOffset.UTC).toLocalDate())) {
            return TIME_OF_DAY.format(t);
        }
        return t.toString();
    }

    private static String at(Instant t, Instant reference) {
        return t == null ? "" : " at " + time(t, reference);
    }

    private static String inBrackets(String detail) {
        if (detail == null || detail.isBlank()) {
            return "";
        }
        String line = SafeText.line(detail);
        return " (" + (line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL - 3) + "...") + ")";
    }
}
