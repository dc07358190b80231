package dev.ssmauditor.alert;

import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code https} body: an AWS Chatbot (Amazon Q Developer in chat applications) custom notification,
 * the only JSON Chatbot renders into Slack or Teams; anything else it drops as "Event received is not
 * supported". A chat message is a heads-up, not the record: past the description budget it says how many
 * more there are and where to read them (the email and JSON bodies always carry every violation).
 */
final class ChatbotNotification {

    // Documented limits (title 250, description 8,000, a next step 350, a keyword 75 characters); the
    // documentation gives none for counts, summary or threadId, so those are kept small by choice.
    static final int MAX_TITLE = 250;
    static final int MAX_DESCRIPTION = 8_000;
    static final int MAX_NEXT_STEP = 350;
    static final int MAX_KEYWORD = 75;
    static final int MAX_NEXT_STEPS = 5;
    static final int MAX_RELATED = 5;
    static final int MAX_SUMMARY = 250;
    static final int MAX_THREAD_ID = 128;

    private final JsonText json;

    ChatbotNotification(JsonText json) {
        this.json = json;
    }

    String body(AuditFindings findings, Severity severity, List<Alert> alerts, int part, int parts) {
        String where = findings.account() == null ? "" : " in " + findings.accountLabel()
                + (findings.region() == null ? "" : " (" + findings.region() + ")");
        int ended = EndedSessions.byAuditor(alerts);
        String count = alerts.size() + " " + severity + " SSM session " + (alerts.size() == 1 ? "violation" : "violations")
                + (ended == 0 ? "" : ", " + ended + " ended");
        String partText = parts > 1 ? " - part " + part + " of " + parts : "";
        String title = cut(emoji(severity) + " " + count + where + partText, MAX_TITLE);
        String summary = cut(count + where + partText, MAX_SUMMARY);
        String description = (findings.mayRepeat() ? "_The alert ledger could not be reached: this may repeat alerts already sent._\n" : "")
                + description(alerts, findings.referenceTime());
        List<String> nextSteps = nextSteps(alerts, findings.region(), EndedSessions.over(findings.alerts()));
        Set<String> sessions = new LinkedHashSet<>();
        Set<String> related = new LinkedHashSet<>();
        for (Alert a : alerts) {
            sessions.add(String.valueOf(a.violation().session().sessionId()));
            if (a.violation().session().target() != null && related.size() < MAX_RELATED) {
                related.add(a.violation().session().target());
            }
        }
        // One thread per session, so its reminders and later findings land under the first alert.
        String threadId = cut(sessions.size() == 1 ? "ssm-session-" + sessions.iterator().next()
                : "ssm-audit-" + findings.account() + "-" + findings.region() + "-" + severity, MAX_THREAD_ID);
        String id = "ssm-session-auditor-" + findings.referenceTime() + "-" + severity + "-" + part;
        return json.write(g -> {
            g.writeStartObject();
            g.writeStringField("version", "1.0");
            g.writeStringField("source", "custom");
            g.writeStringField("id", id);
            g.writeObjectFieldStart("content");
            g.writeStringField("textType", "client-markdown");
            g.writeStringField("title", title);
            g.writeStringField("description", description);
            g.writeArrayFieldStart("nextSteps");
            for (String step : nextSteps) {
                g.writeString(cut(step, MAX_NEXT_STEP));
            }
            g.writeEndArray();
            g.writeArrayFieldStart("keywords");
            g.writeString(severity.name());
            for (String rule : alerts.stream().map(a -> a.violation().rule().id()).distinct().toList()) {
                g.writeString(cut(rule, MAX_KEYWORD));
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("metadata");
            g.writeStringField("threadId", threadId);
            g.writeStringField("summary", summary);
            g.writeStringField("eventType", "SsmSessionViolation");
            g.writeArrayFieldStart("relatedResources");
            for (String r : related) {
                g.writeString(r);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("additionalContext");
            JsonText.field(g, "account", findings.account());
            if (findings.accountName() != null) {
                g.writeStringField("accountName", findings.accountName()); // Chatbot: string values only
            }
            JsonText.field(g, "region", findings.region());
            g.writeStringField("referenceTime", findings.referenceTime().toString());
            g.writeStringField("severity", severity.name());
            if (ended > 0) {
                g.writeStringField("sessionsEnded", Integer.toString(ended));
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static String description(List<Alert> alerts, Instant reference) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < alerts.size(); i++) {
            String line = line(alerts.get(i), reference) + "\n";
            String more = "_...and " + (alerts.size() - i) + " more: see the email or JSON alert._";
            if (b.length() + line.length() + more.length() + 40 > MAX_DESCRIPTION) {
                b.append(more);
                return b.toString();
            }
            b.append(line);
        }
        return b.toString().stripTrailing();
    }

    private static String line(Alert a, Instant reference) {
        Violation v = a.violation();
        boolean followUp = a.remediation() != null && a.remediation().followUp();
        String state = followUp ? " _(update)_" : a.ended() ? " _(already ended)_"
                : a.reminder() > 0 ? " _(reminder " + a.reminder() + ", still open)_" : "";
        String done = RemediationWords.chat(a.remediation(), reference);
        String seen = a.detection().byEvent() ? " _(at StartSession" + (a.detection().sourceIp() == null ? ""
                : ", from `" + code(a.detection().sourceIp()) + "`") + ")_" : "";
        return "• *" + v.rule().id() + "*" + state + seen + " `" + code(v.session().sessionId()) + "` on `"
                + code(v.session().target()) + "` by `" + code(v.session().owner()) + "`: " + cut(SafeText.chat(v.detail()), 300)
                + (done == null ? "" : " — _" + done + "_");
    }

    /** @param over sessions that are over (see {@link EndedSessions#over}): nothing to end */
    private static List<String> nextSteps(List<Alert> alerts, String region, Set<String> over) {
        List<String> steps = new ArrayList<>();
        String regionFlag = region == null ? "" : " --region " + region;
        for (Alert a : alerts) {
            String id = a.violation().session().sessionId();
            if (a.ended() || id == null || over.contains(id)) {
                continue;
            }
            if (steps.size() == MAX_NEXT_STEPS - 1 && alerts.size() > MAX_NEXT_STEPS) {
                steps.add("Other sessions: see the email alert for each terminate command.");
                break;
            }
            steps.add("End `" + code(id) + "`: `aws ssm terminate-session --session-id " + code(id) + regionFlag + "`");
        }
        if (steps.isEmpty()) {
            steps.add("Review who started these sessions and why (`aws ssm describe-sessions --state History" + regionFlag + "`).");
        }
        return steps;
    }

    private static String emoji(Severity severity) {
        return switch (severity) {
            case CRITICAL -> ":red_circle:";
            case HIGH -> ":large_orange_circle:";
            case MEDIUM -> ":large_yellow_circle:";
            case LOW -> ":white_circle:";
        };
    }

    private static String code(String s) {
        return s == null ? "unknown" : SafeText.chat(s);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
