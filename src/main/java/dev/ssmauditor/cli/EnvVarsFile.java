package dev.ssmauditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a {@code sam local invoke --env-vars} file: {@code {"Parameters": {...}, "FunctionName": {...}}}.
 * Global {@code Parameters} first, then every function section, so one file serves the CLI and SAM alike.
 */
final class EnvVarsFile {

    private EnvVarsFile() {
    }

    static Map<String, String> read(Path file, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CliArguments.UsageException("--env-file " + file + " cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CliArguments.UsageException("--env-file " + file + " must be a JSON object such as "
                    + "{\"AuditFunction\": {\"MAX_SESSION_MINUTES\": \"480\"}}");
        }
        Map<String, String> env = new HashMap<>();
        addSection(root.get("Parameters"), env);
        Iterator<Map.Entry<String, JsonNode>> sections = root.fields();
        while (sections.hasNext()) {
            Map.Entry<String, JsonNode> section = sections.next();
            if (!section.getKey().equals("Parameters")) {
                addSection(section.getValue(), env);
            }
        }
        return env;
    }

    private static void addSection(JsonNode section, Map<String, String> env) {
        if (section == null || !section.isObject()) {
            return;
        }
        section.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue()
                : e.getValue().toString()));
    }
}
