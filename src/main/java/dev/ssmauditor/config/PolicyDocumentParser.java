package dev.ssmauditor.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.policy.DurationLimit;
import dev.ssmauditor.policy.Glob;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Severity;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code POLICY} document. Every field is optional; a field that is present wins over the
 * matching flat variable. Problems are collected, each prefixed with the JSON path, so one start-up
 * shows all of them. Throws only {@link ConfigException} (through its caller).
 */
final class PolicyDocumentParser {

    static final Set<String> KEYS = Set.of("maxSessionMinutes", "durationLimits", "allowedOwners", "allowedTargets",
            "deniedTargets", "allowedDocuments", "severities", RemediationDocumentParser.REMEDIATION,
            RemediationDocumentParser.EXEMPT_OWNERS, RemediationDocumentParser.EXEMPT_TARGETS);
    private static final Set<String> LIMIT_KEYS = Set.of("owner", "target", "maxSessionMinutes");

    private final JsonFactory json;

    PolicyDocumentParser(JsonFactory json) {
        this.json = json;
    }

    /** What the document says; absent fields are null, except {@code remediation}, which says what it says (maybe nothing). */
    record PolicyDocument(Integer maxSessionMinutes, List<DurationLimit> durationLimits, PatternList allowedOwners,
                          PatternList allowedTargets, PatternList deniedTargets, PatternList allowedDocuments,
                          Map<RuleId, Severity> severities, RemediationDocumentParser.RemediationDocument remediation) {
    }

    PolicyDocument parse(String text, List<String> problems) {
        Object root;
        try {
            root = JsonValues.read(json, text);
        } catch (JsonProcessingException e) {
            // Some failures (nesting or size limits) carry no location.
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String message = e.getOriginalMessage();
            if (message != null && message.startsWith("Duplicate field")) {
                problems.add(where("") + "gives a key twice: " + message.substring("Duplicate field ".length()) + at
                        + "; say each setting once (the last value would otherwise silently win)");
            } else {
                problems.add(where("") + "is not valid JSON (" + message + at + ")");
            }
            return null;
        } catch (IOException | RuntimeException e) {
            problems.add(where("") + "could not be read: " + e.getMessage());
            return null;
        }
        if (!(root instanceof Map<?, ?> map)) {
            problems.add(where("") + "must be a JSON object such as {\"maxSessionMinutes\": 480}");
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) map;
        unknownKeys(doc, KEYS, "", problems);
        return new PolicyDocument(
                minutes(doc.containsKey("maxSessionMinutes"), doc.get("maxSessionMinutes"), "maxSessionMinutes", problems),
                limits(doc.containsKey("durationLimits"), doc.get("durationLimits"), problems),
                patterns(doc, "allowedOwners", problems),
                patterns(doc, "allowedTargets", problems),
                patterns(doc, "deniedTargets", problems),
                patterns(doc, "allowedDocuments", problems),
                severities(doc.containsKey("severities"), doc.get("severities"), problems),
                RemediationDocumentParser.parse(doc, problems));
    }

    static String where(String path) {
        return Settings.POLICY + (path.isEmpty() ? " " : " at " + path + " ");
    }

    static void unknownKeys(Map<String, Object> node, Set<String> known, String path, List<String> problems) {
        for (String name : node.keySet()) {
            if (!known.contains(name)) {
                problems.add(where(path.isEmpty() ? name : path + "." + name) + "is not a known key; known keys are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static Integer minutes(boolean present, Object value, String path, List<String> problems) {
        if (!present) {
            return null;
        }
        if (value instanceof Long l && l >= 1 && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        problems.add(where(path) + "must be a whole number of minutes of at least 1, was " + JsonValues.describe(value));
        return null;
    }

    private static PatternList patterns(Map<String, Object> doc, String path, List<String> problems) {
        return doc.containsKey(path) ? patterns(doc.get(path), path, problems) : null;
    }

    /** A list of patterns found at {@code path}; null (and a problem) when it is not a list. */
    static PatternList patterns(Object value, String path, List<String> problems) {
        if (!(value instanceof List<?> list)) {
            problems.add(where(path) + "must be a list of patterns such as [\"i-0abc*\", \"mi-*\"], was "
                    + JsonValues.describe(value));
            return null;
        }
        List<Glob> globs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Glob glob = glob(list.get(i), path + "[" + i + "]", problems);
            if (glob != null) {
                globs.add(glob);
            }
        }
        return new PatternList(globs);
    }

    private static Glob glob(Object value, String path, List<String> problems) {
        if (!(value instanceof String s) || s.isBlank()) {
            problems.add(where(path) + "must be a non-empty pattern string, was " + JsonValues.describe(value));
            return null;
        }
        return new Glob(s.trim());
    }

    private static List<DurationLimit> limits(boolean present, Object value, List<String> problems) {
        if (!present) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            problems.add(where("durationLimits") + "must be a list of {\"owner\"|\"target\": pattern, \"maxSessionMinutes\": n}");
            return null;
        }
        List<DurationLimit> limits = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "durationLimits[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> raw)) {
                problems.add(where(path) + "must be an object such as {\"owner\": \"arn:aws:sts::*:assumed-role/BreakGlass/*\", \"maxSessionMinutes\": 60}");
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) raw;
            unknownKeys(entry, LIMIT_KEYS, path, problems);
            Glob owner = entry.containsKey("owner") ? glob(entry.get("owner"), path + ".owner", problems) : null;
            Glob target = entry.containsKey("target") ? glob(entry.get("target"), path + ".target", problems) : null;
            Integer minutes = minutes(entry.containsKey("maxSessionMinutes"), entry.get("maxSessionMinutes"),
                    path + ".maxSessionMinutes", problems);
            if (!entry.containsKey("maxSessionMinutes")) {
                problems.add(where(path) + "needs maxSessionMinutes");
            }
            if (!entry.containsKey("owner") && !entry.containsKey("target")) {
                problems.add(where(path) + "needs an owner or a target pattern (or both)");
            }
            if (minutes != null && (owner != null || target != null)) {
                limits.add(new DurationLimit(owner, target, minutes));
            }
        }
        return limits;
    }

    private static Map<RuleId, Severity> severities(boolean present, Object value, List<String> problems) {
        if (!present) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(where("severities") + "must be an object such as {\"long-running\": \"HIGH\"}");
            return null;
        }
        Map<RuleId, Severity> severities = new EnumMap<>(RuleId.class);
        for (Map.Entry<?, ?> field : map.entrySet()) {
            String path = "severities." + field.getKey();
            try {
                RuleId rule = RuleId.fromId((String) field.getKey());
                if (!(field.getValue() instanceof String text)) {
                    problems.add(where(path) + "must be one of LOW, MEDIUM, HIGH, CRITICAL, was " + JsonValues.describe(field.getValue()));
                    continue;
                }
                severities.put(rule, Severity.parse(text));
            } catch (IllegalArgumentException e) {
                problems.add(where(path) + e.getMessage());
            }
        }
        return severities;
    }
}
