package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;

/**
 * SNS subjects must be ASCII, start with a letter or digit, have no line breaks and be under 100
 * characters (email uses them). The subject says how many violations of which severity the message holds.
 */
final class SubjectLine {

    static final int MAX_LENGTH = 99;

    private SubjectLine() {
    }

    static String of(AuditFindings findings, Severity severity, int count, int part, int parts) {
        String head = "SSM session audit: " + count + " " + severity + (count == 1 ? " violation" : " violations");
        String region = findings.region() == null ? "" : " " + findings.region();
        String named = findings.account() == null ? "" : " in " + findings.accountLabel() + region;
        String where = findings.account() == null ? "" : " in " + findings.account() + region;
        String partText = parts > 1 ? " [part " + part + "/" + parts + "]" : "";
        // The account's name when it fits, else its id, else neither: the body names both.
        for (String candidate : new String[] {head + named + partText, head + where + partText}) {
            String subject = ascii(candidate);
            if (subject.length() <= MAX_LENGTH) {
                return subject;
            }
        }
        return ascii(head + partText);
    }

    static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
