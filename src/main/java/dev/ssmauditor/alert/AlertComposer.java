package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.policy.Severity;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns findings into SNS messages: one message per severity, so that subscribers can filter on the
 * {@code severity} attribute and receive exactly the violations they asked for, and each message split
 * into parts that fit the SNS limit instead of dropping anything.
 */
public final class AlertComposer {

    /** SNS's limit for a whole publish (message, subject and attributes). */
    public static final int SNS_MAX_BYTES = 256 * 1024;
    /** Room kept for the subject, the attributes and the part numbers, known only after packing. */
    static final int RESERVED_BYTES = 1024;
    /**
     * Room kept for the Chatbot body, which does not grow with the part but up to its description limit:
     * 8,000 characters of description, title, next steps and metadata, escaped twice inside the envelope.
     */
    static final int CHAT_RESERVED_BYTES = 28 * 1024;

    private final JsonText json;
    private final JsonAlertBody jsonBody;
    private final EmailAlertBody emailBody;
    private final ChatbotNotification chatBody;
    private final SnsEnvelope envelope;
    private final int maxBytes;

    public AlertComposer(JsonFactory factory) {
        this(factory, SNS_MAX_BYTES);
    }

    AlertComposer(JsonFactory factory, int maxBytes) {
        this.json = new JsonText(factory);
        this.jsonBody = new JsonAlertBody(json);
        this.emailBody = new EmailAlertBody();
        this.chatBody = new ChatbotNotification(json);
        this.envelope = new SnsEnvelope(json);
        this.maxBytes = maxBytes;
    }

    public SnsEnvelope envelope() {
        return envelope;
    }

    /** The size SNS counts for one publish of this message. */
    public int publishSize(AlertMessage m) {
        return JsonText.utf8Length(envelope.of(m)) + JsonText.utf8Length(m.subject()) + MessageAttributes.size(m);
    }

    /** No alerts, no messages. Most severe first. */
    public List<AlertMessage> compose(AuditFindings findings) {
        Map<Severity, List<Alert>> bySeverity = new EnumMap<>(Severity.class);
        List<Alert> ordered = new ArrayList<>(findings.alerts());
        ordered.sort(ViolationOrder.MOST_SEVERE_FIRST);
        for (Alert a : ordered) {
            bySeverity.computeIfAbsent(a.violation().severity(), s -> new ArrayList<>()).add(a);
        }
        List<AlertMessage> messages = new ArrayList<>();
        for (Severity severity : List.of(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)) {
            List<Alert> alerts = bySeverity.get(severity);
            if (alerts != null) {
                messages.addAll(compose(findings, severity, alerts));
            }
        }
        return messages;
    }

    private List<AlertMessage> compose(AuditFindings findings, Severity severity, List<Alert> alerts) {
        List<Piece> pieces = new ArrayList<>(alerts.size());
        // Over across the whole audit: a session ended for a CRITICAL violation has nothing to end in the MEDIUM message.
        Set<String> over = EndedSessions.over(findings.alerts());
        for (Alert a : alerts) {
            String object = jsonBody.alert(a);
            String block = emailBody.alert(a, findings, over);
            // Both bodies travel as JSON strings inside the envelope, so each piece costs its escaped size,
            // plus a separator (a comma in the JSON body, a line break in the email).
            pieces.add(new Piece(a, object, block, json.quotedSize(object) + 1 + json.quotedSize(block) + 2));
        }
        List<List<Piece>> parts = new ArrayList<>();
        pack(findings, severity, pieces, parts);
        List<AlertMessage> messages = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            messages.add(render(findings, severity, parts.get(p), p + 1, parts.size()).message());
        }
        return messages;
    }

    /** Greedy packing by measured cost, then a check of each rendered part; an oversized part is halved. */
    private void pack(AuditFindings findings, Severity severity, List<Piece> pieces, List<List<Piece>> parts) {
        Rendered one = render(findings, severity, pieces.subList(0, 1), 1, 1);
        int overhead = publishSize(one.message()) - pieces.get(0).cost() - one.chatSize() + CHAT_RESERVED_BYTES + RESERVED_BYTES;
        List<Piece> current = new ArrayList<>();
        int size = overhead;
        for (Piece piece : pieces) {
            if (!current.isEmpty() && size + piece.cost() > maxBytes) {
                addChecked(findings, severity, current, parts);
                current = new ArrayList<>();
                size = overhead;
            }
            current.add(piece);
            size += piece.cost();
        }
        addChecked(findings, severity, current, parts);
    }

    private void addChecked(AuditFindings findings, Severity severity, List<Piece> part, List<List<Piece>> parts) {
        // Part numbers are not known yet; "99 of 99" is as long as they will be in practice.
        int size = publishSize(render(findings, severity, part, 99, 99).message());
        if (size <= maxBytes) {
            parts.add(part);
        } else if (part.size() > 1) {
            addChecked(findings, severity, part.subList(0, part.size() / 2), parts);
            addChecked(findings, severity, part.subList(part.size() / 2, part.size()), parts);
        } else {
            throw new IllegalStateException("one alert is " + size + " bytes, over the " + maxBytes
                    + "-byte SNS limit; session " + part.get(0).alert().violation().session().sessionId());
        }
    }

    private Rendered render(AuditFindings findings, Severity severity, List<Piece> pieces, int part, int parts) {
        List<String> objects = pieces.stream().map(Piece::object).toList();
        List<String> blocks = pieces.stream().map(Piece::block).toList();
        List<Alert> alerts = pieces.stream().map(Piece::alert).toList();
        String chat = chatBody.body(findings, severity, alerts, part, parts);
        int ended = EndedSessions.byAuditor(alerts);
        return new Rendered(new AlertMessage(
                SubjectLine.of(findings, severity, pieces.size(), ended, part, parts),
                jsonBody.body(findings, severity, objects, ended, part, parts),
                emailBody.body(findings, severity, alerts, blocks, part, parts),
                chat,
                severity, part, parts, alerts), json.quotedSize(chat));
    }

    private record Piece(Alert alert, String object, String block, int cost) {
    }

    /** A message, and what its Chatbot body costs inside the envelope. */
    private record Rendered(AlertMessage message, int chatSize) {
    }
}
