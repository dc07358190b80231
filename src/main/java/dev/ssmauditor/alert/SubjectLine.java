package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;

/**
 * SNS subjects must be ASCII, start with a letter or digit, have no line breaks and be under 100
 * characters (email uses them). The subject says how many violations of which severity the message holds, and how
 * many of their sessions the auditor ended: that count outlives the account's name and id when space runs out.
 */
final class SubjectLine {

    static final int MAX_LENGTH = 99;

    private SubjectLine() {
    }

    static String of(AuditFindings findings, Severity severity, int count, int part, int parts) {
        return of(findings, severity, count, 0, part, parts);
    }

    /** @param ended distinct sessions in the message that the auditor ended: said whenever there are any */
    static String of(AuditFindings findings, Severity severity, int count, int ended, int part, int parts) {
        String head = "SSM session audit: " + count + " " + severity + (count == 1 ? " violation" : " violations")
                + (ended == 0 ? "" : ", " + ended + (ended == 1 ? " session ended" : " sessions ended"));
        String region = findings.region() == null ? "" : " " + findings.region();
        String named = findings.account() == null ? "" : " in " + findings.accountLabel() + region;
        String where = findings.account() == null ? "" : " in " + findings.account() + region;
        String partText = parts > 1 ? " [part " + part + "/" + parts + "]" : "";
        // The account's name when it fits, else its id, else neither: the body names both. The ended count is in
        // the head, which is never dropped: counts and fixed words, it always fits.
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
