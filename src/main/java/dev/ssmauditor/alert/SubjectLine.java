package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * SNS subjects must be ASCII, start with a letter or digit, have no line breaks and be under 100
 * characters (email uses them). The subject says how many violations the run found and how bad they are.
 */
final class SubjectLine {

    static final int MAX_LENGTH = 99;

    private SubjectLine() {
    }

    static String of(AuditFindings findings, int part, int parts) {
        List<Violation> all = findings.violations();
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        for (Violation v : all) {
            counts.merge(v.severity(), 1, Integer::sum);
        }
        List<String> bySeverity = new ArrayList<>();
        for (Severity s : List.of(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)) {
            if (counts.containsKey(s)) {
                bySeverity.add(counts.get(s) + " " + s);
            }
        }
        String head = "SSM session audit: " + all.size() + (all.size() == 1 ? " violation" : " violations");
        String severities = " (" + String.join(", ", bySeverity) + ")";
        String where = findings.account() == null ? "" : " in " + findings.account()
                + (findings.region() == null ? "" : " " + findings.region());
        String partText = parts > 1 ? " [part " + part + "/" + parts + "]" : "";
        String subject = head + severities + where + partText;
        if (subject.length() > MAX_LENGTH) {
            subject = head + severities + partText;
        }
        if (subject.length() > MAX_LENGTH) {
            subject = head + partText;
        }
        return ascii(subject);
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
