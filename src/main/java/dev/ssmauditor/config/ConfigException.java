package dev.ssmauditor.config;

import java.util.List;

/**
 * Bad configuration, found at start-up. The message names every setting that is wrong, what is wrong
 * with it and how to fix it, one problem per line; this is the only exception the configuration code throws.
 */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.size() == 1
                ? "Invalid configuration: " + problems.get(0)
                : "Invalid configuration (" + problems.size() + " problems):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
