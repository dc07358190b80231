package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.policy.Violation;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns findings into SNS messages that each fit the SNS limit, splitting into parts instead of dropping
 * anything. Parts are packed by measured size, then each rendered message is checked again.
 */
public final class AlertComposer {

    /** SNS's limit for a whole publish (message, subject and attributes). */
    public static final int SNS_MAX_BYTES = 256 * 1024;
    /** Room kept for the subject and for part numbers, which are known only after packing. */
    static final int RESERVED_BYTES = 1024;

    private final JsonText json;
    private final JsonAlertBody jsonBody;
    private final EmailAlertBody emailBody;
    private final SnsEnvelope envelope;
    private final int maxBytes;

    public AlertComposer(JsonFactory factory) {
        this(factory, SNS_MAX_BYTES);
    }

    AlertComposer(JsonFactory factory, int maxBytes) {
        this.json = new JsonText(factory);
        this.jsonBody = new JsonAlertBody(json);
        this.emailBody = new EmailAlertBody();
        this.envelope = new SnsEnvelope(json);
        this.maxBytes = maxBytes;
    }

    public SnsEnvelope envelope() {
        return envelope;
    }

    /** No violations, no messages. */
    public List<AlertMessage> compose(AuditFindings findings) {
        if (findings.violations().isEmpty()) {
            return List.of();
        }
        List<Violation> ordered = new ArrayList<>(findings.violations());
        ordered.sort(ViolationOrder.MOST_SEVERE_FIRST);
        AuditFindings sorted = new AuditFindings(findings.account(), findings.region(), findings.referenceTime(),
                findings.sessionsChecked(), ordered);

        List<String> objects = new ArrayList<>(ordered.size());
        List<String> blocks = new ArrayList<>(ordered.size());
        List<Integer> costs = new ArrayList<>(ordered.size());
        for (Violation v : ordered) {
            String object = jsonBody.violation(v);
            String block = emailBody.violation(v, findings.region());
            objects.add(object);
            blocks.add(block);
            // Both bodies travel as JSON strings inside the envelope, so each piece costs its escaped size,
            // plus a separator (a comma in the JSON body, a line break in the email).
            costs.add(json.quotedSize(object) + 1 + json.quotedSize(block) + 2);
        }
        int overhead = JsonText.utf8Length(render(sorted, List.of(), List.of(), 1, 1).envelopeText) + RESERVED_BYTES;

        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        int size = overhead;
        for (int i = 0; i < ordered.size(); i++) {
            if (i > start && size + costs.get(i) > maxBytes) {
                ranges.add(new int[] {start, i});
                start = i;
                size = overhead;
            }
            size += costs.get(i);
        }
        ranges.add(new int[] {start, ordered.size()});

        List<AlertMessage> messages = new ArrayList<>(ranges.size());
        for (int p = 0; p < ranges.size(); p++) {
            int[] r = ranges.get(p);
            Rendered rendered = render(sorted, objects.subList(r[0], r[1]), blocks.subList(r[0], r[1]), p + 1, ranges.size());
            int total = JsonText.utf8Length(rendered.envelopeText) + JsonText.utf8Length(rendered.message.subject());
            if (total > maxBytes) {
                throw new IllegalStateException("alert part " + (p + 1) + " is " + total + " bytes, over the " + maxBytes
                        + "-byte SNS limit; a single violation should never be this large");
            }
            messages.add(rendered.message);
        }
        return messages;
    }

    private record Rendered(AlertMessage message, String envelopeText) {
    }

    private Rendered render(AuditFindings findings, List<String> objects, List<String> blocks, int part, int parts) {
        AlertMessage message = new AlertMessage(
                SubjectLine.of(findings, part, parts),
                jsonBody.body(findings, objects, part, parts),
                emailBody.body(findings, blocks, part, parts),
                part, parts, objects.size());
        return new Rendered(message, envelope.of(message));
    }
}
