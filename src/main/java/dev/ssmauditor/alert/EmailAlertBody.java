package dev.ssmauditor.alert;

import dev.ssmauditor.policy.DurationText;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Plain text a person can act on from a phone: each violation with what to do next. */
final class EmailAlertBody {

    /**
     * @param over the sessions of this audit that are over (see {@link EndedSessions#over}): reviewed, not ended
     */
    String alert(Alert a, AuditFindings findings, Set<String> over) {
        Violation v = a.violation();
        String region = findings.region();
        StringBuilder b = new StringBuilder(512);
        String id = orUnknown(v.session().sessionId());
        b.append('[').append(v.severity()).append("] ").append(v.rule().id()).append(" - session ").append(id);
        if (a.remediation() != null && a.remediation().followUp()) {
            // What the auditor did since the first alert, not the violation again.
            b.append(" (").append(RemediationWords.update(a.remediation())).append(')');
        } else if (a.ended()) {
            b.append(" (already ended)");
        } else if (a.reminder() > 0) {
            b.append(" (reminder ").append(a.reminder()).append(": still open)");
        }
        b.append('\n');
        b.append("  ").append(SafeText.line(v.detail())).append('\n');
        b.append("  Owner:    ").append(orUnknown(v.session().owner())).append('\n');
        b.append("  Target:   ").append(orUnknown(v.session().target())).append('\n');
        b.append("  Document: ").append(orUnknown(v.session().documentName())).append('\n');
        // A session reported by its StartSession call has no status yet: it is connecting.
        b.append("  Status:   ").append(v.session().status() == null && a.detection().byEvent() ? "starting"
                : orUnknown(v.session().status()));
        if (v.session().startDate() != null) {
            b.append(", started ").append(v.session().startDate());
            if (a.ended() && v.session().endDate() != null) {
                b.append(", ended ").append(v.session().endDate());
            }
            if (v.openFor() != null) {
                b.append(a.ended() ? " (lasted " : " (open ").append(DurationText.of(v.openFor())).append(')');
            }
        }
        b.append('\n');
        if (v.session().reason() != null && !v.session().reason().isBlank()) {
            b.append("  Reason:   ").append(oneLine(v.session().reason())).append('\n');
        }
        if (a.detection().byEvent()) {
            b.append("  Seen:     its StartSession call");
            if (a.detection().sourceIp() != null) {
                b.append(", from ").append(SafeText.line(a.detection().sourceIp()));
            }
            if (a.detection().userAgent() != null) {
                b.append(" (").append(SafeText.line(cut(a.detection().userAgent(), 200))).append(')');
            }
            b.append('\n');
        }
        String action = RemediationWords.email(a.remediation(), findings.referenceTime());
        if (action != null) {
            b.append("  Action:   ").append(action).append('\n');
        }
        if (v.session().sessionId() != null) {
            String regionFlag = region == null ? "" : " --region " + region;
            if (a.ended() || over.contains(v.session().sessionId())) {
                b.append("  Review:   aws ssm describe-sessions --state History --filters key=SessionId,value=").append(id)
                        .append(regionFlag).append('\n');
            } else {
                b.append("  End it:   aws ssm terminate-session --session-id ").append(id).append(regionFlag).append('\n');
            }
        }
        return b.toString();
    }

    /** @param alerts the alerts of {@code blocks}, in the same order */
    String body(AuditFindings findings, Severity severity, List<Alert> alerts, List<String> blocks, int part, int parts) {
        StringBuilder b = new StringBuilder(512 + blocks.size() * 512);
        b.append("SSM session audit: ").append(blocks.size()).append(' ').append(severity)
                .append(blocks.size() == 1 ? " violation" : " violations");
        if (findings.account() != null) {
            b.append(" in account ").append(findings.accountLabel());
        }
        if (findings.region() != null) {
            b.append(" (").append(findings.region()).append(')');
        }
        b.append(".\n");
        if (findings.mayRepeat()) {
            b.append("The alert ledger could not be reached: this message may repeat alerts already sent.\n");
        }
        if (!findings.alerts().isEmpty() && findings.alerts().stream().allMatch(a -> a.detection().byEvent())) {
            b.append("Reported by the session's StartSession call (CloudTrail, through EventBridge) at ")
                    .append(findings.referenceTime()).append(".\n");
        } else {
            b.append("Checked ").append(findings.sessionsChecked()).append(" active sessions");
            if (findings.endedSessionsChecked() > 0) {
                b.append(" and ").append(findings.endedSessionsChecked()).append(" that ended since the last audit");
            }
            b.append(" at ").append(findings.referenceTime()).append(".\n");
        }
        int ended = EndedSessions.byAuditor(alerts);
        if (ended > 0) {
            b.append(ended == 1 && distinctSessions(alerts) == 1 ? "The auditor ended this session.\n"
                    : "The auditor ended " + ended + " of these sessions.\n");
        }
        long updates = alerts.stream().filter(a -> a.remediation() != null && a.remediation().followUp()).count();
        if (updates > 0) {
            b.append(updates == alerts.size() ? (updates == 1 ? "This is an update on a violation alerted before.\n"
                            : "These are updates on violations alerted before.\n")
                    : updates + " of these " + (updates == 1 ? "is an update on a violation" : "are updates on violations")
                            + " alerted before.\n");
        }
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        findings.alerts().forEach(a -> counts.merge(a.violation().severity(), 1, Integer::sum));
        if (counts.size() > 1) {
            b.append("This audit alerts ").append(findings.alerts().size()).append(" violations in all (")
                    .append(SeverityCounts.text(counts)).append("), one message per severity.\n");
        }
        if (parts > 1) {
            b.append("This is part ").append(part).append(" of ").append(parts).append(" of the ").append(severity)
                    .append(" violations.\n");
        }
        for (String block : blocks) {
            b.append('\n').append(block);
        }
        b.append("\n-- \nSent by ssm-session-auditor. Its README explains the rules, the limits and when alerts are sent.\n");
        return b.toString();
    }

    private static long distinctSessions(List<Alert> alerts) {
        return alerts.stream().map(a -> String.valueOf(a.violation().session().sessionId())).distinct().count();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private static String oneLine(String s) {
        return SafeText.line(s);
    }

    private static String orUnknown(String s) {
        return s == null ? "(unknown)" : SafeText.line(s);
    }
}
