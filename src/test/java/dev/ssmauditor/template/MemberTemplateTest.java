package dev.ssmauditor.template;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads member-template.yaml: the role the hub assumes, and the StartSession forwarding. */
@SuppressWarnings("unchecked")
class MemberTemplateTest {

    private static final Object HUB_ROOT = Map.of("AWS", Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::${HubAccountId}:root"));
    private static final Object HUB_ROLES_ONLY = Map.of("ArnEquals", Map.of("aws:PrincipalArn", Map.of("Ref", "HubAuditRoleArns")));

    private static Map<String, Object> member;

    @BeforeAll
    static void read() throws IOException {
        member = TemplateYaml.read(Path.of("member-template.yaml"));
    }

    private static Map<String, Object> fresh() throws IOException {
        return TemplateYaml.read(Path.of("member-template.yaml"));
    }

    private static Map<String, Object> resource(Map<String, Object> t, String name) {
        return (Map<String, Object>) ((Map<String, Object>) t.get("Resources")).get(name);
    }

    private static Map<String, Object> properties(Map<String, Object> t, String name) {
        return (Map<String, Object>) resource(t, name).get("Properties");
    }

    private static List<Map<String, Object>> trust(Map<String, Object> t, String role) {
        return (List<Map<String, Object>>) ((Map<String, Object>) properties(t, role).get("AssumeRolePolicyDocument")).get("Statement");
    }

    /** What is wrong with the member role's trust policy: empty when only the hub's audit roles may assume it. */
    static List<String> trustProblems(Map<String, Object> t) {
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> statements = trust(t, "MemberRole");
        if (statements.size() != 1) {
            problems.add(statements.size() + " trust statements");
        }
        for (Map<String, Object> st : statements) {
            if (!"Allow".equals(st.get("Effect"))) {
                problems.add("effect " + st.get("Effect"));
            }
            if (!HUB_ROOT.equals(st.get("Principal"))) {
                problems.add("principal " + st.get("Principal"));
            }
            if (!"sts:AssumeRole".equals(st.get("Action")) && !List.of("sts:AssumeRole").equals(st.get("Action"))) {
                problems.add("actions " + st.get("Action"));
            }
            if (!HUB_ROLES_ONLY.equals(st.get("Condition"))) {
                problems.add("condition " + st.get("Condition"));
            }
        }
        return problems;
    }

    /** Each action the member role grants, with the condition it is granted under ("" for always). */
    static Map<String, String> memberGrants(Map<String, Object> t) {
        Map<String, String> grants = new java.util.LinkedHashMap<>();
        for (Map<String, Object> policy : (List<Map<String, Object>>) properties(t, "MemberRole").get("Policies")) {
            for (Object s : (List<Object>) ((Map<String, Object>) policy.get("PolicyDocument")).get("Statement")) {
                String condition = "";
                Map<String, Object> st = (Map<String, Object>) s;
                if (st.get("Fn::If") instanceof List<?> fnIf) {
                    assertThat(fnIf.get(2)).isEqualTo(Map.of("Ref", "AWS::NoValue"));
                    condition = (String) fnIf.get(0);
                    st = (Map<String, Object>) fnIf.get(1);
                }
                assertThat(st.get("Effect")).isEqualTo("Allow");
                Object actions = st.get("Action");
                for (Object a : actions instanceof List<?> l ? l : List.of(actions)) {
                    grants.put((String) a, condition);
                }
            }
        }
        return grants;
    }

    /** Every principal anywhere in the template that is '*' (as a string, or as an AWS principal). */
    static List<String> wildcardPrincipals(Object node, String path) {
        List<String> found = new ArrayList<>();
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object v = e.getValue();
                if ("Principal".equals(e.getKey()) && ("*".equals(v) || v instanceof Map<?, ?> p
                        && (String.valueOf(p.get("AWS")).equals("*") || String.valueOf(p.get("AWS")).equals("[*]")))) {
                    found.add(path + "/Principal");
                }
                found.addAll(wildcardPrincipals(v, path + "/" + e.getKey()));
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                found.addAll(wildcardPrincipals(l.get(i), path + "/" + i));
            }
        }
        return found;
    }

    @Test
    void onlyTheHubsAuditRolesMayAssumeTheMemberRole() {
        assertThat(trustProblems(member)).isEmpty();
    }

    @Test
    void theTrustCheckCatchesAnotherPrincipalAnotherActionOrAMissingCondition() throws IOException {
        Map<String, Object> anyone = fresh();
        trust(anyone, "MemberRole").get(0).put("Principal", Map.of("AWS", "*"));
        assertThat(trustProblems(anyone)).singleElement().asString().startsWith("principal");

        Map<String, Object> tagging = fresh();
        trust(tagging, "MemberRole").get(0).put("Action", List.of("sts:AssumeRole", "sts:TagSession"));
        assertThat(trustProblems(tagging)).singleElement().asString().startsWith("actions");

        Map<String, Object> wholeAccount = fresh();
        trust(wholeAccount, "MemberRole").get(0).remove("Condition");
        assertThat(trustProblems(wholeAccount)).singleElement().asString().startsWith("condition");

        Map<String, Object> second = fresh();
        List<Map<String, Object>> statements = new ArrayList<>(trust(second, "MemberRole"));
        statements.add(Map.of("Effect", "Allow", "Principal", Map.of("Service", "ec2.amazonaws.com"), "Action", "sts:AssumeRole"));
        ((Map<String, Object>) properties(second, "MemberRole").get("AssumeRolePolicyDocument")).put("Statement", statements);
        assertThat(trustProblems(second)).contains("2 trust statements");
    }

    @Test
    void theMemberRoleListsSessionsAndOnlyWhenAskedRegionsAndEndsThem() {
        assertThat(memberGrants(member)).containsExactly(
                Map.entry("ssm:DescribeSessions", ""),
                Map.entry("ec2:DescribeRegions", "MemberRoleListsRegions"),
                Map.entry("ssm:TerminateSession", "MemberRoleTerminates"));
        Map<String, Object> conditions = (Map<String, Object>) member.get("Conditions");
        assertThat(conditions.get("MemberRoleListsRegions")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "ListEnabledRegions"), "true")));
        Map<String, Object> param = (Map<String, Object>) ((Map<String, Object>) member.get("Parameters")).get("ListEnabledRegions");
        assertThat(param).containsEntry("Default", "false").containsEntry("AllowedValues", List.of("false", "true"));
        Map<String, Object> role = properties(member, "MemberRole");
        assertThat(role).doesNotContainKey("ManagedPolicyArns").doesNotContainKey("PermissionsBoundary")
                .containsEntry("RoleName", Map.of("Ref", "MemberRoleName"))
                .containsEntry("MaxSessionDuration", 3600);
        assertThat(LeastPrivilege.problems(member)).isEmpty();
    }

    /** Every Allow statement of the member role as deployed with the given parameters (in its primary region). */
    static List<Map<String, Object>> memberStatements(String... parameters) {
        String[] all = java.util.Arrays.copyOf(parameters, parameters.length + 2);
        all[parameters.length] = "PrimaryRegion";
        all[parameters.length + 1] = "eu-west-1";
        Deployment d = Deployment.of(member, all);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object policy : (List<Object>) d.properties("MemberRole").get("Policies")) {
            out.addAll((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) policy).get("PolicyDocument")).get("Statement"));
        }
        return out;
    }

    @Test
    void theMemberRoleEndsSessionsOfItsAccountOnlyWhenTheHubAllowsIt() {
        Map<String, Object> param = (Map<String, Object>) ((Map<String, Object>) member.get("Parameters")).get("AllowTermination");
        assertThat(param).containsEntry("Type", "String").containsEntry("Default", "false").containsEntry("AllowedValues", List.of("false", "true"));
        assertThat(((Map<String, Object>) member.get("Conditions")).get("MemberRoleTerminates"))
                .isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "AllowTermination"), "true")));
        // By default, and with every other switch on: the role cannot end a session.
        assertThat(String.valueOf(memberStatements())).doesNotContain("ssm:TerminateSession");
        assertThat(String.valueOf(memberStatements("ListEnabledRegions", "true", "AllowTermination", "false")))
                .doesNotContain("ssm:TerminateSession");
        // Asked: one statement, that action alone, on the sessions of this account, in any region.
        assertThat(memberStatements("AllowTermination", "true"))
                .filteredOn(st -> String.valueOf(st.get("Action")).contains("ssm:TerminateSession")).singleElement().satisfies(st -> {
                    assertThat(st.get("Effect")).isEqualTo("Allow");
                    assertThat(st.get("Action")).isEqualTo("ssm:TerminateSession");
                    assertThat(st.get("Resource")).isEqualTo(Map.of("Fn::Sub", "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:session/*"));
                    assertThat(st).doesNotContainKey("NotResource").doesNotContainKey("NotAction");
                });
        // And nothing else changes: the same statements but that one.
        List<Map<String, Object>> ending = new ArrayList<>(memberStatements("AllowTermination", "true"));
        ending.removeIf(st -> "ssm:TerminateSession".equals(st.get("Action")));
        assertThat(ending).isEqualTo(memberStatements());
        assertThat(trustProblems(member)).isEmpty();
        assertThat(LeastPrivilege.problems(Deployment.of(member, "PrimaryRegion", "eu-west-1", "AllowTermination", "true").template())).isEmpty();
    }

    @Test
    void theGrantCheckSeesAConditionalStatementAndAnExtraAction() throws IOException {
        Map<String, Object> wider = fresh();
        Map<String, Object> policy = ((List<Map<String, Object>>) properties(wider, "MemberRole").get("Policies")).get(0);
        List<Object> statements = new ArrayList<>((List<Object>) ((Map<String, Object>) policy.get("PolicyDocument")).get("Statement"));
        statements.add(Map.of("Fn::If", List.of("MemberRoleListsRegions",
                Map.of("Effect", "Allow", "Action", "ssm:StartSession", "Resource", "*"), Map.of("Ref", "AWS::NoValue"))));
        ((Map<String, Object>) policy.get("PolicyDocument")).put("Statement", statements);
        assertThat(memberGrants(wider)).containsEntry("ssm:StartSession", "MemberRoleListsRegions");
        // The least-privilege check looks into both branches of a condition too.
        assertThat(LeastPrivilege.problems(wider)).anySatisfy(p -> assertThat(p).contains("Resource '*' for [ssm:StartSession]"));
    }

    @Test
    void theMemberRoleExistsOnlyInThePrimaryRegion() {
        assertThat(resource(member, "MemberRole").get("Condition")).isEqualTo("IsPrimaryRegion");
        assertThat(((Map<String, Object>) member.get("Conditions")).get("IsPrimaryRegion"))
                .isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "AWS::Region"), Map.of("Ref", "PrimaryRegion"))));
        Map<String, Object> output = (Map<String, Object>) ((Map<String, Object>) member.get("Outputs")).get("MemberRoleArn");
        assertThat(output).containsEntry("Condition", "IsPrimaryRegion")
                .containsEntry("Value", Map.of("Fn::GetAtt", List.of("MemberRole", "Arn")));
    }

    @Test
    void noPrincipalIsAWildcard() throws IOException {
        assertThat(wildcardPrincipals(member, "")).isEmpty();
        Map<String, Object> open = fresh();
        trust(open, "ForwardingRole").get(0).put("Principal", "*");
        assertThat(wildcardPrincipals(open, "")).containsExactly("/Resources/ForwardingRole/Properties/AssumeRolePolicyDocument/Statement/0/Principal");
    }

    @Test
    void theForwardingRoleMayOnlyPutEventsOnTheHubBusAndOnlyEventBridgeOfThisAccountAssumesIt() {
        Map<String, Object> role = properties(member, "ForwardingRole");
        assertThat(resource(member, "ForwardingRole").get("Condition")).isEqualTo("ForwardsEvents");
        // No fixed name: one stack instance per region, each with its own role.
        assertThat(role).doesNotContainKey("RoleName").doesNotContainKey("ManagedPolicyArns");
        List<Map<String, Object>> policies = (List<Map<String, Object>>) role.get("Policies");
        List<Object> statements = new ArrayList<>();
        for (Map<String, Object> p : policies) {
            statements.addAll((List<Object>) ((Map<String, Object>) p.get("PolicyDocument")).get("Statement"));
        }
        assertThat(statements).singleElement().satisfies(s -> {
            Map<String, Object> st = (Map<String, Object>) s;
            assertThat(st.get("Effect")).isEqualTo("Allow");
            assertThat(st.get("Action")).isEqualTo("events:PutEvents");
            assertThat(st.get("Resource")).isEqualTo(Map.of("Ref", "HubEventBusArn"));
            assertThat(st).doesNotContainKey("NotAction").doesNotContainKey("NotResource");
        });
        assertThat(trust(member, "ForwardingRole")).singleElement().satisfies(st -> {
            assertThat(st.get("Principal")).isEqualTo(Map.of("Service", "events.amazonaws.com"));
            assertThat(st.get("Action")).isEqualTo("sts:AssumeRole");
            assertThat(st.get("Condition")).isEqualTo(Map.of("StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))));
        });
    }

    @Test
    void theRuleForwardsOnlyStartSessionCallsToTheHubBusWithTheForwardingRole() {
        Map<String, Object> rule = resource(member, "ForwardStartSessionRule");
        assertThat(rule).containsEntry("Type", "AWS::Events::Rule").containsEntry("Condition", "ForwardsEvents");
        Map<String, Object> props = (Map<String, Object>) rule.get("Properties");
        // The default bus: where CloudTrail's management events arrive.
        assertThat(props).doesNotContainKey("EventBusName").containsEntry("State", "ENABLED");
        assertThat(props.get("EventPattern")).isEqualTo(Map.of(
                "source", List.of("aws.ssm"),
                "detail-type", List.of("AWS API Call via CloudTrail"),
                "detail", Map.of("eventSource", List.of("ssm.amazonaws.com"), "eventName", List.of("StartSession"))));
        assertThat(props.get("Targets")).isEqualTo(List.of(Map.of("Id", "hub-event-bus", "Arn", Map.of("Ref", "HubEventBusArn"),
                "RoleArn", Map.of("Fn::GetAtt", List.of("ForwardingRole", "Arn")))));
        assertThat(((Map<String, Object>) member.get("Conditions")).get("ForwardsEvents"))
                .isEqualTo(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "HubEventBusArn"), "")))));
    }

    @Test
    void theParametersAreValidatedWhereAWrongValueWouldOpenOrBreakTheRole() {
        Map<String, Object> params = (Map<String, Object>) member.get("Parameters");
        assertThat((Map<String, Object>) params.get("HubAccountId")).containsEntry("AllowedPattern", "^[0-9]{12}$");
        assertThat((Map<String, Object>) params.get("HubAuditRoleArns")).containsEntry("Type", "CommaDelimitedList")
                .doesNotContainKey("Default");
        assertThat((Map<String, Object>) params.get("HubEventBusArn")).containsEntry("Default", "");
        assertThat(((Map<String, Object>) params.get("PrimaryRegion"))).doesNotContainKey("Default");
        assertThat(((Map<String, Object>) params.get("MemberRoleName")).get("AllowedPattern"))
                .isEqualTo(((Map<String, Object>) ((Map<String, Object>) TemplateYamlHolder.hub().get("Parameters"))
                        .get("MemberRoleName")).get("AllowedPattern"));
    }

    /** The hub template, read once for the cross-template checks. */
    private static final class TemplateYamlHolder {
        private static Map<String, Object> hub;

        static Map<String, Object> hub() {
            try {
                if (hub == null) {
                    hub = TemplateYaml.read(Path.of("template.yaml"));
                }
                return hub;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
