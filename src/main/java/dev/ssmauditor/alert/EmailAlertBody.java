package dev.ssmauditor.alert;

import dev.ssmauditor.policy.DurationText;
import dev.ssmauditor.policy.Violation;

import java.util.List;

/** Plain text a person can act on from a phone: most severe first, each with the command that ends it. */
final class EmailAlertBody {

    String violation(Violation v, String region) {
        StringBuilder b = new StringBuilder(512);
        String id = orUnknown(v.session().sessionId());
        b.append('[').append(v.severity()).append("] ").append(v.rule().id()).append(" - session ").append(id).append('\n');
        b.append("  ").append(v.detail()).append('\n');
        b.append("  Owner:    ").append(orUnknown(v.session().owner())).append('\n');
        b.append("  Target:   ").append(orUnknown(v.session().target())).append('\n');
        b.append("  Document: ").append(orUnknown(v.session().documentName())).append('\n');
        b.append("  Status:   ").append(orUnknown(v.session().status()));
        if (v.session().startDate() != null) {
            b.append(", started ").append(v.session().startDate()).append(" (open ").append(DurationText.of(v.openFor())).append(')');
        }
        b.append('\n');
        if (v.session().reason() != null && !v.session().reason().isBlank()) {
            b.append("  Reason:   ").append(v.session().reason().replace('\n', ' ')).append('\n');
        }
        if (v.session().sessionId() != null) {
            b.append("  End it:   aws ssm terminate-session --session-id ").append(id);
            if (region != null) {
                b.append(" --region ").append(region);
            }
            b.append('\n');
        }
        return b.toString();
    }

    String body(AuditFindings findings, List<String> violationBlocks, int part, int parts) {
        StringBuilder b = new StringBuilder(256 + violationBlocks.size() * 512);
        int total = findings.violations().size();
        b.append("SSM session audit found ").append(total).append(total == 1 ? " violation" : " violations");
        if (findings.account() != null) {
            b.append(" in account ").append(findings.account());
        }
        if (findings.region() != null) {
            b.append(" (").append(findings.region()).append(')');
        }
        b.append(".\n");
        b.append("Checked ").append(findings.sessionsChecked()).append(" active sessions at ").append(findings.referenceTime()).append(".\n");
        if (parts > 1) {
            b.append("This is part ").append(part).append(" of ").append(parts).append(" (").append(violationBlocks.size())
                    .append(" violations in this part).\n");
        }
        for (String block : violationBlocks) {
            b.append('\n').append(block);
        }
        b.append("\n-- \nSent by ssm-session-auditor. The rules, limits and how to change them are in its README.\n");
        return b.toString();
    }

    private static String orUnknown(String s) {
        return s == null ? "(unknown)" : s;
    }
}
