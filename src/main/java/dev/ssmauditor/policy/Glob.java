package dev.ssmauditor.policy;

import java.util.Objects;

/**
 * A glob over a whole value: {@code *} matches any run of characters (including {@code /} and {@code :}),
 * {@code ?} exactly one; everything else matches itself, case-sensitively unless asked otherwise. Matching is iterative with a
 * single backtrack point, so no pattern can make it exponential (unlike a regex built from user input).
 */
public record Glob(String pattern) {

    public Glob {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a pattern must not be empty");
        }
    }

    public boolean matches(String value) {
        return matches(value, false);
    }

    /** As {@link #matches(String)}, letters compared without regard to case (deny lists: {@code i-0PCI*} denies {@code i-0pci...}). */
    public boolean matchesIgnoringCase(String value) {
        return matches(value, true);
    }

    private boolean matches(String value, boolean ignoreCase) {
        if (value == null) {
            return false;
        }
        int p = 0;
        int v = 0;
        int starP = -1;
        int starV = 0;
        while (v < value.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || same(pattern.charAt(p), value.charAt(v), ignoreCase))) {
                p++;
                v++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = p++;
                starV = v;
            } else if (starP >= 0) {
                p = starP + 1;
                v = ++starV;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private static boolean same(char a, char b, boolean ignoreCase) {
        return a == b || (ignoreCase && (Character.toUpperCase(a) == Character.toUpperCase(b)
                || Character.toLowerCase(a) == Character.toLowerCase(b)));
    }

    @Override
    public String toString() {
        return pattern;
    }
}
