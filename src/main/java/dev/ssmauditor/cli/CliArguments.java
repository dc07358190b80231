package dev.ssmauditor.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** The command line, parsed. Throws {@link UsageException} with the fix for anything it does not understand. */
record CliArguments(Path snapshot, Path envFile, Instant at, boolean publish, boolean json, boolean help) {

    static final String USAGE = """
            usage: ssm-session-auditor [--snapshot FILE] [--env-file FILE] [--at TIME] [--publish] [--json]

              --snapshot FILE  audit a saved 'aws ssm describe-sessions --state Active' output instead of the
                               account (no AWS access needed)
              (no --snapshot)  audit the active sessions of the account and region of your default
                               credentials (AWS_PROFILE, AWS_REGION, ... as for the AWS CLI)
              --env-file FILE  read settings from a 'sam local invoke --env-vars' file (events/env.json);
                               they override the process environment
              --at TIME        judge sessions at this ISO-8601 time instead of now (2026-11-30T12:00:00Z)
              --publish        publish alerts to ALERT_TOPIC_ARN instead of printing them
              --json           print the machine-readable JSON body instead of the email text

            exit status: 0 no violations, 1 violations found, 2 usage, configuration or AWS error
            """;

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static CliArguments parse(String... args) {
        Path snapshot = null;
        Path envFile = null;
        Instant at = null;
        boolean publish = false;
        boolean json = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--snapshot" -> snapshot = Path.of(value(args, ++i, arg));
                case "--env-file" -> envFile = Path.of(value(args, ++i, arg));
                case "--at" -> at = time(value(args, ++i, arg));
                case "--publish" -> publish = true;
                case "--json" -> json = true;
                case "--help", "-h" -> help = true;
                default -> throw new UsageException("unknown argument '" + arg + "'");
            }
        }
        return new CliArguments(snapshot, envFile, at, publish, json, help);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static Instant time(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException("--at '" + text + "' is not an ISO-8601 time with offset, e.g. 2026-11-30T12:00:00Z");
        }
    }
}
