package dev.ssmauditor.alert;

/**
 * Which path found a violation: the scheduled sweep (DescribeSessions), or the session's own {@code StartSession}
 * call, reported by CloudTrail through EventBridge, which also says where the call came from.
 *
 * @param path {@code sweep} or {@code event}, as the {@code detectedBy} field of the JSON body
 * @param sourceIp the caller's address as CloudTrail records it ({@code sourceIPAddress}; an AWS service's name
 *                 when a service called on the user's behalf); null when unknown
 * @param userAgent the caller's user agent ({@code userAgent}); null when unknown
 */
public record Detection(String path, String sourceIp, String userAgent) {

    public static final Detection SWEEP = new Detection("sweep", null, null);

    public static Detection event(String sourceIp, String userAgent) {
        return new Detection("event", sourceIp, userAgent);
    }

    public boolean byEvent() {
        return "event".equals(path);
    }
}
