package dev.ssmauditor.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.policy.DurationLimit;
import dev.ssmauditor.policy.Glob;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code POLICY} document. Every field is optional; a field that is present wins over the
 * matching flat variable. Problems are collected, each prefixed with the JSON path, so one start-up
 * shows all of them. Throws only {@link ConfigException}.
 */
final class PolicyDocumentParser {

    static final Set<String> KEYS = Set.of("maxSessionMinutes", "durationLimits", "allowedOwners", "allowedTargets",
            "deniedTargets", "allowedDocuments", "severities");
    private static final Set<String> LIMIT_KEYS = Set.of("owner", "target", "maxSessionMinutes");

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What the document says; absent fields are null. */
    record PolicyDocument(Integer maxSessionMinutes, List<DurationLimit> durationLimits, PatternList allowedOwners,
                          PatternList allowedTargets, PatternList deniedTargets, PatternList allowedDocuments,
                          Map<RuleId, Severity> severities) {
    }

    PolicyDocument parse(String json, List<String> problems) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            // Some failures (nesting or size limits) carry no location.
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            problems.add(where("") + "is not valid JSON (" + e.getOriginalMessage() + at + ")");
            return null;
        } catch (RuntimeException e) {
            problems.add(where("") + "could not be read: " + e.getMessage());
            return null;
        }
        if (root == null || !root.isObject()) {
            problems.add(where("") + "must be a JSON object such as {\"maxSessionMinutes\": 480}");
            return null;
        }
        unknownKeys(root, KEYS, "", problems);
        return new PolicyDocument(
                minutes(root.get("maxSessionMinutes"), "maxSessionMinutes", problems),
                limits(root.get("durationLimits"), problems),
                patterns(root.get("allowedOwners"), "allowedOwners", problems),
                patterns(root.get("allowedTargets"), "allowedTargets", problems),
                patterns(root.get("deniedTargets"), "deniedTargets", problems),
                patterns(root.get("allowedDocuments"), "allowedDocuments", problems),
                severities(root.get("severities"), problems));
    }

    private static String where(String path) {
        return Settings.POLICY + (path.isEmpty() ? " " : " at " + path + " ");
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String path, List<String> problems) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(where(path.isEmpty() ? name : path + "." + name) + "is not a known key; known keys are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static Integer minutes(JsonNode node, String path, List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            problems.add(where(path) + "must be a whole number of minutes of at least 1, was " + node);
            return null;
        }
        return node.intValue();
    }

    private static PatternList patterns(JsonNode node, String path, List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            problems.add(where(path) + "must be a list of patterns such as [\"i-0abc*\", \"mi-*\"], was " + node.getNodeType());
            return null;
        }
        List<Glob> globs = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            Glob glob = glob(node.get(i), path + "[" + i + "]", problems);
            if (glob != null) {
                globs.add(glob);
            }
        }
        return new PatternList(globs);
    }

    private static Glob glob(JsonNode node, String path, List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            problems.add(where(path) + "must be a non-empty pattern string, was " + (node.isTextual() ? "\"" + node.textValue() + "\"" : node));
            return null;
        }
        return new Glob(node.textValue().trim());
    }

    private static List<DurationLimit> limits(JsonNode node, List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            problems.add(where("durationLimits") + "must be a list of {\"owner\"|\"target\": pattern, \"maxSessionMinutes\": n}");
            return null;
        }
        List<DurationLimit> limits = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "durationLimits[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                problems.add(where(path) + "must be an object such as {\"owner\": \"arn:aws:sts::*:assumed-role/BreakGlass/*\", \"maxSessionMinutes\": 60}");
                continue;
            }
            unknownKeys(entry, LIMIT_KEYS, path, problems);
            Glob owner = glob(entry.get("owner"), path + ".owner", problems);
            Glob target = glob(entry.get("target"), path + ".target", problems);
            JsonNode minutesNode = entry.get("maxSessionMinutes");
            Integer minutes = minutes(minutesNode, path + ".maxSessionMinutes", problems);
            if (minutesNode == null) {
                problems.add(where(path) + "needs maxSessionMinutes");
            }
            if (entry.get("owner") == null && entry.get("target") == null) {
                problems.add(where(path) + "needs an owner or a target pattern (or both)");
            }
            if (minutes != null && (owner != null || target != null)) {
                limits.add(new DurationLimit(owner, target, minutes));
            }
        }
        return limits;
    }

    private static Map<RuleId, Severity> severities(JsonNode node, List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(where("severities") + "must be an object such as {\"long-running\": \"HIGH\"}");
            return null;
        }
        Map<RuleId, Severity> severities = new EnumMap<>(RuleId.class);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = "severities." + field.getKey();
            try {
                RuleId rule = RuleId.fromId(field.getKey());
                if (!field.getValue().isTextual()) {
                    problems.add(where(path) + "must be one of LOW, MEDIUM, HIGH, CRITICAL, was " + field.getValue());
                    continue;
                }
                severities.put(rule, Severity.parse(field.getValue().textValue()));
            } catch (IllegalArgumentException e) {
                problems.add(where(path) + e.getMessage());
            }
        }
        return severities;
    }
}
