package dev.ssmauditor.policy;

import java.util.List;
import java.util.Optional;

/** A list of globs; an empty list means "this check is off". */
public record PatternList(List<Glob> patterns) {

    public static final PatternList OFF = new PatternList(List.of());

    public PatternList {
        patterns = List.copyOf(patterns);
    }

    public static PatternList of(String... patterns) {
        return new PatternList(java.util.Arrays.stream(patterns).map(Glob::new).toList());
    }

    public boolean isOff() {
        return patterns.isEmpty();
    }

    /** The first pattern that matches the value, if any. */
    public Optional<Glob> firstMatch(String value) {
        return patterns.stream().filter(g -> g.matches(value)).findFirst();
    }

    /** The first pattern that matches the value without regard to case, if any. */
    public Optional<Glob> firstMatchIgnoringCase(String value) {
        return patterns.stream().filter(g -> g.matchesIgnoringCase(value)).findFirst();
    }

    @Override
    public String toString() {
        return String.join(", ", patterns.stream().map(Glob::pattern).toList());
    }
}
