package dev.ssmauditor.policy;

import java.util.Locale;

/** How bad a violation is; declared from least to most severe so that natural order sorts by severity. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** Parses {@code low}, {@code HIGH}, ... ; throws {@link IllegalArgumentException} naming the valid values. */
    public static Severity parse(String text) {
        if (text != null) {
            for (Severity s : values()) {
                if (s.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a severity; use one of LOW, MEDIUM, HIGH, CRITICAL");
    }
}
