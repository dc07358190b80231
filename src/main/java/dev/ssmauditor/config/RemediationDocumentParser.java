package dev.ssmauditor.config;

import dev.ssmauditor.json.JsonValues;
import dev.ssmauditor.policy.PatternList;
import dev.ssmauditor.policy.RuleId;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ssmauditor.config.PolicyDocumentParser.where;

/**
 * Reads what the {@code POLICY} document says about ending sessions: its {@code remediation} object, and the exempt
 * lists, which are also accepted at the top level of the document (the issue can be read either way). Problems are
 * collected like the rest of the document's, each prefixed with its JSON path.
 */
final class RemediationDocumentParser {

    static final String REMEDIATION = "remediation";
    static final String EXEMPT_OWNERS = "exemptOwners";
    static final String EXEMPT_TARGETS = "exemptTargets";
    private static final String TERMINATE = "terminate";
    private static final String GRACE_MINUTES = "graceMinutes";
    private static final Set<String> RULE_KEYS = Set.of(TERMINATE, GRACE_MINUTES);
    private static final Set<String> KEYS = keys();

    private RemediationDocumentParser() {
    }

    /** What the document says about one rule; a null field is one it does not mention. */
    record RuleRemediation(Boolean terminate, Integer graceMinutes) {
    }

    /**
     * What the document says about ending sessions: the rules it names, and the exempt lists (null when not given,
     * wherever they may be given).
     */
    record RemediationDocument(Map<RuleId, RuleRemediation> rules, PatternList exemptOwners, PatternList exemptTargets) {

        RemediationDocument {
            rules = Map.copyOf(rules);
        }
    }

    static RemediationDocument parse(Map<String, Object> doc, List<String> problems) {
        Map<String, Object> remediation = null;
        Map<RuleId, RuleRemediation> rules = new EnumMap<>(RuleId.class);
        if (doc.containsKey(REMEDIATION)) {
            remediation = JsonValues.object(doc.get(REMEDIATION));
            if (remediation == null) {
                problems.add(where(REMEDIATION) + "must be an object such as {\"long-running\": {\"terminate\": true, "
                        + "\"graceMinutes\": 30}, \"unexpected-target\": true}, was " + JsonValues.describe(doc.get(REMEDIATION)));
            } else {
                PolicyDocumentParser.unknownKeys(remediation, KEYS, REMEDIATION, problems);
                for (RuleId rule : RuleId.values()) {
                    if (remediation.containsKey(rule.id())) {
                        RuleRemediation said = rule(rule, remediation.get(rule.id()), problems);
                        if (said != null) {
                            rules.put(rule, said);
                        }
                    }
                }
            }
        }
        return new RemediationDocument(rules, exempt(EXEMPT_OWNERS, doc, remediation, problems),
                exempt(EXEMPT_TARGETS, doc, remediation, problems));
    }

    private static Set<String> keys() {
        Set<String> keys = new HashSet<>(Set.of(EXEMPT_OWNERS, EXEMPT_TARGETS));
        for (RuleId rule : RuleId.values()) {
            keys.add(rule.id());
        }
        return Set.copyOf(keys);
    }

    private static RuleRemediation rule(RuleId rule, Object value, List<String> problems) {
        String path = REMEDIATION + "." + rule.id();
        if (value instanceof Boolean terminate) {
            return new RuleRemediation(terminate, null);
        }
        Map<String, Object> entry = JsonValues.object(value);
        if (entry == null) {
            String example = rule == RuleId.LONG_RUNNING ? "{\"terminate\": true, \"graceMinutes\": 30}" : "{\"terminate\": true}";
            problems.add(where(path) + "must be true or false, or an object such as " + example + ", was "
                    + JsonValues.describe(value));
            return null;
        }
        PolicyDocumentParser.unknownKeys(entry, RULE_KEYS, path, problems);
        Boolean terminate = null;
        if (entry.containsKey(TERMINATE)) {
            if (entry.get(TERMINATE) instanceof Boolean b) {
                terminate = b;
            } else {
                problems.add(where(path + "." + TERMINATE) + "must be true or false, was " + JsonValues.describe(entry.get(TERMINATE)));
            }
        }
        Integer grace = null;
        if (entry.containsKey(GRACE_MINUTES)) {
            if (rule != RuleId.LONG_RUNNING) {
                problems.add(where(path + "." + GRACE_MINUTES) + "is for long-running only: the other rules' violations "
                        + "begin when the session starts, and a rule that terminates ends the session at once; remove it");
            } else {
                grace = graceMinutes(entry.get(GRACE_MINUTES), path + "." + GRACE_MINUTES, problems);
            }
        }
        return new RuleRemediation(terminate, grace);
    }

    private static Integer graceMinutes(Object value, String path, List<String> problems) {
        if (value instanceof Long l && l >= 0 && l <= RemediationParser.MAX_GRACE_MINUTES) {
            return l.intValue();
        }
        problems.add(where(path) + "must be a whole number of minutes from 0 to " + RemediationParser.MAX_GRACE_MINUTES
                + " (a week), was " + JsonValues.describe(value));
        return null;
    }

    /**
     * An exempt list, from the top level of the document or from {@code remediation}: either place, but not both, for
     * two lists would leave the reader guessing which one counts.
     */
    private static PatternList exempt(String key, Map<String, Object> doc, Map<String, Object> remediation,
                                      List<String> problems) {
        String nestedPath = REMEDIATION + "." + key;
        PatternList top = doc.containsKey(key) ? PolicyDocumentParser.patterns(doc.get(key), key, problems) : null;
        PatternList nested = remediation != null && remediation.containsKey(key)
                ? PolicyDocumentParser.patterns(remediation.get(key), nestedPath, problems) : null;
        if (doc.containsKey(key) && remediation != null && remediation.containsKey(key)) {
            problems.add(where(nestedPath) + "repeats " + key + ", which is also given at the top level of the document; "
                    + "say it once, in either place");
        }
        return nested != null ? nested : top;
    }
}
