package dev.ssmauditor.events;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssmauditor.audit.StartedSession;
import dev.ssmauditor.testing.StartSessionEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class StartSessionEventParserTest {

    private final StartSessionEventParser parser = new StartSessionEventParser(new JsonFactory());

    private ParsedEvent parse(StartSessionEvents e) {
        return parser.parse(e.bytes());
    }

    private ParsedEvent parse(String raw) {
        return parser.parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSampleIsAnEventBridgeEventTheRuntimeLibraryReads() {
        ScheduledEvent event = EventLoader.loadScheduledEvent(StartSessionEvents.SAMPLE.toString());
        assertThat(event.getSource()).isEqualTo("aws.ssm");
        assertThat(event.getDetailType()).isEqualTo("AWS API Call via CloudTrail");
        assertThat(event.getDetail()).containsEntry("eventName", "StartSession").containsEntry("eventSource", "ssm.amazonaws.com");
    }

    @Test
    void theSampleIsAPortForwardBySsoUserToTheDatabaseHost() {
        StartedSession s = parse(StartSessionEvents.sample()).started();
        assertThat(s.account()).isEqualTo("123456789012");
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(s.eventTime()).isEqualTo(Instant.parse("2026-11-30T11:58:01Z"));
        assertThat(s.missing()).isNull();
        assertThat(s.session().sessionId()).isEqualTo("alice@example.com-0f3c9a7d2b1e4c5a6");
        assertThat(s.session().owner())
                .isEqualTo("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformAdmin_5f1c2d3e4a5b6c7d/alice@example.com");
        assertThat(s.session().target()).isEqualTo("i-0db5e1a2b3c4d5e6f");
        assertThat(s.session().documentName()).isEqualTo("AWS-StartPortForwardingSession");
        assertThat(s.session().reason()).isEqualTo("INC-4821 check replication lag");
        assertThat(s.session().startDate()).isEqualTo(s.eventTime());
        assertThat(s.detection().path()).isEqualTo("event");
        assertThat(s.detection().sourceIp()).isEqualTo("203.0.113.24");
        assertThat(s.detection().userAgent()).startsWith("aws-cli/2.22.4");
    }

    @Test
    void noDocumentMeansTheDefaultShell() {
        assertThat(parse(StartSessionEvents.sample().document(null)).started().session().documentName())
                .isEqualTo("SSM-SessionManagerRunShell");
    }

    @Test
    void aDocumentGivenByItsArnIsJudgedByItsName() {
        assertThat(parse(StartSessionEvents.sample().document("arn:aws:ssm:eu-west-1::document/AWS-StartPortForwardingSessionToRemoteHost"))
                .started().session().documentName()).isEqualTo("AWS-StartPortForwardingSessionToRemoteHost");
    }

    @Test
    void anIamUserIsTheOwnerAsDescribeSessionsReportsIt() {
        assertThat(parse(StartSessionEvents.sample().owner("arn:aws:iam::123456789012:user/bob")).started().session().owner())
                .isEqualTo("arn:aws:iam::123456789012:user/bob");
    }

    @Test
    void ecsExecSessionsKeepTheirTargetAndTheServiceAsSource() {
        StartSessionEvents e = StartSessionEvents.sample().sessionId("ecs-execute-command-0a1b2c3d4e5f60718")
                .target("ecs:payments_5f2a9c0e1b2d4e6f8a0b1c2d3e4f5a6b_5f2a9c0e1b2d4e6f8a0b1c2d3e4f5a6b-1234567890")
                .document("AmazonECS-ExecuteInteractiveCommand").put("sourceIPAddress", "ecs.amazonaws.com")
                .put("userAgent", "ecs.amazonaws.com");
        StartedSession s = parse(e).started();
        assertThat(s.session().sessionId()).isEqualTo("ecs-execute-command-0a1b2c3d4e5f60718");
        assertThat(s.session().target()).startsWith("ecs:payments_");
        assertThat(s.detection().sourceIp()).isEqualTo("ecs.amazonaws.com");
    }

    @Test
    void accountAndRegionAreTheRecordsNotTheFunctions() {
        StartSessionEvents e = StartSessionEvents.sample().account("210987654321").put("awsRegion", "ap-southeast-2");
        StartedSession s = parse(e).started();
        assertThat(s.account()).isEqualTo("210987654321");
        assertThat(s.region()).isEqualTo("ap-southeast-2");
    }

    @Test
    void aRefusedCallStartedNoSession() {
        StartSessionEvents e = StartSessionEvents.sample().put("errorCode", "AccessDenied")
                .put("errorMessage", "User is not authorized to perform: ssm:StartSession");
        ((ObjectNode) e.detail()).putNull("responseElements");
        ParsedEvent p = parse(e);
        assertThat(p.started()).isNull();
        assertThat(p.malformed()).isFalse();
        assertThat(p.errorCode()).isEqualTo("AccessDenied");
        assertThat(p.ignored()).contains("refused").contains("AccessDenied");
    }

    @Test
    void resumeSessionIsAReconnectionNotANewSession() {
        ParsedEvent p = parse(StartSessionEvents.sample().eventName("ResumeSession"));
        assertThat(p.started()).isNull();
        assertThat(p.malformed()).isFalse();
        assertThat(p.ignored()).contains("reconnects");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TerminateSession", "DescribeSessions", ""})
    void otherCallsAreIgnored(String name) {
        ParsedEvent p = parse(StartSessionEvents.sample().eventName(name));
        assertThat(p.started()).isNull();
        assertThat(p.malformed()).isFalse();
    }

    @Test
    void foreignEventsAreIgnoredWithoutAlarm() {
        ParsedEvent scheduled = parse("{\"version\":\"0\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                + "\"account\":\"123456789012\",\"time\":\"2026-11-30T12:00:00Z\",\"region\":\"eu-west-1\",\"detail\":{}}");
        assertThat(scheduled.started()).isNull();
        assertThat(scheduled.malformed()).isFalse();
        assertThat(scheduled.ignored()).contains("aws.events");
        // A custom event that mimics the detail-type: only AWS can send source aws.*, so the source decides.
        ObjectNode forged = StartSessionEvents.sample().json().put("source", "my.app");
        assertThat(parser.parse(forged.toString().getBytes(StandardCharsets.UTF_8)).started()).isNull();
        assertThat(parse(StartSessionEvents.sample().put("eventSource", "ec2.amazonaws.com")).started()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "null", "[]", "\"StartSession\"", "{", "{\"detail\":", "{\"source\":\"aws.ssm\"}}",
            "{\"source\":\"aws.ssm\",\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":7}"})
    void brokenEventsAreIgnoredNeverThrown(String raw) {
        ParsedEvent p = parse(raw);
        assertThat(p.started()).isNull();
        assertThat(p.ignored()).isNotBlank();
    }

    @Test
    void aTruncatedRecordIsIgnoredWithReason() {
        String full = StartSessionEvents.sample().toString();
        for (int cut = 1; cut < full.length(); cut += 37) {
            ParsedEvent p = parse(full.substring(0, cut));
            assertThat(p.started()).as("cut at %d", cut).isNull();
            assertThat(p.malformed()).isTrue();
        }
    }

    @Test
    void withoutASessionIdThereIsNothingToJudge() {
        StartSessionEvents e = StartSessionEvents.sample();
        ((ObjectNode) e.detail().get("responseElements")).remove("sessionId");
        ParsedEvent p = parse(e);
        assertThat(p.started()).isNull();
        assertThat(p.malformed()).isTrue();
        assertThat(p.ignored()).contains("sessionId");
    }

    @Test
    void withoutAValidAccountOrRegionThereIsNothingToJudge() {
        assertThat(parse(StartSessionEvents.sample().account("12345")).started()).isNull();
        StartSessionEvents noRegion = StartSessionEvents.sample().remove("awsRegion");
        noRegion.json().remove("region");
        assertThat(parse(noRegion).started()).isNull();
    }

    @Test
    void withoutOwnerOrTargetTheSessionIsSeenButNotJudged() {
        StartSessionEvents e = StartSessionEvents.sample();
        ((ObjectNode) e.detail().get("requestParameters")).remove("target");
        ((ObjectNode) e.detail().get("userIdentity")).remove("arn");
        StartedSession s = parse(e).started();
        assertThat(s.session().sessionId()).isEqualTo("alice@example.com-0f3c9a7d2b1e4c5a6");
        assertThat(s.missing()).isEqualTo("userIdentity.arn, requestParameters.target");
    }

    @Test
    void withoutEventTimeTheEnvelopeTimeServes() {
        StartSessionEvents e = StartSessionEvents.sample().remove("eventTime");
        assertThat(parse(e).started().eventTime()).isEqualTo(Instant.parse("2026-11-30T11:58:03Z"));
        e.json().remove("time");
        assertThat(parse(e).started().missing()).isEqualTo("eventTime");
    }

    @Test
    void anAbsurdEventTimeIsNotUsed() {
        StartSessionEvents e = StartSessionEvents.sample().put("eventTime", "+999999999-12-31T23:59:59Z");
        assertThat(parse(e).started().eventTime()).as("the envelope's").isEqualTo(Instant.parse("2026-11-30T11:58:03Z"));
        e.json().put("time", "1970-01-01T00:00:00Z");
        assertThat(parse(e).started().missing()).isEqualTo("eventTime");
    }

    @Test
    void fieldsOfTheWrongTypeCountAsMissing() {
        StartSessionEvents e = StartSessionEvents.sample();
        ((ObjectNode) e.detail().get("requestParameters")).put("target", 42);
        ((ObjectNode) e.detail()).putArray("userIdentity");
        assertThat(parse(e).started().missing()).isEqualTo("userIdentity.arn, requestParameters.target");
    }
}
