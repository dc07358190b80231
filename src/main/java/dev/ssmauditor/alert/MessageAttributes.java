package dev.ssmauditor.alert;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attributes every alert message carries, for subscription filter policies (which match attributes,
 * whatever the message structure): {@code severity} (String: LOW, MEDIUM, HIGH, CRITICAL) and
 * {@code severityRank} (Number: 1 to 4, for {@code {"severityRank": [{"numeric": [">=", 3]}]}}).
 */
public final class MessageAttributes {

    public static final String SEVERITY = "severity";
    public static final String SEVERITY_RANK = "severityRank";

    private MessageAttributes() {
    }

    /** Attribute name to {type, value}. */
    public static Map<String, String[]> of(AlertMessage m) {
        Map<String, String[]> attributes = new LinkedHashMap<>();
        attributes.put(SEVERITY, new String[] {"String", m.severity().name()});
        attributes.put(SEVERITY_RANK, new String[] {"Number", Integer.toString(rank(m))});
        return attributes;
    }

    static int rank(AlertMessage m) {
        return m.severity().ordinal() + 1;
    }

    /** SNS counts each attribute's name, type and value towards the publish size. */
    static int size(AlertMessage m) {
        int size = 0;
        for (Map.Entry<String, String[]> e : of(m).entrySet()) {
            size += e.getKey().length() + e.getValue()[0].length() + e.getValue()[1].length();
        }
        return size;
    }
}
