package dev.ssmauditor.template;

import dev.ssmauditor.config.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads template.yaml: the hub's organisation pieces (accounts, regions, sharding, the central bus, the StackSet). */
@SuppressWarnings("unchecked")
class OrganizationTemplateTest {

    private static final Object NO_VALUE = Map.of("Ref", "AWS::NoValue");
    private static final Map<String, Object> SOURCE_AWS_SSM = Map.of("source", List.of("aws.ssm"));

    private static Map<String, Object> template;
    private static Map<String, Object> member;

    @BeforeAll
    static void read() throws IOException {
        template = TemplateYaml.read(Path.of("template.yaml"));
        member = TemplateYaml.read(Path.of("member-template.yaml"));
    }

    private static Map<String, Object> section(Map<String, Object> t, String name) {
        return (Map<String, Object>) t.get(name);
    }

    private static Map<String, Object> resource(String name) {
        return (Map<String, Object>) section(template, "Resources").get(name);
    }

    private static Map<String, Object> properties(String name) {
        return (Map<String, Object>) resource(name).get("Properties");
    }

    private static Map<String, Object> variables(String function) {
        return (Map<String, Object>) ((Map<String, Object>) properties(function).get("Environment")).get("Variables");
    }

    private static Object condition(String name) {
        return section(template, "Conditions").get(name);
    }

    private static Map<String, Object> parameter(String name) {
        return (Map<String, Object>) section(template, "Parameters").get(name);
    }

    /**
     * Each action a function's policies grant, with the condition it is granted under ("" for always). A SAM policy
     * template counts as the action it is named after.
     */
    static Map<String, List<String>> grantsByCondition(Map<String, Object> function) {
        Map<String, List<String>> grants = new LinkedHashMap<>();
        for (Object policy : (List<Object>) function.get("Policies")) {
            String condition = "";
            if (policy instanceof Map<?, ?> m && m.get("Fn::If") instanceof List<?> fnIf) {
                assertThat(fnIf.get(2)).as("the else branch of " + fnIf.get(0)).isEqualTo(NO_VALUE);
                condition = (String) fnIf.get(0);
                policy = fnIf.get(1);
            }
            Map<String, Object> p = (Map<String, Object>) policy;
            if (p.containsKey("Statement")) {
                for (Map<String, Object> statement : (List<Map<String, Object>>) p.get("Statement")) {
                    Object actions = statement.get("Action");
                    for (Object action : actions instanceof List<?> l ? l : List.of(actions)) {
                        grants.computeIfAbsent((String) action, a -> new ArrayList<>()).add(condition);
                    }
                }
            } else {
                grants.computeIfAbsent(p.keySet().iterator().next(), a -> new ArrayList<>()).add(condition);
            }
        }
        return grants;
    }

    @Test
    void theShardWorkersOwnMetricsAreAlarmedWhenSharded() {
        for (String alarm : List.of("ShardWorkerFailingAlarm", "ShardWorkerLedgerErrorsAlarm")) {
            assertThat(resource(alarm).get("Condition")).as(alarm).isEqualTo("Sharded");
            assertThat(properties(alarm).get("Dimensions")).as(alarm)
                    .isEqualTo(List.of(Map.of("Name", "Function", "Value", Map.of("Ref", "ShardWorkerFunction"))));
        }
        assertThat(properties("ShardWorkerFailingAlarm").get("MetricName")).isEqualTo("auditSucceeded");
        assertThat(properties("ShardWorkerLedgerErrorsAlarm").get("MetricName")).isEqualTo("ledgerErrors");
    }

    @Test
    void theSweepsNewPermissionsAreEachGrantedOnlyUnderTheirCondition() {
        Map<String, List<String>> grants = grantsByCondition(properties("AuditFunction"));
        assertThat(grants).containsEntry("sts:AssumeRole", List.of("AuditsOtherAccounts"))
                .containsEntry("organizations:ListAccounts", List.of("AuditsOrganization"))
                .containsEntry("ec2:DescribeRegions", List.of("AuditsEnabledRegions"))
                .containsEntry("SQSSendMessagePolicy", List.of("Sharded"))
                .containsEntry("ssm:TerminateSession", List.of("Terminates"))
                .containsEntry("ssm:DescribeSessions", List.of(""));
        assertThat(condition("AuditsOtherAccounts")).isEqualTo(Map.of("Fn::Not",
                List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "AuditAccounts"), "")))));
        assertThat(condition("AuditsOrganization")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "AuditAccounts"), "organization")));
        assertThat(condition("AuditsEnabledRegions")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "AuditRegions"), "enabled")));
        assertThat(condition("Sharded")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "SweepMode"), "sharded")));
    }

    @Test
    void theSweepAssumesOnlyTheMemberRoleByNameAndSendsOnlyToTheShardQueue() {
        String policies = String.valueOf(properties("AuditFunction").get("Policies"));
        assertThat(policies).contains("{Fn::Sub=arn:${AWS::Partition}:iam::*:role/${MemberRoleName}}")
                .contains("{SQSSendMessagePolicy={QueueName={Fn::GetAtt=[ShardQueue, QueueName]}}}");
        assertThat(parameter("MemberRoleName").get("Default")).isEqualTo("ssm-session-auditor-member");
        assertThat((String) parameter("MemberRoleName").get("AllowedPattern")).isEqualTo("^[\\w+=,.@-]{1,64}$");
    }

    @Test
    void theSweepReadsTheOrganisationSettingsFromParametersAndShardsOnlyInShardedMode() {
        Map<String, Object> env = variables("AuditFunction");
        assertThat(env).containsEntry(Settings.AUDIT_ACCOUNTS, Map.of("Ref", "AuditAccounts"))
                .containsEntry(Settings.AUDIT_REGIONS, Map.of("Ref", "AuditRegions"))
                .containsEntry(Settings.MEMBER_ROLE_NAME, Map.of("Ref", "MemberRoleName"))
                .containsEntry(Settings.AUDIT_CONCURRENCY, Map.of("Ref", "AuditConcurrency"))
                .containsEntry(Settings.SHARD_QUEUE_URL, Map.of("Fn::If", List.of("Sharded", Map.of("Ref", "ShardQueue"), NO_VALUE)))
                .doesNotContainKey(Settings.SHARD_MAX_RECEIVES);
        assertThat(parameter("AuditConcurrency")).containsEntry("Type", "Number").containsEntry("Default", 32)
                .containsEntry("MinValue", 1).containsEntry("MaxValue", 256);
        assertThat(parameter("SweepMode")).containsEntry("Default", "single").containsEntry("AllowedValues", List.of("single", "sharded"));
        assertThat(parameter("AuditAccounts").get("Default")).isEqualTo("");
        assertThat(parameter("AuditRegions").get("Default")).isEqualTo("");
        assertThat(parameter("OrganizationId")).containsEntry("Default", "").containsEntry("AllowedPattern", "^(o-[a-z0-9]{10,32})?$");
    }

    @Test
    void theAccountAndRegionPatternsAdmitTheDocumentedFormsOnly() {
        Pattern accounts = Pattern.compile((String) parameter("AuditAccounts").get("AllowedPattern"));
        assertThat(List.of("", "organization", "123456789012", "123456789012,210987654321"))
                .allSatisfy(v -> assertThat(accounts.matcher(v).matches()).as(v).isTrue());
        assertThat(List.of("Organization", "12345678901", "123456789012,", "123456789012, 210987654321", "all"))
                .allSatisfy(v -> assertThat(accounts.matcher(v).matches()).as(v).isFalse());
        Pattern regions = Pattern.compile((String) parameter("AuditRegions").get("AllowedPattern"));
        assertThat(List.of("", "enabled", "eu-west-1", "us-east-1,ap-southeast-2,us-gov-west-1"))
                .allSatisfy(v -> assertThat(regions.matcher(v).matches()).as(v).isTrue());
        assertThat(List.of("all", "eu-west-1,", "EU-WEST-1", "eu-west-1 us-east-1"))
                .allSatisfy(v -> assertThat(regions.matcher(v).matches()).as(v).isFalse());
    }

    @Test
    void theWorkerIsTheSweepsCodeWithItsSettingsAndPermissionsButNoSharding() {
        Map<String, Object> worker = properties("ShardWorkerFunction");
        Map<String, Object> audit = properties("AuditFunction");
        assertThat(resource("ShardWorkerFunction").get("Condition")).isEqualTo("Sharded");
        assertThat(worker.get("Handler")).isEqualTo("dev.ssmauditor.handler.ShardWorkerHandler::handleRequest");
        for (String same : List.of("CodeUri", "Runtime", "Architectures", "MemorySize", "AutoPublishAlias", "SnapStart")) {
            assertThat(worker.get(same)).as(same).isEqualTo(audit.get(same));
        }
        assertThat(worker.get("Timeout")).isEqualTo(Map.of("Ref", "ShardWorkerTimeout"));
        assertThat(((Map<String, Object>) worker.get("LoggingConfig")).get("LogGroup")).isEqualTo(Map.of("Ref", "ShardWorkerLogGroup"));
        assertThat(resource("ShardWorkerLogGroup")).containsEntry("DeletionPolicy", "Retain").containsEntry("Condition", "Sharded");

        Map<String, Object> expected = new HashMap<>(variables("AuditFunction"));
        expected.remove(Settings.SHARD_QUEUE_URL);
        expected.put(Settings.SHARD_MAX_RECEIVES, "3");
        assertThat(variables("ShardWorkerFunction")).isEqualTo(expected);

        Map<String, List<String>> auditGrants = grantsByCondition(audit);
        auditGrants.remove("organizations:ListAccounts");
        auditGrants.remove("SQSSendMessagePolicy");
        assertThat(grantsByCondition(worker)).isEqualTo(auditGrants);
    }

    @Test
    void theWorkerReportsPartialFailuresAndItsConcurrencyIsBounded() {
        Map<String, Object> event = (Map<String, Object>) ((Map<String, Object>) properties("ShardWorkerFunction").get("Events")).get("Shards");
        assertThat(event.get("Type")).isEqualTo("SQS");
        Map<String, Object> props = (Map<String, Object>) event.get("Properties");
        assertThat(props).containsEntry("Queue", Map.of("Fn::GetAtt", List.of("ShardQueue", "Arn")))
                .containsEntry("BatchSize", 10)
                .containsEntry("FunctionResponseTypes", List.of("ReportBatchItemFailures"))
                .containsEntry("ScalingConfig", Map.of("MaximumConcurrency", Map.of("Ref", "ShardWorkerConcurrency")));
        assertThat(parameter("ShardWorkerConcurrency")).containsEntry("Default", 10).containsEntry("MinValue", 2).containsEntry("MaxValue", 1000);
    }

    @Test
    void theWorkersMaxReceivesIsTheQueuesMaxReceiveCount() {
        Map<String, Object> redrive = (Map<String, Object>) properties("ShardQueue").get("RedrivePolicy");
        assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(Map.of("Fn::GetAtt", List.of("ShardDeadLetterQueue", "Arn")));
        assertThat(redrive.get("maxReceiveCount")).isEqualTo(3);
        assertThat(Integer.parseInt((String) variables("ShardWorkerFunction").get(Settings.SHARD_MAX_RECEIVES)))
                .isEqualTo(redrive.get("maxReceiveCount"));
    }

    @Test
    void theShardQueueHidesABatchSixWorkerTimeoutsAndKeepsItLongEnoughToReachTheDeadLetterQueue() {
        Map<String, Object> queue = properties("ShardQueue");
        assertThat(queue.get("VisibilityTimeout")).isEqualTo(Map.of("Fn::FindInMap",
                List.of("ShardVisibilityTimeout", Map.of("Ref", "ShardWorkerTimeout"), "Seconds")));
        Map<String, Object> table = (Map<String, Object>) section(template, "Mappings").get("ShardVisibilityTimeout");
        List<Object> timeouts = (List<Object>) parameter("ShardWorkerTimeout").get("AllowedValues");
        assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(timeouts.stream().map(String::valueOf).toList());
        int maxReceives = (Integer) ((Map<String, Object>) queue.get("RedrivePolicy")).get("maxReceiveCount");
        for (Object timeout : timeouts) {
            int visibility = (Integer) ((Map<String, Object>) table.get(String.valueOf(timeout))).get("Seconds");
            assertThat(visibility).as("visibility for a %s s worker", timeout).isGreaterThanOrEqualTo(6 * (Integer) timeout);
            assertThat((Integer) queue.get("MessageRetentionPeriod")).isGreaterThan(maxReceives * visibility);
        }
        assertThat(queue.get("SqsManagedSseEnabled")).isEqualTo(true);
        assertThat(properties("ShardDeadLetterQueue")).containsEntry("SqsManagedSseEnabled", true)
                .containsEntry("MessageRetentionPeriod", 1209600);
    }

    @Test
    void theDeadLetterQueueAndTheWorkersErrorsRaiseAlarms() {
        Map<String, Object> dlq = properties("ShardDeadLetterAlarm");
        assertThat(dlq.get("MetricName")).isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(dlq.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "QueueName",
                "Value", Map.of("Fn::GetAtt", List.of("ShardDeadLetterQueue", "QueueName")))));
        assertThat(dlq.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", "AlertTopic")));
        Map<String, Object> errors = properties("ShardWorkerErrorsAlarm");
        assertThat(errors.get("MetricName")).isEqualTo("Errors");
        assertThat(errors.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "FunctionName", "Value", Map.of("Ref", "ShardWorkerFunction"))));
        assertThat(errors.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", "AlertTopic")));
        assertThat(List.of("ShardDeadLetterAlarm", "ShardWorkerErrorsAlarm", "ShardQueue", "ShardDeadLetterQueue", "ShardQueuesPolicy"))
                .allSatisfy(r -> assertThat(resource(r).get("Condition")).as(r).isEqualTo("Sharded"));
    }

    @Test
    void theWorkerKeepsTheLedgerLikeTheSweep() {
        List<Object> statements = (List<Object>) ((Map<String, Object>) ((Map<String, Object>) properties("AlertLedger")
                .get("ResourcePolicy")).get("PolicyDocument")).get("Statement");
        Map<String, Object> sweep = (Map<String, Object>) statements.stream()
                .filter(s -> s instanceof Map<?, ?> m && "AuditorKeepsTheLedger".equals(m.get("Sid"))).findFirst().orElseThrow();
        assertThat(statements).filteredOn(s -> ((Map<String, Object>) s).containsKey("Fn::If")
                && "Sharded".equals(((List<Object>) ((Map<String, Object>) s).get("Fn::If")).get(0))).singleElement().satisfies(s -> {
            List<Object> fnIf = (List<Object>) ((Map<String, Object>) s).get("Fn::If");
            assertThat(fnIf.get(0)).isEqualTo("Sharded");
            assertThat(fnIf.get(2)).isEqualTo(NO_VALUE);
            Map<String, Object> worker = (Map<String, Object>) fnIf.get(1);
            assertThat(worker.get("Principal")).isEqualTo(Map.of("AWS", Map.of("Fn::GetAtt", List.of("ShardWorkerFunctionRole", "Arn"))));
            assertThat(worker.get("Action")).isEqualTo(sweep.get("Action"));
            assertThat(worker.get("Effect")).isEqualTo("Allow");
        });
    }

    @Test
    void theHubBusAdmitsPutEventsOnlyFromTheOrganisation() {
        assertThat(resource("HubEventBus")).containsEntry("Type", "AWS::Events::EventBus").containsEntry("Condition", "HasOrganization");
        assertThat(condition("HasOrganization")).isEqualTo(Map.of("Fn::Not",
                List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "OrganizationId"), "")))));
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) properties("HubEventBus")
                .get("Policy")).get("Statement");
        assertThat(statements).isNotEmpty().allSatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Allow");
            assertThat(st.get("Action")).isEqualTo("events:PutEvents");
            assertThat(st.get("Condition")).isEqualTo(Map.of("StringEquals", Map.of("aws:PrincipalOrgID", Map.of("Ref", "OrganizationId"))));
        });
        // Nor is the bus opened any other way.
        assertThat(section(template, "Resources").values()).noneSatisfy(r ->
                assertThat(((Map<String, Object>) r).get("Type")).isEqualTo("AWS::Events::EventBusPolicy"));
    }

    @Test
    void theEventFunctionAlsoHearsTheHubBusWithTheSamePatternAndSwitch() {
        Map<String, Object> events = (Map<String, Object>) properties("StartSessionFunction").get("Events");
        Map<String, Object> local = (Map<String, Object>) ((Map<String, Object>) events.get("StartSession")).get("Properties");
        Map<String, Object> hub = (Map<String, Object>) events.get("HubStartSession");
        assertThat(hub.get("Type")).isEqualTo("EventBridgeRule");
        Map<String, Object> props = (Map<String, Object>) hub.get("Properties");
        assertThat(props.get("EventBusName")).isEqualTo(Map.of("Fn::If", List.of("HasOrganization", Map.of("Ref", "HubEventBus"), "default")));
        assertThat(props.get("Pattern")).isEqualTo(local.get("Pattern"));
        assertThat(props.get("State")).isEqualTo(Map.of("Fn::If", List.of("HubStartSessionEventsEnabled", "ENABLED", "DISABLED")));
        assertThat(condition("HubStartSessionEventsEnabled")).isEqualTo(Map.of("Fn::And",
                List.of(Map.of("Condition", "HasOrganization"), Map.of("Condition", "StartSessionEventsEnabled"))));
    }

    /** Every event pattern of both templates, SAM events and plain rules alike. */
    static List<Object> patterns(Map<String, Object> t) {
        List<Object> patterns = new ArrayList<>();
        for (Object r : ((Map<String, Object>) t.get("Resources")).values()) {
            Map<String, Object> res = (Map<String, Object>) r;
            Map<String, Object> props = (Map<String, Object>) res.getOrDefault("Properties", Map.of());
            if ("AWS::Events::Rule".equals(res.get("Type")) && props.containsKey("EventPattern")) {
                patterns.add(props.get("EventPattern"));
            }
            for (Object e : ((Map<String, Object>) props.getOrDefault("Events", Map.of())).values()) {
                Map<String, Object> event = (Map<String, Object>) e;
                if (List.of("EventBridgeRule", "CloudWatchEvent").contains(event.get("Type"))) {
                    patterns.add(((Map<String, Object>) event.get("Properties")).get("Pattern"));
                }
            }
        }
        return patterns;
    }

    @Test
    void everyPatternOfBothTemplatesKeepsItsSource() {
        assertThat(patterns(template)).hasSize(2);
        assertThat(patterns(member)).hasSize(1);
        for (Object pattern : List.of(patterns(template), patterns(member))) {
            assertThat((List<Object>) pattern).allSatisfy(p -> assertThat((Map<String, Object>) p).containsAllEntriesOf(SOURCE_AWS_SSM));
        }
        Map<String, Object> broken = TemplateYaml.parse("""
                Resources:
                  R:
                    Type: AWS::Events::Rule
                    Properties:
                      EventPattern: {detail-type: [AWS API Call via CloudTrail]}
                """);
        assertThat(patterns(broken)).singleElement().satisfies(p -> assertThat((Map<String, Object>) p).doesNotContainKey("source"));
    }

    @Test
    void theStackSetIsServiceManagedAutoDeployedAndFeedsEveryMemberParameter() throws IOException {
        assertThat(resource("MemberStacks")).containsEntry("Type", "AWS::CloudFormation::StackSet")
                .containsEntry("Condition", "DeploysMemberStackSet");
        assertThat(condition("DeploysMemberStackSet")).isEqualTo(Map.of("Fn::Not",
                List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "MemberStackSet"), "none")))));
        assertThat(parameter("MemberStackSet")).containsEntry("Default", "none")
                .containsEntry("AllowedValues", List.of("none", "self", "delegated-admin"));
        Map<String, Object> props = properties("MemberStacks");
        assertThat(props).containsEntry("PermissionModel", "SERVICE_MANAGED")
                .containsEntry("AutoDeployment", Map.of("Enabled", true, "RetainStacksOnAccountRemoval", false))
                .containsEntry("CallAs", Map.of("Fn::If", List.of("MemberStackSetAsDelegatedAdmin", "DELEGATED_ADMIN", "SELF")))
                .containsEntry("Capabilities", List.of("CAPABILITY_NAMED_IAM"))
                .containsEntry("TemplateURL", "member-template.yaml");
        assertThat(Files.isRegularFile(Path.of((String) props.get("TemplateURL")))).isTrue();
        List<Object> group = (List<Object>) ((Map<String, Object>) props.get("StackInstancesGroup")).get("Fn::If");
        assertThat(group.get(1)).isEqualTo(List.of(Map.of(
                "DeploymentTargets", Map.of("OrganizationalUnitIds", Map.of("Ref", "MemberOrganizationalUnitIds")),
                "Regions", Map.of("Ref", "MemberRegions"))));
        Map<String, Object> preferences = (Map<String, Object>) props.get("OperationPreferences");
        assertThat((Integer) preferences.get("FailureTolerancePercentage")).isBetween(0, 50);
        assertThat((Integer) preferences.get("MaxConcurrentPercentage")).isBetween(1, 100);

        Map<String, Object> passed = new HashMap<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) props.get("Parameters")) {
            passed.put((String) p.get("ParameterKey"), p.get("ParameterValue"));
        }
        // The contract with member-template.yaml: every parameter it declares, nothing else.
        assertThat(passed.keySet()).containsExactlyInAnyOrderElementsOf(section(member, "Parameters").keySet());
        assertThat(passed).containsEntry("HubAccountId", Map.of("Ref", "AWS::AccountId"))
                .containsEntry("MemberRoleName", Map.of("Ref", "MemberRoleName"))
                .containsEntry("PrimaryRegion", Map.of("Fn::Select", List.of(0, Map.of("Ref", "MemberRegions"))))
                .containsEntry("ListEnabledRegions", Map.of("Fn::If", List.of("AuditsEnabledRegions", "true", "false")))
                .containsEntry("AllowTermination", Map.of("Fn::If", List.of("Terminates", "true", "false")))
                .containsEntry("HubEventBusArn", Map.of("Fn::If", List.of("HasOrganization", Map.of("Fn::GetAtt", List.of("HubEventBus", "Arn")), "")));
        assertThat(String.valueOf(passed.get("HubAuditRoleArns"))).contains("AuditFunctionRole").contains("ShardWorkerFunctionRole")
                .contains("Sharded");
        assertThat(passed.get("HubAuditRoleArns")).isEqualTo(section(template, "Outputs").get("HubAuditRoleArns") instanceof Map<?, ?> o
                ? o.get("Value") : null);
    }

    /** The logical ids of the roles in a deployed HubAuditRoleArns value (one !GetAtt, or a !Join of them). */
    static List<String> roles(Object value) {
        Map<String, Object> fn = (Map<String, Object>) value;
        List<Object> atts = fn.containsKey("Fn::Join") ? (List<Object>) ((List<Object>) fn.get("Fn::Join")).get(1) : List.of(fn);
        return atts.stream().map(a -> {
            List<Object> att = (List<Object>) ((Map<String, Object>) a).get("Fn::GetAtt");
            assertThat(att.get(1)).isEqualTo("Arn");
            return (String) att.get(0);
        }).toList();
    }

    @Test
    void theMemberRolesTrustTheEventFunctionOnlyWhenItMayEndSessions() {
        Map<String, Object> stackSetParameter = ((List<Map<String, Object>>) properties("MemberStacks").get("Parameters")).stream()
                .filter(p -> "HubAuditRoleArns".equals(p.get("ParameterKey"))).findFirst().orElseThrow();
        Map<String, Object> commandVariables = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) ((Map<String, Object>) section(
                template, "Outputs").get("MemberStackSetCommands")).get("Value")).get("Fn::Sub")).get(1);
        Map<List<String>, List<String>> expected = Map.of(
                List.of(), List.of("AuditFunctionRole"),
                List.of("SweepMode", "sharded"), List.of("AuditFunctionRole", "ShardWorkerFunctionRole"),
                List.of("TerminateRules", "unexpected-owner"), List.of("AuditFunctionRole", "StartSessionFunctionRole"),
                List.of("PolicyDocument", TemplateTest.REMEDIATION_POLICY, "SweepMode", "sharded"),
                List.of("AuditFunctionRole", "ShardWorkerFunctionRole", "StartSessionFunctionRole"));
        expected.forEach((parameters, roles) -> {
            Deployment d = Deployment.of(template, parameters.toArray(String[]::new));
            // The output, the StackSet's parameter and the commands' value are the same list.
            assertThat(roles(d.output("HubAuditRoleArns"))).as(parameters.toString()).isEqualTo(roles);
            assertThat(roles(d.resolve(stackSetParameter.get("ParameterValue")))).as(parameters.toString()).isEqualTo(roles);
            assertThat(roles(d.resolve(commandVariables.get("RoleArns")))).as(parameters.toString()).isEqualTo(roles);
        });
    }

    @Test
    void theStackSetLetsTheMemberRolesEndSessionsOnlyWhenTheHubMay() {
        Map<String, Object> commandVariables = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) ((Map<String, Object>) section(
                template, "Outputs").get("MemberStackSetCommands")).get("Value")).get("Fn::Sub")).get(1);
        assertThat(commandVariables.get("AllowTermination")).isEqualTo(Map.of("Fn::If", List.of("Terminates", "true", "false")));
        for (String[] parameters : List.of(new String[] {}, new String[] {"TerminateRules", "long-running"},
                new String[] {"PolicyDocument", TemplateTest.REMEDIATION_POLICY})) {
            Deployment d = Deployment.of(template, concat(parameters, "MemberStackSet", "self", "MemberOrganizationalUnitIds", "ou-ab12-abcdefgh",
                    "MemberRegions", "eu-west-1"));
            Map<String, Object> passed = new HashMap<>();
            for (Map<String, Object> p : (List<Map<String, Object>>) d.properties("MemberStacks").get("Parameters")) {
                passed.put((String) p.get("ParameterKey"), p.get("ParameterValue"));
            }
            String expected = parameters.length == 0 ? "false" : "true";
            assertThat(passed.get("AllowTermination")).as(String.join(" ", parameters)).isEqualTo(expected);
            assertThat(d.resolve(commandVariables.get("AllowTermination"))).isEqualTo(expected);
        }
    }

    @Test
    void theEventFunctionAssumesOnlyTheMemberRoleAndOnlyWhenItEndsSessionsOfOtherAccounts() {
        Map<String, List<String>> grants = grantsByCondition(properties("StartSessionFunction"));
        assertThat(grants).containsEntry("sts:AssumeRole", List.of("TerminatesInOtherAccounts"))
                .containsEntry("ssm:TerminateSession", List.of("Terminates"))
                .containsEntry("ssm:DescribeSessions", List.of("Terminates"));
        assertThat(condition("TerminatesInOtherAccounts")).isEqualTo(Map.of("Fn::And", List.of(Map.of("Condition", "Terminates"),
                Map.of("Fn::Or", List.of(Map.of("Condition", "AuditsOtherAccounts"), Map.of("Condition", "HasOrganization"))))));
        // An organisation's bus brings other accounts' events even when the sweep audits this account only.
        assertThat(Deployment.of(template, "TerminateRules", "unexpected-owner", "OrganizationId", "o-a1b2c3d4e5")
                .statements("StartSessionFunction")).anySatisfy(st -> assertThat(Deployment.actionsOf(st)).contains("sts:AssumeRole"));
        assertThat(Deployment.of(template, "OrganizationId", "o-a1b2c3d4e5").statements("StartSessionFunction"))
                .noneSatisfy(st -> assertThat(Deployment.actionsOf(st)).contains("sts:AssumeRole"));
        // Exactly the sweep's statement: the member role, by name, in any account.
        Deployment on = Deployment.of(template, "TerminateRules", "unexpected-owner", "AuditAccounts", "organization");
        Map<String, Object> sweeps = on.statements("AuditFunction").stream()
                .filter(st -> Deployment.actionsOf(st).contains("sts:AssumeRole")).findFirst().orElseThrow();
        assertThat(on.statements("StartSessionFunction")).filteredOn(st -> Deployment.actionsOf(st).contains("sts:AssumeRole"))
                .containsExactly(sweeps);
        assertThat(sweeps.get("Resource")).isEqualTo(Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"));
        assertThat(variables("StartSessionFunction")).containsEntry(Settings.MEMBER_ROLE_NAME, Map.of("Ref", "MemberRoleName"));
        // Not when it ends nothing, nor when the hub audits only its own account.
        assertThat(Deployment.of(template, "AuditAccounts", "organization").actions("StartSessionFunction")).doesNotContain("sts:AssumeRole");
        assertThat(Deployment.of(template, "TerminateRules", "unexpected-owner").actions("StartSessionFunction")).doesNotContain("sts:AssumeRole");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theStackSetRefusesToDeployWithoutTargetsOrRegions() {
        Map<String, Object> rule = (Map<String, Object>) section(template, "Rules").get("MemberStackSetNeedsTargets");
        assertThat(rule.get("RuleCondition")).isEqualTo(condition("DeploysMemberStackSet"));
        assertThat(String.valueOf(rule.get("Assertions"))).contains("{Fn::Contains=[{Ref=MemberOrganizationalUnitIds}, ]}")
                .contains("{Fn::Contains=[{Ref=MemberRegions}, ]}");
    }

    @Test
    void theCommandsOutputCreatesTheSameStackSetByHand() {
        Map<String, Object> output = (Map<String, Object>) section(template, "Outputs").get("MemberStackSetCommands");
        assertThat(output).doesNotContainKey("Condition");
        List<Object> sub = (List<Object>) ((Map<String, Object>) output.get("Value")).get("Fn::Sub");
        String commands = (String) sub.get(0);
        assertThat(commands).contains("aws cloudformation create-stack-set ", "--template-body file://member-template.yaml",
                "--permission-model SERVICE_MANAGED", "--auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false",
                "--capabilities CAPABILITY_NAMED_IAM", "aws cloudformation create-stack-instances ",
                "--deployment-targets OrganizationalUnitIds=${OrganizationalUnitIds}", "--regions ${Regions}", "--call-as ${CallAs}");
        Matcher keys = Pattern.compile("\"ParameterKey\":\"(\\w+)\"").matcher(commands);
        List<String> passed = new ArrayList<>();
        while (keys.find()) {
            passed.add(keys.group(1));
        }
        assertThat(passed).containsExactlyInAnyOrderElementsOf(section(member, "Parameters").keySet());
        // Every ${...} is a pseudo parameter, a template parameter or one of the Sub's own variables.
        Map<String, Object> vars = (Map<String, Object>) sub.get(1);
        Matcher refs = Pattern.compile("\\$\\{([^}]+)}").matcher(commands);
        while (refs.find()) {
            String name = refs.group(1);
            assertThat(name.startsWith("AWS::") || vars.containsKey(name) || section(template, "Parameters").containsKey(name))
                    .as(name).isTrue();
        }
    }

    @Test
    void theBusArnAndTheStackSetAreOutputWhenTheyExist() {
        Map<String, Object> outputs = section(template, "Outputs");
        assertThat((Map<String, Object>) outputs.get("HubEventBusArn")).containsEntry("Condition", "HasOrganization")
                .containsEntry("Value", Map.of("Fn::GetAtt", List.of("HubEventBus", "Arn")));
        assertThat((Map<String, Object>) outputs.get("ShardQueueUrl")).containsEntry("Condition", "Sharded");
        assertThat((Map<String, Object>) outputs.get("MemberStackSetId")).containsEntry("Condition", "DeploysMemberStackSet");
    }
}
