package dev.ssmauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.testing.FakeContext;
import dev.ssmauditor.testing.FakeEc2;
import dev.ssmauditor.testing.FakeOrganizations;
import dev.ssmauditor.testing.FakeSsm;
import dev.ssmauditor.testing.FakeSts;
import dev.ssmauditor.testing.LocalAws;
import dev.ssmauditor.testing.LocalDynamoDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sweep over several accounts and regions, through the real SDK clients against local STS, SSM, SNS and DynamoDB:
 * three accounts (the hub's own and two members, one of which has no member role) in two regions.
 */
class OrganizationAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EVENT = Path.of("events/scheduled-event.json");
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ssm-session-alerts";
    private static final String HUB = "123456789012"; // FakeContext's account
    private static final String MEMBER = "222222222222";
    private static final String ROLELESS = "333333333333";
    private static final String SSO = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/";
    private static final String HUB_KEY = "AKIDTEST"; // surefire's credentials: the function's own role

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalDynamoDb dynamo = new LocalDynamoDb();
    @RegisterExtension
    final FakeOrganizations organizations = new FakeOrganizations();
    @RegisterExtension
    final FakeEc2 ec2 = new FakeEc2();

    private final FakeSts sts = new FakeSts();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void startSts() {
        System.setProperty("aws.endpointUrlSts", sts.open().baseUrl());
        sts.allow(role(MEMBER));
    }

    @AfterEach
    void stopSts() {
        System.clearProperty("aws.endpointUrlSts");
        sts.close();
    }

    private static String role(String account) {
        return "arn:aws:iam::" + account + ":role/ssm-session-auditor-member";
    }

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ALERT_TOPIC_ARN", TOPIC);
        env.put("ALLOWED_OWNERS", SSO + "*");
        env.put("STATE_TABLE", dynamo.table());
        env.put("AUDIT_ACCOUNTS", HUB + "," + MEMBER + "," + ROLELESS);
        env.put("AUDIT_REGIONS", "eu-west-1,us-east-1");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** Every account-region has one compliant session and one stranger of its own. */
    private void sessions() {
        for (String key : List.of(HUB_KEY, FakeSts.accessKeyOf(MEMBER), FakeSts.accessKeyOf(ROLELESS))) {
            for (String region : List.of("eu-west-1", "us-east-1")) {
                String tag = key.substring(key.length() - 3) + "-" + region;
                aws.ssm().setActive(key, region, List.of(
                        FakeSsm.session("alice-" + tag, "i-0aaa", SSO + "alice", "SSM-SessionManagerRunShell", T.minusSeconds(600)),
                        FakeSsm.session("mallory-" + tag, "i-0bbb", "arn:aws:iam::" + HUB + ":user/mallory",
                                "SSM-SessionManagerRunShell", T.minusSeconds(300))));
            }
        }
    }

    private JsonNode invoke(AuditHandler handler) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Files.readAllBytes(EVENT)), out, new FakeContext());
        return JSON.readTree(out.toByteArray());
    }

    private AuditHandler handler(Map<String, String> env) {
        return new AuditHandler(env, new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock);
    }

    private List<JsonNode> bodies() throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (Map<String, String> p : aws.sns().publishes()) {
            bodies.add(JSON.readTree(JSON.readTree(p.get("Message")).get("default").asText()));
        }
        return bodies;
    }

    private static List<JsonNode> violations(List<JsonNode> bodies) {
        List<JsonNode> out = new ArrayList<>();
        bodies.stream().filter(b -> !b.has("type")).forEach(b -> b.get("violations").forEach(out::add));
        return out;
    }

    @Test
    void everyViolationOfTheAuditedAccountRegionsIsAlertedOnceAndTheRolelessAccountIsAGap() throws Exception {
        sessions();
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(env());

        JsonNode summary = invoke(handler);

        assertThat(summary.get("accountRegions").asInt()).isEqualTo(6);
        assertThat(summary.get("accountRegionsAudited").asInt()).isEqualTo(4);
        assertThat(summary.get("coverageGaps").asInt()).isEqualTo(2);
        assertThat(summary.get("sessionsChecked").asInt()).isEqualTo(8);
        assertThat(summary.get("violations").asInt()).isEqualTo(4);
        List<String> audited = new ArrayList<>();
        summary.get("audited").forEach(a -> audited.add(a.asText()));
        assertThat(audited).containsExactlyInAnyOrder(HUB + ":eu-west-1", HUB + ":us-east-1", MEMBER + ":eu-west-1",
                MEMBER + ":us-east-1");
        assertThat(summary.get("notAudited")).hasSize(2).allSatisfy(n -> {
            assertThat(n.get("accountRegion").asText()).startsWith(ROLELESS + ":");
            assertThat(n.get("reason").asText()).contains("sts:AssumeRole", role(ROLELESS), "AccessDenied");
            assertThat(n.get("attempts").asInt()).isEqualTo(2);
        });

        List<JsonNode> bodies = bodies();
        List<String> where = new ArrayList<>();
        for (JsonNode b : bodies) {
            if (!b.has("type")) {
                for (JsonNode v : b.get("violations")) {
                    where.add(b.get("account").asText() + ":" + b.get("region").asText() + ":" + v.get("sessionId").asText());
                }
            }
        }
        assertThat(where).containsExactlyInAnyOrder(
                HUB + ":eu-west-1:mallory-EST-eu-west-1", HUB + ":us-east-1:mallory-EST-us-east-1",
                MEMBER + ":eu-west-1:mallory-222-eu-west-1", MEMBER + ":us-east-1:mallory-222-us-east-1");
        List<JsonNode> coverage = bodies.stream().filter(b -> b.has("type")).toList();
        assertThat(coverage).hasSize(1);
        assertThat(coverage.get(0).get("type").asText()).isEqualTo("coverage");
        assertThat(coverage.get(0).get("gaps")).hasSize(2).allSatisfy(g -> assertThat(g.get("account").asText()).isEqualTo(ROLELESS));
        assertThat(coverage.get(0).get("recovered")).isEmpty();
        // The member account's credentials are assumed once for both its regions, and the hub's never.
        assertThat(sts.assumeRoleCalls(role(MEMBER))).isEqualTo(1);
        assertThat(sts.assumeRoleCalls(role(HUB))).isZero();
        // The roleless account: one refusal for both regions in each pass, the first and the retry.
        assertThat(sts.assumeRoleCalls(role(ROLELESS))).isEqualTo(2);
        assertThat(aws.ssm().calls(FakeSts.accessKeyOf(ROLELESS), "eu-west-1")).isZero();
        // The member's calls carry its session's token, the hub's carry none.
        assertThat(aws.ssm().describeSessionsRequests()).allSatisfy(r -> {
            String key = FakeSsm.signer(r.getHeader("Authorization"))[0];
            assertThat(r.containsHeader("X-Amz-Security-Token") ? r.getHeader("X-Amz-Security-Token") : null)
                    .isEqualTo(key.equals(HUB_KEY) ? null : "token-" + MEMBER);
        });

        // The next run alerts nothing: no violation again, and the gap is not news.
        int before = aws.sns().publishes().size();
        JsonNode second = invoke(handler);
        assertThat(second.get("coverageGaps").asInt()).isEqualTo(2);
        assertThat(second.get("coverageGapsOpened").asInt()).isZero();
        assertThat(aws.sns().publishes()).hasSize(before);

        // The role appears: the account is audited, its violations alerted, and the recovery said once.
        sts.allow(role(ROLELESS));
        JsonNode third = invoke(handler);
        assertThat(third.get("coverageGaps").asInt()).isZero();
        assertThat(third.get("coverageGapsClosed").asInt()).isEqualTo(2);
        List<JsonNode> after = bodies().subList(before, bodies().size());
        assertThat(violations(after)).extracting(v -> v.get("sessionId").asText())
                .containsExactlyInAnyOrder("mallory-333-eu-west-1", "mallory-333-us-east-1");
        assertThat(after.stream().filter(b -> b.has("type")).toList()).singleElement()
                .satisfies(b -> assertThat(b.get("recovered")).hasSize(2));
        int afterThird = aws.sns().publishes().size();
        invoke(handler);
        assertThat(aws.sns().publishes()).hasSize(afterThird);
    }

    @Test
    void nothingAuditedFailsTheRunLoudlyAfterItsSummary() throws Exception {
        sessions();
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(env("AUDIT_ACCOUNTS", ROLELESS));

        assertThatThrownBy(() -> invoke(handler)).hasMessageContaining("nothing could be audited");

        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("\"message\":\"audit failed\"", "\"auditSucceeded\":0", "\"coverageGaps\":2");
        assertThat(bodies()).singleElement().satisfies(b -> assertThat(b.get("type").asText()).isEqualTo("coverage"));
    }

    @Test
    void theWholeOrganisationInEachAccountsEnabledRegionsWithTheAccountsNamesInTheAlerts() throws Exception {
        sessions();
        aws.sns().acceptPublishes();
        organizations.pageSize(1).emptyPageAfter(1).accounts(List.of(new MemberAccount(HUB, "Security"),
                new MemberAccount(MEMBER, "Payments"), new MemberAccount(ROLELESS, "Sandbox")));
        ec2.enabledRegions(HUB_KEY, List.of("eu-west-1", "us-east-1"));
        ec2.enabledRegions(FakeSts.accessKeyOf(MEMBER), List.of("us-east-1"));
        Map<String, String> env = env("AUDIT_ACCOUNTS", "organization", "AUDIT_REGIONS", "enabled");
        env.putAll(organizations.endpointEnv());
        env.putAll(ec2.endpointEnv());

        JsonNode summary = invoke(handler(env));

        List<String> audited = new ArrayList<>();
        summary.get("audited").forEach(a -> audited.add(a.asText()));
        assertThat(audited).containsExactlyInAnyOrder(HUB + ":eu-west-1", HUB + ":us-east-1", MEMBER + ":us-east-1");
        assertThat(summary.get("notAudited")).singleElement().satisfies(n -> {
            assertThat(n.get("accountRegion").asText()).isEqualTo(ROLELESS + ":*");
            assertThat(n.get("accountName").asText()).isEqualTo("Sandbox");
        });
        List<JsonNode> bodies = bodies();
        assertThat(bodies.stream().filter(b -> !b.has("type")).map(b -> b.get("accountName").asText() + " " + b.get("region").asText()))
                .containsExactlyInAnyOrder("Security eu-west-1", "Security us-east-1", "Payments us-east-1");
        assertThat(aws.sns().publishes()).anySatisfy(p -> assertThat(p.get("Subject"))
                .isEqualTo("SSM session audit: 1 HIGH violation in " + MEMBER + " (Payments) us-east-1"));
        assertThat(bodies.stream().filter(b -> b.has("type")).toList()).singleElement()
                .satisfies(b -> assertThat(b.get("gaps").get(0).get("region").isNull()).isTrue());
        // ListAccounts went on past the empty page, and EC2 was asked with each account's own credentials.
        assertThat(organizations.requestCount()).isGreaterThanOrEqualTo(4);
        assertThat(ec2.describeRegionsRequests(FakeSts.accessKeyOf(MEMBER))).hasSize(1);
    }

    @Test
    void aHubThatMayNotListTheOrganisationFailsAtStartUpNamingTheSetting() throws Exception {
        organizations.accessDenied();
        Map<String, String> env = env("AUDIT_ACCOUNTS", "organization");
        env.putAll(organizations.endpointEnv());

        // At start-up: under SnapStart the version does not publish, without it the init fails, before any run.
        assertThatThrownBy(() -> handler(env)).hasMessageContaining("AUDIT_ACCOUNTS=organization")
                .hasMessageContaining("management account or a delegated administrator");
        assertThat(organizations.requestCount()).isEqualTo(1);
    }

    @Test
    void regionsAloneAuditThisAccountInEachWithItsOwnRoleEvenWithoutItsId() throws Exception {
        sessions();
        aws.sns().acceptPublishes();
        AuditHandler handler = handler(env("AUDIT_ACCOUNTS", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // No context: no invocation ARN, so no account id (a terminal run, a test harness).
        handler.handleRequest(new ByteArrayInputStream(Files.readAllBytes(EVENT)), out, null);

        JsonNode summary = JSON.readTree(out.toByteArray());
        assertThat(summary.get("accountRegionsAudited").asInt()).isEqualTo(2);
        assertThat(summary.get("alerted").asInt()).isEqualTo(2);
        assertThat(sts.assumeRoleCalls(role(MEMBER)) + sts.assumeRoleCalls(role(ROLELESS))).isZero();
    }

    @Test
    void sessionsAreEndedInEachAccountWithItsOwnCredentials() throws Exception {
        sessions();

        JsonNode summary = invoke(handler(env("TERMINATE_RULES", "unexpected-owner")));

        // The hub's own sessions with the function's role, the member's through its member role; the account without
        // a role is a coverage gap, not audited and so not touched.
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of("mallory-EST-eu-west-1", 1, "mallory-EST-us-east-1", 1,
                "mallory-222-eu-west-1", 1, "mallory-222-us-east-1", 1));
        assertThat(summary.get("sessionsTerminated").asInt()).isEqualTo(4);
        for (JsonNode body : bodies()) {
            for (JsonNode v : body.path("violations")) { // the coverage alert (the roleless account) has none
                assertThat(v.get("remediation").asText()).as(v.get("sessionId").asText()).isEqualTo("terminated");
            }
        }
    }

    @Test
    void theEventFunctionEndsAMemberAccountsSessionThroughTheMemberRole() throws Exception {
        String id = "mallory-0a1b2c3d4e5f6a7b8";
        aws.ssm().setActive(FakeSts.accessKeyOf(MEMBER), "eu-west-1", List.of(FakeSsm.session(id, "i-0bbb",
                "arn:aws:iam::" + MEMBER + ":user/mallory", "SSM-SessionManagerRunShell", T.minusSeconds(5))));
        byte[] event = dev.ssmauditor.testing.StartSessionEvents.sample().sessionId(id).account(MEMBER)
                .owner("arn:aws:iam::" + MEMBER + ":user/mallory").target("i-0bbb").document(null).at(T.minusSeconds(5)).bytes();
        StartSessionHandler events = new StartSessionHandler(env("TERMINATE_RULES", "unexpected-owner"),
                new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock, StartSessionHandlerTest.FAST);

        JsonNode out = StartSessionHandlerTest.invoke(events, event);

        assertThat(out.get("sessionsTerminated").asInt()).isEqualTo(1);
        assertThat(aws.ssm().terminatedSessions()).isEqualTo(Map.of(id, 1));
        assertThat(sts.assumeRoleCalls(role(MEMBER))).isEqualTo(1);
    }
}
