package dev.ssmauditor.cli;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.json.JsonValues;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a {@code sam local invoke --env-vars} file: {@code {"Parameters": {...}, "FunctionName": {...}}}.
 * Global {@code Parameters} first, then every function section, so one file serves the CLI and SAM alike.
 */
final class EnvVarsFile {

    private EnvVarsFile() {
    }

    static Map<String, String> read(Path file, JsonFactory json) {
        Map<String, Object> root;
        try {
            root = JsonValues.object(JsonValues.read(json, Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new CliArguments.UsageException("--env-file " + file + " cannot be read: " + e.getMessage());
        }
        if (root == null) {
            throw new CliArguments.UsageException("--env-file " + file + " must be a JSON object such as "
                    + "{\"AuditFunction\": {\"MAX_SESSION_MINUTES\": \"480\"}}");
        }
        Map<String, String> env = new HashMap<>();
        addSection(root.get("Parameters"), env);
        root.forEach((name, section) -> {
            if (!name.equals("Parameters")) {
                addSection(section, env);
            }
        });
        return env;
    }

    private static void addSection(Object section, Map<String, String> env) {
        Map<String, Object> variables = JsonValues.object(section);
        if (variables != null) {
            variables.forEach((name, value) -> env.put(name, value == null ? "" : value.toString()));
        }
    }
}
