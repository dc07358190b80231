package dev.ssmauditor.alert;

/**
 * Session fields are written by whoever starts a session ({@code Reason} is free text, and owners and targets
 * come from the API call), so they are made harmless before they reach people: no control or bidirectional
 * characters in plain text (they can forge lines or reorder what is read), and no chat markup (a reason of
 * {@code <!channel>} must not page a whole Slack channel, nor {@code <https://evil|Approve>} show as a link).
 */
public final class SafeText {

    private SafeText() {
    }

    /** One line of plain text: line breaks and tabs become spaces, other control and bidi characters {@code ?}. */
    public static String line(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char r = c == '\n' || c == '\r' || c == '\t' ? ' ' : unsafe(c) ? '?' : c;
            if (r != c && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (b != null) {
                b.append(r);
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * Text for Slack mrkdwn and Chatbot's client-markdown: plain {@link #line}, then the three characters Slack says
     * to escape ({@code & < >}: mentions and links are written inside angle brackets) and backticks, which would
     * close a code span.
     */
    public static String chat(String s) {
        if (s == null) {
            return null;
        }
        String text = line(s);
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '`' -> b.append('\'');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean unsafe(char c) {
        return Character.isISOControl(c)
                || c == '\u200E' || c == '\u200F' || c == '\u061C'            // directional marks
                || (c >= '\u202A' && c <= '\u202E')                            // embeddings and overrides
                || (c >= '\u2066' && c <= '\u2069')                            // isolates
                || c == '\u2028' || c == '\u2029';                             // line and paragraph separators
    }
}
