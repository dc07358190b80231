package dev.ssmauditor.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.alert.Remediation.Outcome;
import dev.ssmauditor.policy.RuleId;
import dev.ssmauditor.policy.Session;
import dev.ssmauditor.policy.Severity;
import dev.ssmauditor.policy.Violation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the auditor did about each session, as the JSON, email and Chatbot bodies and the subject report it. */
class RemediationAlertTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant ENDED_AT = Instant.parse("2026-11-30T12:03:05Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-12-01T00:00:01Z");
    private static final Instant GRACE_ENDS = Instant.parse("2026-11-30T12:30:00Z");
    private static final String EXEMPT = "owner matches exempt pattern arn:aws:sts::*:assumed-role/BreakGlass/*";
    private static final String FAILURE = "AccessDeniedException: not allowed to call ssm:TerminateSession";
    private static final String ACCOUNT = "123456789012";

    private final AlertComposer composer = new AlertComposer(new JsonFactory());

    private static Alert alert(String id, RuleId rule, Remediation remediation) {
        Session s = Session.withId(id).owner("arn:aws:iam::123456789012:user/" + id).target("i-0" + id)
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(Duration.ofMinutes(10)));
        return new Alert(new Violation(s, rule, Severity.HIGH, Duration.ofMinutes(10), rule.id() + " broken by " + id), 0, false)
                .withRemediation(remediation);
    }

    private static Alert alert(String id, Remediation remediation) {
        return alert(id, RuleId.UNEXPECTED_OWNER, remediation);
    }

    /**
     * One HIGH message with every outcome: three sessions ended by the auditor (term-a on two rules, term-b the next
     * day, follow-i as an update), one would be, one exempt, one already over, one failed, one within its grace, one
     * its policy asks nothing for.
     */
    private static List<Alert> everyOutcome() {
        return List.of(
                alert("term-a", RuleId.UNEXPECTED_OWNER, Remediation.of(Outcome.TERMINATED, ENDED_AT, null)),
                alert("term-a", RuleId.UNEXPECTED_TARGET, Remediation.of(Outcome.TERMINATED, ENDED_AT, null)),
                alert("term-b", Remediation.of(Outcome.TERMINATED, NEXT_DAY, null)),
                alert("dry-c", Remediation.of(Outcome.WOULD_TERMINATE, null, null)),
                alert("exempt-d", Remediation.of(Outcome.EXEMPT, null, EXEMPT)),
                alert("over-e", Remediation.of(Outcome.ALREADY_ENDED, null, null)),
                alert("fail-f", Remediation.of(Outcome.TERMINATE_FAILED, T, FAILURE)),
                alert("wait-g", Remediation.pending(GRACE_ENDS)),
                alert("plain-h", null),
                alert("follow-i", Remediation.of(Outcome.TERMINATED, ENDED_AT, null).asFollowUp()));
    }

    private AlertMessage compose(List<Alert> alerts) {
        List<AlertMessage> messages = composer.compose(new AuditFindings(ACCOUNT, "eu-west-1", T, 20, 0, alerts));
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static JsonNode violation(JsonNode body, String sessionId, String rule) {
        for (JsonNode v : body.get("violations")) {
            if (v.get("sessionId").asText().equals(sessionId) && v.get("rule").asText().equals(rule)) {
                return v;
            }
        }
        throw new AssertionError("no violation of " + rule + " by " + sessionId);
    }

    private static JsonNode violation(JsonNode body, String sessionId) {
        return violation(body, sessionId, "unexpected-owner");
    }

    /** The block of the email about one violation, from its header line to the blank line after it. */
    private static String block(String email, String sessionId, String rule) {
        int start = email.indexOf("[HIGH] " + rule + " - session " + sessionId);
        assertThat(start).as("block of %s", sessionId).isNotNegative();
        return email.substring(start, email.indexOf("\n\n", start) + 1);
    }

    private static String block(String email, String sessionId) {
        return block(email, sessionId, "unexpected-owner");
    }

    // --- JSON ---

    @Test
    void theJsonBodyCarriesEachRemediationAfterTheExistingFields() throws Exception {
        JsonNode body = JSON.readTree(compose(everyOutcome()).defaultBody());

        assertThat(body.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(body.get("sessionsEnded").asInt()).as("term-a (twice), term-b, follow-i").isEqualTo(3);
        List<String> names = new ArrayList<>();
        violation(body, "plain-h").fieldNames().forEachRemaining(names::add);
        assertThat(names.subList(names.size() - 6, names.size()))
                .containsExactly("userAgent", "remediation", "remediatedAt", "terminateAt", "remediationDetail", "followUp");

        assertRemediation(violation(body, "term-a"), "terminated", "2026-11-30T12:03:05Z", null, null, false);
        assertRemediation(violation(body, "term-a", "unexpected-target"), "terminated", "2026-11-30T12:03:05Z", null, null, false);
        assertRemediation(violation(body, "term-b"), "terminated", "2026-12-01T00:00:01Z", null, null, false);
        assertRemediation(violation(body, "dry-c"), "would-terminate", null, null, null, false);
        assertRemediation(violation(body, "exempt-d"), "exempt", null, null, EXEMPT, false);
        assertRemediation(violation(body, "over-e"), "already-ended", null, null, null, false);
        assertRemediation(violation(body, "fail-f"), "terminate-failed", "2026-11-30T12:00:00Z", null, FAILURE, false);
        assertRemediation(violation(body, "wait-g"), null, null, "2026-11-30T12:30:00Z", null, false);
        assertRemediation(violation(body, "plain-h"), null, null, null, null, false);
        assertRemediation(violation(body, "follow-i"), "terminated", "2026-11-30T12:03:05Z", null, null, true);
        assertThat(violation(body, "follow-i").get("reminder").asInt()).isZero();
    }

    private static void assertRemediation(JsonNode v, String outcome, String at, String terminateAt, String detail, boolean followUp) {
        String who = v.get("sessionId").asText();
        assertField(v, "remediation", outcome, who);
        assertField(v, "remediatedAt", at, who);
        assertField(v, "terminateAt", terminateAt, who);
        assertField(v, "remediationDetail", detail, who);
        assertThat(v.get("followUp").isBoolean()).as("followUp of %s", who).isTrue();
        assertThat(v.get("followUp").asBoolean()).as("followUp of %s", who).isEqualTo(followUp);
    }

    private static void assertField(JsonNode v, String field, String expected, String who) {
        assertThat(v.has(field)).as("%s of %s is present", field, who).isTrue();
        if (expected == null) {
            assertThat(v.get(field).isNull()).as("%s of %s is null", field, who).isTrue();
        } else {
            assertThat(v.get(field).asText()).as("%s of %s", field, who).isEqualTo(expected);
        }
    }

    @Test
    void noSessionEndedIsZeroInJsonAndNothingInTheOtherBodies() throws Exception {
        AlertMessage m = compose(List.of(alert("dry-c", Remediation.of(Outcome.WOULD_TERMINATE, null, null)), alert("plain-h", null)));
        assertThat(JSON.readTree(m.defaultBody()).get("sessionsEnded").asInt()).isZero();
        assertThat(m.subject()).isEqualTo("SSM session audit: 2 HIGH violations in 123456789012 eu-west-1");
        assertThat(m.emailBody()).doesNotContain("The auditor ended");
        JsonNode chat = JSON.readTree(m.chatBody());
        assertThat(chat.at("/content/title").asText()).isEqualTo(":large_orange_circle: 2 HIGH SSM session violations in 123456789012 (eu-west-1)");
        assertThat(chat.at("/metadata/additionalContext").has("sessionsEnded")).isFalse();
    }

    // --- email ---

    @Test
    void theEmailSaysInWordsWhatTheAuditorDid() {
        String email = compose(everyOutcome()).emailBody();

        assertThat(block(email, "term-a")).contains("  Action:   Ended by the auditor at 12:03:05Z\n");
        assertThat(block(email, "term-b")).as("another day: the whole instant")
                .contains("  Action:   Ended by the auditor at 2026-12-01T00:00:01Z\n");
        assertThat(block(email, "dry-c")).contains("  Action:   Would be ended by the auditor (dry run: nothing was ended)\n");
        assertThat(block(email, "exempt-d")).contains("  Action:   Not ended: exempt (" + EXEMPT + ")\n");
        assertThat(block(email, "over-e")).contains("  Action:   Already over when the auditor came to end it\n");
        assertThat(block(email, "fail-f"))
                .contains("  Action:   The auditor could not end it (" + FAILURE + "); it tries again on its next run\n");
        assertThat(block(email, "wait-g")).contains("  Action:   Will be ended by the auditor at 12:30:00Z if still open\n");
        assertThat(block(email, "plain-h")).doesNotContain("Action:");
    }

    @Test
    void theEmailBlockOfAnEndedSessionReviewsItInsteadOfEndingIt() {
        String email = compose(everyOutcome()).emailBody();

        assertThat(block(email, "term-a")).isEqualTo("""
                [HIGH] unexpected-owner - session term-a
                  unexpected-owner broken by term-a
                  Owner:    arn:aws:iam::123456789012:user/term-a
                  Target:   i-0term-a
                  Document: SSM-SessionManagerRunShell
                  Status:   Connected, started 2026-11-30T11:50:00Z (open 10m)
                  Action:   Ended by the auditor at 12:03:05Z
                  Review:   aws ssm describe-sessions --state History --filters key=SessionId,value=term-a --region eu-west-1
                """);
        for (String over : List.of("term-b", "over-e", "follow-i")) {
            assertThat(block(email, over)).doesNotContain("terminate-session")
                    .contains("  Review:   aws ssm describe-sessions --state History --filters key=SessionId,value=" + over);
        }
        for (String open : List.of("dry-c", "exempt-d", "fail-f", "wait-g", "plain-h")) {
            assertThat(block(email, open)).as(open)
                    .contains("  End it:   aws ssm terminate-session --session-id " + open + " --region eu-west-1\n");
        }
    }

    @Test
    void aSessionEndedForOneRuleIsNotOfferedForEndingUnderAnother() throws Exception {
        // Only the CRITICAL violation asks to end the session; the MEDIUM one, in another message, has no remediation.
        Session s = Session.withId("both-01").owner("arn:aws:iam::123456789012:user/x").target("i-0db1")
                .documentName("SSM-SessionManagerRunShell").status("Connected").startDate(T.minus(Duration.ofHours(9)));
        Alert critical = new Alert(new Violation(s, RuleId.UNEXPECTED_TARGET, Severity.CRITICAL, Duration.ofHours(9), "denied"), 0, false)
                .withRemediation(Remediation.of(Outcome.TERMINATED, ENDED_AT, null));
        Alert medium = new Alert(new Violation(s, RuleId.LONG_RUNNING, Severity.MEDIUM, Duration.ofHours(9), "open 9h; limit 8h"), 0, false);

        List<AlertMessage> messages = composer.compose(new AuditFindings(ACCOUNT, "eu-west-1", T, 20, 0, List.of(critical, medium)));

        assertThat(messages).extracting(AlertMessage::severity).containsExactly(Severity.CRITICAL, Severity.MEDIUM);
        AlertMessage mediumMessage = messages.get(1);
        assertThat(mediumMessage.emailBody()).doesNotContain("terminate-session").doesNotContain("Action:")
                .contains("Review:   aws ssm describe-sessions --state History --filters key=SessionId,value=both-01");
        assertThat(JSON.readTree(mediumMessage.chatBody()).at("/content/nextSteps").toString()).doesNotContain("terminate-session");
        assertThat(mediumMessage.subject()).as("ended in the CRITICAL message, counted there")
                .isEqualTo("SSM session audit: 1 MEDIUM violation in 123456789012 eu-west-1");
        assertThat(messages.get(0).subject()).isEqualTo("SSM session audit: 1 CRITICAL violation, 1 session ended in 123456789012 eu-west-1");
    }

    @Test
    void aFollowUpIsAnUpdateNotANewViolation() {
        Alert followUp = new Alert(alert("follow-i", null).violation(), 2, false,
                Detection.SWEEP, Remediation.of(Outcome.TERMINATED, ENDED_AT, null).asFollowUp());
        Alert failed = alert("fail-f", Remediation.of(Outcome.TERMINATE_FAILED, T, FAILURE).asFollowUp());

        String email = compose(List.of(followUp, failed)).emailBody();

        assertThat(email).contains("[HIGH] unexpected-owner - session follow-i (update: ended by the auditor)\n")
                .contains("[HIGH] unexpected-owner - session fail-f (update: could not be ended)\n")
                .doesNotContain("(reminder 2").contains("These are updates on violations alerted before.\n");
        assertThat(block(email, "follow-i")).contains("  Action:   Ended by the auditor at 12:03:05Z\n");
    }

    @Test
    void aFollowUpHeaderNamesEachOutcome() {
        String email = compose(List.of(
                alert("dry-c", Remediation.of(Outcome.WOULD_TERMINATE, null, null).asFollowUp()),
                alert("exempt-d", Remediation.of(Outcome.EXEMPT, null, EXEMPT).asFollowUp()),
                alert("over-e", Remediation.of(Outcome.ALREADY_ENDED, NEXT_DAY, null).asFollowUp()),
                alert("plain-h", null))).emailBody();

        assertThat(email).contains("session dry-c (update: would be ended (dry run))\n")
                .contains("session exempt-d (update: exempt from termination)\n")
                .contains("session over-e (update: already over)\n")
                .contains("3 of these are updates on violations alerted before.\n");
        assertThat(block(email, "plain-h").lines().findFirst()).hasValue("[HIGH] unexpected-owner - session plain-h");
    }

    @Test
    void theEmailSummarySaysHowManySessionsTheAuditorEnded() {
        assertThat(compose(everyOutcome()).emailBody()).contains("\nThe auditor ended 3 of these sessions.\n");
        assertThat(compose(List.of(alert("term-a", Remediation.of(Outcome.TERMINATED, ENDED_AT, null)))).emailBody())
                .contains("\nThe auditor ended this session.\n");
        assertThat(compose(List.of(alert("term-a", Remediation.of(Outcome.TERMINATED, ENDED_AT, null)), alert("plain-h", null)))
                .emailBody()).contains("\nThe auditor ended 1 of these sessions.\n");
    }

    @Test
    void aRunawayFailureDetailIsCutAndCannotForgeLines() {
        String detail = "denied\nFrom: security@corp " + "x".repeat(1000);
        String email = compose(List.of(alert("fail-f", Remediation.of(Outcome.TERMINATE_FAILED, T, detail)))).emailBody();
        String action = block(email, "fail-f").lines().filter(l -> l.startsWith("  Action:")).findFirst().orElseThrow();
        assertThat(action).startsWith("  Action:   The auditor could not end it (denied From: security@corp xxx")
                .endsWith("...); it tries again on its next run").hasSizeLessThan(400);
        assertThat(email.lines().filter(l -> l.startsWith("From:"))).isEmpty();
    }

    // --- subject ---

    @Test
    void theSubjectSaysHowManySessionsWereEnded() {
        assertThat(compose(everyOutcome()).subject())
                .isEqualTo("SSM session audit: 10 HIGH violations, 3 sessions ended in 123456789012 eu-west-1");
        assertThat(compose(List.of(alert("term-a", Remediation.of(Outcome.TERMINATED, ENDED_AT, null)))).subject())
                .isEqualTo("SSM session audit: 1 HIGH violation, 1 session ended in 123456789012 eu-west-1");
    }

    // --- Chatbot ---

    @Test
    void eachChatbotLineSaysWhatTheAuditorDid() throws Exception {
        String description = JSON.readTree(compose(everyOutcome()).chatBody()).at("/content/description").asText();
        List<String> lines = description.lines().toList();

        assertThat(line(lines, "term-a", "unexpected-owner")).endsWith(" — _ended by the auditor at 12:03:05Z_");
        assertThat(line(lines, "term-b", "unexpected-owner")).endsWith(" — _ended by the auditor at 2026-12-01T00:00:01Z_");
        assertThat(line(lines, "dry-c", "unexpected-owner")).endsWith(" — _would be ended (dry run)_");
        assertThat(line(lines, "exempt-d", "unexpected-owner")).endsWith(" — _exempt from termination_");
        assertThat(line(lines, "over-e", "unexpected-owner")).endsWith(" — _already over_");
        assertThat(line(lines, "fail-f", "unexpected-owner")).endsWith(" — _could not be ended; retried next run_");
        assertThat(line(lines, "wait-g", "unexpected-owner")).endsWith(" — _ends at 12:30:00Z if still open_");
        assertThat(line(lines, "plain-h", "unexpected-owner")).endsWith("unexpected-owner broken by plain-h").doesNotContain(" — ");
        assertThat(line(lines, "follow-i", "unexpected-owner")).startsWith("• *unexpected-owner* _(update)_ `follow-i`")
                .endsWith(" — _ended by the auditor at 12:03:05Z_");
    }

    private static String line(List<String> lines, String sessionId, String rule) {
        return lines.stream().filter(l -> l.contains("`" + sessionId + "`") && l.contains("*" + rule + "*")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + sessionId));
    }

    @Test
    void theChatbotTitleAndContextCountTheEndedSessions() throws Exception {
        JsonNode chat = JSON.readTree(compose(everyOutcome()).chatBody());
        assertThat(chat.at("/content/title").asText())
                .isEqualTo(":large_orange_circle: 10 HIGH SSM session violations, 3 ended in 123456789012 (eu-west-1)");
        assertThat(chat.at("/metadata/summary").asText()).isEqualTo("10 HIGH SSM session violations, 3 ended in 123456789012 (eu-west-1)");
        JsonNode ended = chat.at("/metadata/additionalContext/sessionsEnded");
        assertThat(ended.isTextual()).as("Chatbot takes string values only").isTrue();
        assertThat(ended.asText()).isEqualTo("3");
    }

    @Test
    void chatbotOffersNoTerminateCommandForSessionsThatAreOver() throws Exception {
        AlertMessage m = compose(List.of(
                alert("term-a", Remediation.of(Outcome.TERMINATED, ENDED_AT, null)),
                alert("over-e", Remediation.of(Outcome.ALREADY_ENDED, null, null)),
                alert("fail-f", Remediation.of(Outcome.TERMINATE_FAILED, T, FAILURE)),
                alert("follow-i", Remediation.of(Outcome.TERMINATED, ENDED_AT, null).asFollowUp())));
        assertThat(JSON.readTree(m.chatBody()).at("/content/nextSteps")).extracting(JsonNode::asText)
                .containsExactly("End `fail-f`: `aws ssm terminate-session --session-id fail-f --region eu-west-1`");

        AlertMessage allOver = compose(List.of(alert("term-a", Remediation.of(Outcome.TERMINATED, ENDED_AT, null)),
                alert("over-e", Remediation.of(Outcome.ALREADY_ENDED, null, null))));
        JsonNode steps = JSON.readTree(allOver.chatBody()).at("/content/nextSteps");
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).asText()).startsWith("Review who started these sessions");
    }

    @Test
    void chatbotBodiesStayWithinTheirLimitsWithRemediations() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            alerts.add(alert("s" + i, i % 2 == 0 ? Remediation.of(Outcome.TERMINATE_FAILED, T, "x".repeat(100))
                    : Remediation.of(Outcome.TERMINATED, NEXT_DAY, null)));
        }
        JsonNode chat = JSON.readTree(compose(alerts).chatBody());
        assertThat(chat.at("/content/description").asText()).hasSizeLessThanOrEqualTo(ChatbotNotification.MAX_DESCRIPTION)
                .contains("more: see the email or JSON alert");
        assertThat(chat.at("/content/title").asText()).hasSizeLessThanOrEqualTo(ChatbotNotification.MAX_TITLE);
        chat.at("/content/nextSteps").forEach(s -> assertThat(s.asText()).hasSizeLessThanOrEqualTo(ChatbotNotification.MAX_NEXT_STEP));
        assertThat(chat.at("/metadata/additionalContext/sessionsEnded").asText()).isEqualTo("60");
    }

    // --- the time of day ---

    @Test
    void aTimeOnTheAuditsDateIsATimeOfDayAndAnyOtherTheWholeInstant() {
        Instant reference = Instant.parse("2026-11-30T23:59:00Z");
        assertThat(RemediationWords.time(Instant.parse("2026-11-30T23:59:59.250Z"), reference)).isEqualTo("23:59:59Z");
        assertThat(RemediationWords.time(Instant.parse("2026-11-30T00:00:00Z"), reference)).isEqualTo("00:00:00Z");
        assertThat(RemediationWords.time(Instant.parse("2026-12-01T00:00:00Z"), reference)).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(RemediationWords.time(Instant.parse("2026-11-29T23:59:59Z"), reference)).isEqualTo("2026-11-29T23:59:59Z");
        assertThat(RemediationWords.time(Instant.parse("2026-11-30T10:00:00Z"), null)).isEqualTo("2026-11-30T10:00:00Z");
    }
}
