package dev.ssmauditor.log;

import java.util.Locale;

/** Levels as Lambda's {@code AWS_LAMBDA_LOG_LEVEL} names them. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, FATAL;

    /** Unset or unknown means INFO: an auditor should not go quiet because of a typo. */
    public static LogLevel fromEnvironment(String value) {
        if (value != null) {
            for (LogLevel level : values()) {
                if (level.name().equals(value.trim().toUpperCase(Locale.ROOT))) {
                    return level;
                }
            }
        }
        return INFO;
    }
}
