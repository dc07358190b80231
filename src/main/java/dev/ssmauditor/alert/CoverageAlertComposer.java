package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ssmauditor.policy.Severity;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The "coverage gap" alert: account-regions the sweep could not audit (once, when they start failing) and those audited
 * again (once, when they recover). HIGH, so that it reaches whoever receives HIGH violations: a blind spot hides them.
 * Its {@code default} JSON has {@code "type": "coverage"}; violation alerts have none.
 */
public final class CoverageAlertComposer {

    /** Changes a message, which keeps the largest message far under the SNS limit (reasons are cut at 500 characters). */
    public static final int PER_MESSAGE = 100;
    static final int MAX_REASON = 500;
    public static final Severity SEVERITY = Severity.HIGH;

    private final JsonText json;

    public CoverageAlertComposer(JsonFactory factory) {
        this.json = new JsonText(factory);
    }

    /** Nothing changed, no message. */
    public List<AlertMessage> compose(List<CoverageChange> opened, List<CoverageChange> closed, Instant referenceTime,
                                      boolean mayRepeat) {
        List<AlertMessage> messages = new ArrayList<>();
        List<Object[]> all = new ArrayList<>();
        opened.forEach(c -> all.add(new Object[] {c, true}));
        closed.forEach(c -> all.add(new Object[] {c, false}));
        int parts = (all.size() + PER_MESSAGE - 1) / PER_MESSAGE;
        for (int p = 0; p < parts; p++) {
            List<CoverageChange> o = new ArrayList<>();
            List<CoverageChange> c = new ArrayList<>();
            for (Object[] x : all.subList(p * PER_MESSAGE, Math.min(all.size(), (p + 1) * PER_MESSAGE))) {
                ((Boolean) x[1] ? o : c).add((CoverageChange) x[0]);
            }
            messages.add(message(o, c, referenceTime, mayRepeat, p + 1, parts));
        }
        return messages;
    }

    private AlertMessage message(List<CoverageChange> opened, List<CoverageChange> closed, Instant t, boolean mayRepeat,
                                 int part, int parts) {
        String head = headline(opened.size(), closed.size());
        String partText = parts > 1 ? " [part " + part + "/" + parts + "]" : "";
        String subject = SubjectLine.ascii("SSM session audit: " + head + partText);
        if (subject.length() > SubjectLine.MAX_LENGTH) {
            subject = subject.substring(0, SubjectLine.MAX_LENGTH);
        }
        return new AlertMessage(subject, defaultBody(opened, closed, t, mayRepeat, part, parts),
                email(head + partText, opened, closed, t, mayRepeat), chat(head + partText, opened, closed, t, part),
                SEVERITY, part, parts, List.of());
    }

    static String headline(int opened, int closed) {
        List<String> bits = new ArrayList<>();
        if (opened > 0) {
            bits.add("coverage gap, " + opened + " account-region" + (opened == 1 ? "" : "s") + " not audited");
        }
        if (closed > 0) {
            bits.add(closed + " account-region" + (closed == 1 ? "" : "s") + " audited again");
        }
        return String.join("; ", bits);
    }

    private String defaultBody(List<CoverageChange> opened, List<CoverageChange> closed, Instant t, boolean mayRepeat,
                               int part, int parts) {
        return json.write(g -> {
            g.writeStartObject();
            g.writeStringField("source", "ssm-session-auditor");
            g.writeNumberField("schemaVersion", JsonAlertBody.SCHEMA_VERSION);
            g.writeStringField("type", "coverage");
            g.writeStringField("severity", SEVERITY.name());
            g.writeStringField("referenceTime", t.toString());
            g.writeBooleanField("mayRepeat", mayRepeat);
            g.writeNumberField("part", part);
            g.writeNumberField("parts", parts);
            changes(g, "gaps", opened);
            changes(g, "recovered", closed);
            g.writeEndObject();
        });
    }

    private static void changes(JsonGenerator g, String name, List<CoverageChange> changes) throws IOException {
        g.writeArrayFieldStart(name);
        for (CoverageChange c : changes) {
            g.writeStartObject();
            g.writeStringField("account", c.account());
            JsonText.field(g, "accountName", c.accountName());
            JsonText.field(g, "region", c.region());
            JsonText.field(g, "reason", cut(c.reason()));
            JsonText.field(g, "since", c.since() == null ? null : c.since().toString());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static String email(String head, List<CoverageChange> opened, List<CoverageChange> closed, Instant t,
                                boolean mayRepeat) {
        StringBuilder b = new StringBuilder("SSM session audit: ").append(head).append(".\n");
        if (mayRepeat) {
            b.append("The alert ledger could not be reached: this may repeat a coverage alert already sent.\n");
        }
        b.append("Sweep at ").append(t).append(".\n");
        if (!opened.isEmpty()) {
            b.append("\nNot audited (sessions there are not being checked until this is fixed):\n");
            opened.forEach(c -> b.append("  - ").append(c.where()).append(": ").append(cut(c.reason())).append('\n'));
            b.append("\nFix: deploy the member stack to these accounts and regions (the hub's MemberStackSetCommands output),"
                    + " or check the member role's trust policy and permissions; the sweep's log line \"audit complete\""
                    + " lists every account-region not audited.\n");
        }
        if (!closed.isEmpty()) {
            b.append("\nAudited again:\n");
            closed.forEach(c -> b.append("  - ").append(c.where()).append(c.since() == null ? "" : ", not audited since "
                    + c.since()).append('\n'));
        }
        return b.toString();
    }

    private String chat(String head, List<CoverageChange> opened, List<CoverageChange> closed, Instant t, int part) {
        StringBuilder d = new StringBuilder();
        opened.forEach(c -> d.append("• *not audited* `").append(SafeText.chat(c.where())).append("`: ")
                .append(SafeText.chat(cut(c.reason()))).append('\n'));
        closed.forEach(c -> d.append("• *audited again* `").append(SafeText.chat(c.where())).append("`\n"));
        String description = d.length() > 7_500 ? d.substring(0, 7_500) + "\n_...see the email or JSON alert._" : d.toString();
        return json.write(g -> {
            g.writeStartObject();
            g.writeStringField("version", "1.0");
            g.writeStringField("source", "custom");
            g.writeStringField("id", "ssm-session-auditor-coverage-" + t + "-" + part);
            g.writeObjectFieldStart("content");
            g.writeStringField("textType", "client-markdown");
            g.writeStringField("title", (opened.isEmpty() ? ":white_check_mark: " : ":warning: ") + head);
            g.writeStringField("description", description.stripTrailing());
            g.writeArrayFieldStart("nextSteps");
            if (!opened.isEmpty()) {
                g.writeString("Deploy the member stack to these accounts and regions, or check the member role's trust and "
                        + "permissions.");
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("metadata");
            g.writeStringField("threadId", "ssm-audit-coverage");
            g.writeStringField("summary", head.length() > 250 ? head.substring(0, 250) : head);
            g.writeStringField("eventType", "SsmAuditCoverage");
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON - 3) + "...";
    }
}
