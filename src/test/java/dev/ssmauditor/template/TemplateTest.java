package dev.ssmauditor.template;

import dev.ssmauditor.config.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads template.yaml: least privilege, encryption, and the environment contract with the code. */
@SuppressWarnings("unchecked")
class TemplateTest {

    /**
     * The remediation settings (issue 11): read by the auditing functions' remediation code, which adds them to
     * {@link Settings}; named here so that these tests do not depend on that change.
     */
    static final String TERMINATE_RULES = "TERMINATE_RULES";
    static final String TERMINATE_GRACE_MINUTES = "TERMINATE_GRACE_MINUTES";
    static final List<String> REMEDIATION_SETTINGS = List.of(TERMINATE_RULES, TERMINATE_GRACE_MINUTES);
    /** The functions that judge sessions against the policy; each may end a session when remediation is on. */
    static final List<String> AUDITING_FUNCTIONS = List.of("AuditFunction", "ShardWorkerFunction", "StartSessionFunction");
    static final Object SESSIONS_OF_THIS_ACCOUNT = Map.of("Fn::Sub", "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:session/*");
    static final List<String> TERMINATION_ALARMS = List.of("TerminationsFailedAlarm", "StartSessionTerminationsFailedAlarm",
            "ShardWorkerTerminationsFailedAlarm");

    private static Map<String, Object> template;

    @BeforeAll
    static void read() throws IOException {
        template = TemplateYaml.read(Path.of("template.yaml"));
    }

    private static Map<String, Object> resource(String name) {
        return (Map<String, Object>) ((Map<String, Object>) template.get("Resources")).get(name);
    }

    private static Map<String, Object> properties(String name) {
        return (Map<String, Object>) resource(name).get("Properties");
    }

    @Test
    void permissionsAreLeastPrivilege() {
        assertThat(LeastPrivilege.problems(template)).isEmpty();
    }

    @Test
    void theCheckCatchesABroadStatement() throws IOException {
        Map<String, Object> broad = TemplateYaml.read(Path.of("template.yaml"));
        Map<String, Object> fn = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) broad.get("Resources"))
                .get("AuditFunction")).get("Properties");
        List<Object> policies = new ArrayList<>((List<Object>) fn.get("Policies"));
        policies.add(Map.of("Statement", List.of(Map.of("Effect", "Allow", "Action", "sns:*", "Resource", "*"))));
        fn.put("Policies", policies);
        assertThat(LeastPrivilege.problems(broad))
                .anySatisfy(p -> assertThat(p).contains("action sns:* is a wildcard"))
                .anySatisfy(p -> assertThat(p).contains("Resource '*' for [sns:*]"));
    }

    @Test
    void theCheckCatchesKmsOnEveryKeyAndUnscopedTemplates() {
        Map<String, Object> t = TemplateYaml.parse("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Policies:
                        - AmazonSSMFullAccess
                        - SNSCrudPolicy: {TopicName: x}
                        - Statement:
                            - Effect: Allow
                              Action: [kms:Decrypt]
                              Resource: arn:aws:kms:*:*:key/*
                """);
        assertThat(LeastPrivilege.problems(t)).hasSize(4);
    }

    @Test
    void theCheckAllowsTheMemberRoleInAnyAccountButNoOtherWildcardInsideASub() {
        Map<String, Object> t = TemplateYaml.parse("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Policies:
                        - !If
                          - C
                          - Statement:
                              - Effect: Allow
                                Action: sts:AssumeRole
                                Resource: !Sub arn:${AWS::Partition}:iam::*:role/${MemberRoleName}
                          - !Ref AWS::NoValue
                        - !If
                          - C
                          - Statement:
                              - Effect: Allow
                                Action: sts:AssumeRole
                                Resource: !Sub arn:${AWS::Partition}:iam::*:role/*
                          - !Ref AWS::NoValue
                        - Statement:
                            - Effect: Allow
                              Action: [sts:AssumeRole, sts:TagSession]
                              Resource: !Sub arn:${AWS::Partition}:iam::*:role/${MemberRoleName}
                        - Statement:
                            - Effect: Allow
                              Action: ssm:TerminateSession
                              Resource: !Sub arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:session/*
                        - Statement:
                            - Effect: Allow
                              Action: ssm:ResumeSession
                              Resource: !Sub arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:session/*
                        - Statement:
                            - Effect: Allow
                              Action: ssm:TerminateSession
                              Resource: !Sub arn:${AWS::Partition}:ssm:*:*:session/*
                """);
        assertThat(LeastPrivilege.problems(t)).containsExactly(
                "F: resource arn:${AWS::Partition}:iam::*:role/* has a wildcard",
                "F: resource arn:${AWS::Partition}:iam::*:role/${MemberRoleName} has a wildcard",
                "F: resource arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:session/* has a wildcard",
                "F: resource arn:${AWS::Partition}:ssm:*:*:session/* has a wildcard");
    }

    @Test
    void theFunctionRunsJava21WithoutAConcurrencyLimitTheLedgerMakesNeedless() {
        Map<String, Object> fn = properties("AuditFunction");
        assertThat(fn.get("Runtime")).isEqualTo("java21");
        assertThat(fn.get("Handler")).isEqualTo("dev.ssmauditor.handler.AuditHandler::handleRequest");
        assertThat(fn).doesNotContainKey("ReservedConcurrentExecutions");
        Map<String, Object> schedule = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) fn.get("Events"))
                .get("Audit")).get("Properties");
        assertThat(schedule.get("Schedule")).isEqualTo(Map.of("Ref", "ScheduleExpression"));
        assertThat(((Map<String, Object>) ((Map<String, Object>) template.get("Parameters")).get("ScheduleExpression"))
                .get("Default")).isEqualTo("rate(5 minutes)");
    }

    @Test
    void snapStartIsOnByDefaultAndTheScheduleInvokesThePublishedAlias() {
        Map<String, Object> fn = properties("AuditFunction");
        assertThat(fn.get("AutoPublishAlias")).isEqualTo("live");
        assertThat(fn.get("SnapStart")).isEqualTo(Map.of("ApplyOn",
                Map.of("Fn::If", List.of("SnapStartEnabled", "PublishedVersions", "None"))));
        assertThat(((Map<String, Object>) ((Map<String, Object>) template.get("Parameters")).get("SnapStart")).get("Default"))
                .isEqualTo("Enabled");
    }

    @Test
    void aFailedAuditEndsInAnEncryptedQueueKeptFourteenDaysWithAnAlarm() {
        Map<String, Object> invoke = (Map<String, Object>) properties("AuditFunction").get("EventInvokeConfig");
        assertThat(invoke.get("MaximumRetryAttempts")).isEqualTo(2);
        assertThat(invoke.get("DestinationConfig")).isEqualTo(Map.of("OnFailure", Map.of("Type", "SQS",
                "Destination", Map.of("Fn::GetAtt", List.of("FailedAuditsQueue", "Arn")))));
        Map<String, Object> queue = properties("FailedAuditsQueue");
        assertThat(queue.get("MessageRetentionPeriod")).isEqualTo(1209600);
        assertThat(queue.get("SqsManagedSseEnabled")).isEqualTo(true);
        assertThat(properties("FailedAuditsAlarm").get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", "AlertTopic")));
    }

    @Test
    void theNoSuccessAlarmCountsMissingDataAsBreachingOverThreePeriods() {
        Map<String, Object> alarm = properties("NoSuccessfulAuditAlarm");
        assertThat(alarm.get("Namespace")).isEqualTo("SsmSessionAuditor");
        assertThat(alarm.get("MetricName")).isEqualTo("auditSucceeded");
        assertThat(alarm.get("EvaluationPeriods")).isEqualTo(3);
        assertThat(alarm.get("TreatMissingData")).isEqualTo("breaching");
        assertThat(alarm.get("Period")).isEqualTo(Map.of("Ref", "AuditPeriodSeconds"));
        assertThat(properties("AuditErrorsAlarm").get("MetricName")).isEqualTo("Errors");
    }

    @Test
    void theKeyLetsCloudWatchAlarmsPublishToTheTopic() {
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) properties("AlertKey")
                .get("KeyPolicy")).get("Statement");
        assertThat(statements).anySatisfy(s -> {
            assertThat(s.get("Principal")).isEqualTo(Map.of("Service", "cloudwatch.amazonaws.com"));
            assertThat(s.get("Action")).isEqualTo(List.of("kms:Decrypt", "kms:GenerateDataKey*"));
        });
        assertThat(properties("AuditLogGroup").get("RetentionInDays")).isEqualTo(Map.of("Ref", "LogRetentionDays"));
    }

    @Test
    void theTopicIsEncryptedWithTheTemplatesOwnKeyAndRefusesPlainHttp() {
        assertThat(properties("AlertTopic").get("KmsMasterKeyId")).isEqualTo(Map.of("Ref", "AlertKey"));
        assertThat(resource("AlertKey").get("Type")).isEqualTo("AWS::KMS::Key");
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) properties("AlertTopicPolicy")
                .get("PolicyDocument")).get("Statement");
        assertThat(statements).anySatisfy(s -> {
            assertThat(s.get("Effect")).isEqualTo("Deny");
            assertThat(s.get("Condition")).isEqualTo(Map.of("Bool", Map.of("aws:SecureTransport", "false")));
        });
    }

    @Test
    void theEmailSubscriptionExistsOnlyWithAnAddressAndFiltersOnSeverityButLetsAlarmsThrough() {
        assertThat(resource("AlertEmailSubscription").get("Condition")).isEqualTo("HasAlertEmail");
        Map<String, Object> props = properties("AlertEmailSubscription");
        assertThat(props.get("FilterPolicyScope")).isEqualTo("MessageAttributes");
        List<Map<String, Object>> or = (List<Map<String, Object>>) ((Map<String, Object>) props.get("FilterPolicy")).get("$or");
        assertThat(or).containsExactly(
                Map.of("severity", Map.of("Fn::FindInMap", List.of("SeverityAtOrAbove", Map.of("Ref", "AlertEmailMinSeverity"), "Severities"))),
                Map.of("severity", List.of(Map.of("exists", false))));
        Map<String, Object> high = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) template.get("Mappings"))
                .get("SeverityAtOrAbove")).get("HIGH");
        assertThat(high.get("Severities")).isEqualTo(List.of("HIGH", "CRITICAL"));
    }

    @Test
    void theSlackForwarderExistsOnlyWithASecretAndMayReadOnlyThatSecret() {
        assertThat(resource("SlackForwarderFunction").get("Condition")).isEqualTo("HasSlackWebhook");
        Map<String, Object> fn = properties("SlackForwarderFunction");
        assertThat(fn.get("Policies")).isEqualTo(List.of(Map.of("AWSSecretsManagerGetSecretValuePolicy",
                Map.of("SecretArn", Map.of("Ref", "SlackWebhookSecretArn")))));
        assertThat(((Map<String, Object>) ((Map<String, Object>) fn.get("Environment")).get("Variables")))
                .containsEntry("SLACK_WEBHOOK_SECRET_ARN", Map.of("Ref", "SlackWebhookSecretArn"));
    }

    @Test
    void theLedgerIsAnEncryptedOnDemandTableWithTtlKeptOnDeleteThatOnlyTheAuditorsWrite() {
        Map<String, Object> table = resource("AlertLedger");
        assertThat(table.get("Type")).isEqualTo("AWS::DynamoDB::Table");
        assertThat(table.get("DeletionPolicy")).isEqualTo("Retain");
        assertThat(table.get("UpdateReplacePolicy")).isEqualTo("Retain");
        Map<String, Object> props = properties("AlertLedger");
        assertThat(props.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        assertThat(props.get("KeySchema")).isEqualTo(List.of(Map.of("AttributeName", "pk", "KeyType", "HASH")));
        assertThat(props.get("TimeToLiveSpecification")).isEqualTo(Map.of("AttributeName", "expiresAt", "Enabled", true));
        assertThat(props.get("SSESpecification")).isEqualTo(Map.of("SSEEnabled", true));
        assertThat(props).doesNotContainKey("TableName");
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) props
                .get("ResourcePolicy")).get("PolicyDocument")).get("Statement");
        Object role = Map.of("Fn::GetAtt", List.of("AuditFunctionRole", "Arn"));
        Object eventRole = Map.of("Fn::GetAtt", List.of("StartSessionFunctionRole", "Arn"));
        Object workerRole = Map.of("Fn::If", List.of("Sharded", Map.of("Fn::GetAtt", List.of("ShardWorkerFunctionRole", "Arn")),
                Map.of("Ref", "AWS::NoValue")));
        assertThat(statements).anySatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Allow");
            assertThat(st.get("Principal")).isEqualTo(Map.of("AWS", role));
            assertThat((List<String>) st.get("Action")).allSatisfy(a -> assertThat(a).startsWith("dynamodb:").doesNotContain("*"))
                    .doesNotContain("dynamodb:Scan", "dynamodb:Query", "dynamodb:DeleteTable");
        });
        assertThat(statements).anySatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Deny");
            assertThat(st.get("Principal")).isEqualTo("*");
            assertThat((List<String>) st.get("Action")).contains("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete");
            assertThat(st.get("Condition")).isEqualTo(Map.of("ArnNotEquals", Map.of("aws:PrincipalArn", List.of(role, eventRole, workerRole))));
        });
        // The event path may claim, mark, release and record sightings; it never updates the sweep record.
        assertThat(statements).anySatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Allow");
            assertThat(st.get("Principal")).isEqualTo(Map.of("AWS", eventRole));
            assertThat((List<String>) st.get("Action")).containsExactlyInAnyOrder("dynamodb:BatchGetItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:BatchWriteItem");
        });
        assertThat(statements).anySatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Deny");
            assertThat(st.get("Principal")).isEqualTo(Map.of("AWS", eventRole));
            assertThat(st.get("Condition")).isEqualTo(Map.of("ForAnyValue:StringLike", Map.of("dynamodb:LeadingKeys", List.of("sweep#*"))));
        });
        assertThat(resource("AuditLogGroup").get("DeletionPolicy")).isEqualTo("Retain");
        assertThat(resource("AuditLogGroup").get("UpdateReplacePolicy")).isEqualTo("Retain");
        assertThat(((Map<String, Object>) ((Map<String, Object>) properties("AuditFunction").get("Environment")).get("Variables"))
                .get("STATE_TABLE")).isEqualTo(Map.of("Ref", "AlertLedger"));
    }

    @Test
    void onlyTheFunctionsAndCloudWatchMayPublishAndNoSubscriptionLeavesTheAccount() {
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) properties("AlertTopicPolicy")
                .get("PolicyDocument")).get("Statement");
        assertThat(statements).filteredOn(st -> "Allow".equals(st.get("Effect")))
                .filteredOn(st -> String.valueOf(st.get("Action")).contains("sns:Publish"))
                .singleElement().satisfies(st -> assertThat(st.get("Principal")).isEqualTo(Map.of("Service", "cloudwatch.amazonaws.com")));
        assertThat(statements).anySatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Deny");
            assertThat(st.get("Action")).isEqualTo("sns:Publish");
            assertThat(st.get("Condition")).isEqualTo(Map.of(
                    "ArnNotEquals", Map.of("aws:PrincipalArn", List.of(Map.of("Fn::GetAtt", List.of("AuditFunctionRole", "Arn")),
                            Map.of("Fn::GetAtt", List.of("StartSessionFunctionRole", "Arn")),
                            Map.of("Fn::If", List.of("Sharded", Map.of("Fn::GetAtt", List.of("ShardWorkerFunctionRole", "Arn")),
                                    Map.of("Ref", "AWS::NoValue"))))),
                    "StringNotEquals", Map.of("aws:PrincipalServiceName", "cloudwatch.amazonaws.com")));
        });
        assertThat(statements).anySatisfy(st -> {
            assertThat(st.get("Effect")).isEqualTo("Deny");
            assertThat(st.get("Action")).isEqualTo("sns:Subscribe");
            Map<String, Object> condition = (Map<String, Object>) st.get("Condition");
            assertThat((List<String>) ((Map<String, Object>) condition.get("StringEquals")).get("sns:Protocol"))
                    .contains("http", "https", "sqs", "lambda", "sms");
            assertThat(String.valueOf(condition.get("StringNotLike"))).contains("${AWS::AccountId}")
                    .contains("https://global.sns-api.chatbot.amazonaws.com");
        });
    }

    @Test
    void theSlackForwarderAlsoReceivesTheAlarms() {
        Map<String, Object> events = (Map<String, Object>) properties("SlackForwarderFunction").get("Events");
        Map<String, Object> filter = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) events.get("Alerts"))
                .get("Properties")).get("FilterPolicy");
        assertThat((List<Object>) filter.get("$or")).contains(Map.of("severity", List.of(Map.of("exists", false))));
    }

    @Test
    void theLedgerAlarmsNotifyTheTopic() {
        for (String alarm : List.of("SweepRecordIgnoredAlarm", "LedgerErrorsAlarm")) {
            Map<String, Object> props = properties(alarm);
            assertThat(props.get("Namespace")).isEqualTo("SsmSessionAuditor");
            assertThat(props.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", "AlertTopic")));
        }
        assertThat(properties("SweepRecordIgnoredAlarm").get("MetricName")).isEqualTo("sweepRecordIgnored");
        assertThat(properties("LedgerErrorsAlarm").get("MetricName")).isEqualTo("ledgerErrors");
    }

    @Test
    void theEventFunctionHearsOnlyStartSessionCallsFromCloudTrailAndByDefaultHasNoSsmPermission() {
        Map<String, Object> fn = properties("StartSessionFunction");
        assertThat(fn.get("Handler")).isEqualTo("dev.ssmauditor.handler.StartSessionHandler::handleRequest");
        Map<String, Object> event = (Map<String, Object>) ((Map<String, Object>) fn.get("Events")).get("StartSession");
        assertThat(event.get("Type")).isEqualTo("EventBridgeRule");
        Map<String, Object> pattern = (Map<String, Object>) ((Map<String, Object>) event.get("Properties")).get("Pattern");
        // Without "source", a custom event with the same detail-type would match too.
        assertThat(pattern).containsEntry("source", List.of("aws.ssm"))
                .containsEntry("detail-type", List.of("AWS API Call via CloudTrail"))
                .containsEntry("detail", Map.of("eventSource", List.of("ssm.amazonaws.com"), "eventName", List.of("StartSession")));
        assertThat(String.valueOf(fn.get("Policies"))).doesNotContain("dynamodb:");
        // Unless some violation may end its session (see remediation tests below), no SSM action at all.
        assertThat(Deployment.of(template).actions("StartSessionFunction")).noneSatisfy(a -> assertThat(a).startsWith("ssm:"));
        assertThat(fn).doesNotContainKey("ReservedConcurrentExecutions");
        Map<String, Object> invoke = (Map<String, Object>) fn.get("EventInvokeConfig");
        assertThat(invoke.get("MaximumRetryAttempts")).isEqualTo(2);
        assertThat(String.valueOf(invoke.get("DestinationConfig"))).contains("FailedAuditsQueue");
        Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) fn.get("Environment")).get("Variables");
        Map<String, Object> auditVariables = (Map<String, Object>) ((Map<String, Object>) properties("AuditFunction")
                .get("Environment")).get("Variables");
        // The same policy, topic and ledger as the sweep: both paths judge alike and alert once between them.
        for (String name : List.of(Settings.ALERT_TOPIC_ARN, Settings.DRY_RUN, Settings.MAX_SESSION_MINUTES, Settings.ALLOWED_OWNERS,
                Settings.ALLOWED_TARGETS, Settings.DENIED_TARGETS, Settings.ALLOWED_DOCUMENTS, Settings.POLICY, Settings.STATE_TABLE,
                TERMINATE_RULES, TERMINATE_GRACE_MINUTES, Settings.MEMBER_ROLE_NAME)) {
            assertThat(variables.get(name)).as(name).isEqualTo(auditVariables.get(name));
        }
        assertThat(auditVariables.get(Settings.EXPECT_START_SESSION_EVENTS))
                .isEqualTo(Map.of("Fn::If", List.of("ExpectsStartSessionEvents", "true", "false")));
        // Events reach the hub from its own account and region, or through the organisation's bus: nowhere else.
        Map<String, Object> conditions = (Map<String, Object>) template.get("Conditions");
        assertThat(conditions.get("ExpectsStartSessionEvents")).isEqualTo(Map.of("Fn::And", List.of(
                Map.of("Condition", "StartSessionEventsEnabled"),
                Map.of("Fn::Or", List.of(Map.of("Condition", "AuditsOnlyHere"), Map.of("Condition", "HasOrganization"))))));
        assertThat(resource("EventPathDeafAlarm").get("Condition")).isEqualTo("ExpectsStartSessionEvents");
    }

    @Test
    void aDeafEventPathAndAFailingEventFunctionRaiseAlarms() {
        Map<String, Object> deaf = properties("EventPathDeafAlarm");
        assertThat(deaf.get("MetricName")).isEqualTo("sessionsNotReportedByEvents");
        assertThat(deaf.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "Function", "Value", Map.of("Ref", "AuditFunction"))));
        assertThat(deaf.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", "AlertTopic")));
        assertThat(properties("StartSessionErrorsAlarm").get("Dimensions"))
                .isEqualTo(List.of(Map.of("Name", "FunctionName", "Value", Map.of("Ref", "StartSessionFunction"))));
        assertThat(properties("StartSessionLedgerErrorsAlarm").get("MetricName")).isEqualTo("ledgerErrors");
    }

    /** Every setting is set by the sweep or, for the worker's own, by the shard worker; neither sets anything else. */
    @Test
    void everySettingTheCodeReadsIsSetByTheTemplateAndNothingElse() throws IllegalAccessException {
        Map<String, Object> audit = variables("AuditFunction");
        Map<String, Object> worker = variables("ShardWorkerFunction");
        List<String> settings = new ArrayList<>();
        for (Field f : Settings.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                settings.add((String) f.get(null));
            }
        }
        // The worker's own: how often SQS hands it a message before the dead-letter queue.
        assertThat(audit.keySet()).containsAll(settings.stream().filter(s -> !s.equals(Settings.SHARD_MAX_RECEIVES)).toList());
        assertThat(worker.keySet()).contains(Settings.SHARD_MAX_RECEIVES);
        // JAVA_TOOL_OPTIONS is read by the JVM, not by the code; the remediation settings by the code of issue 11.
        for (String fn : List.of("AuditFunction", "ShardWorkerFunction", "StartSessionFunction")) {
            assertThat(variables(fn).keySet()).as(fn).allSatisfy(name -> assertThat(name)
                    .isIn(Stream.of(settings.stream(), REMEDIATION_SETTINGS.stream(), Stream.of("JAVA_TOOL_OPTIONS")).flatMap(x -> x).toList()));
        }
    }

    // --- Remediation (issue 11): ending violating sessions, only when asked -------------------------------------------

    /** A policy document that asks for remediation, as the README's examples write it. */
    static final String REMEDIATION_POLICY = """
            {"maxSessionMinutes": 240, "remediation": {"terminate": ["unexpected-owner"], "exemptOwners": ["*:assumed-role/BreakGlass/*"]}}""";

    /** Parameter sets under which some violation may end its session, sharded so that the worker exists too. */
    static final List<String[]> TERMINATING = List.of(
            new String[] {"TerminateRules", "unexpected-owner", "SweepMode", "sharded"},
            new String[] {"PolicyDocument", REMEDIATION_POLICY, "SweepMode", "sharded"},
            new String[] {"TerminateRules", "long-running, unexpected-target", "TerminateGraceMinutes", "30", "SweepMode", "sharded",
                    "AuditAccounts", "organization", "AuditRegions", "enabled"});

    @Test
    void byDefaultNoRoleAnywhereMayEndASession() {
        // The defaults, and every other switch on: still nobody may end a session.
        for (Deployment d : List.of(Deployment.of(template), Deployment.of(template, "SweepMode", "sharded", "AuditAccounts", "organization",
                "AuditRegions", "enabled", "OrganizationId", "o-abcdefghij", "PolicyDocument", "{\"maxSessionMinutes\": 60}"))) {
            assertThat(d.condition("Terminates")).isFalse();
            Map<String, Object> deployed = (Map<String, Object>) d.template().get("Resources");
            assertThat(deployed.keySet()).filteredOn(r -> String.valueOf(deployed.get(r)).contains("ssm:TerminateSession")).isEmpty();
            assertThat(d.resources()).doesNotContainAnyElementsOf(TERMINATION_ALARMS);
        }
    }

    @Test
    void terminateRulesOrARemediationPolicyLetEachAuditingFunctionEndSessionsOfItsAccountAndNothingMore() {
        for (String[] parameters : TERMINATING) {
            Deployment on = Deployment.of(template, parameters);
            Deployment before = Deployment.of(template, withoutRemediation(parameters));
            assertThat(before.condition("Terminates")).isFalse();
            assertThat(on.condition("Terminates")).as(String.join(" ", parameters)).isTrue();
            for (String fn : AUDITING_FUNCTIONS) {
                List<Map<String, Object>> ending = on.statements(fn).stream()
                        .filter(st -> Deployment.actionsOf(st).contains("ssm:TerminateSession")).toList();
                // One statement, that action alone, on the sessions of this account only.
                assertThat(ending).as(fn).singleElement().satisfies(st -> {
                    assertThat(st).containsEntry("Effect", "Allow").doesNotContainKey("NotResource").doesNotContainKey("NotAction")
                            .doesNotContainKey("Condition");
                    assertThat(Deployment.actionsOf(st)).containsExactly("ssm:TerminateSession");
                    assertThat(st.get("Resource")).isEqualTo(SESSIONS_OF_THIS_ACCOUNT);
                });
                // And nothing else than it had before, but the event function's confirmation (and member roles, see
                // OrganizationTemplateTest).
                List<String> added = new ArrayList<>(on.actions(fn));
                before.actions(fn).forEach(added::remove);
                assertThat(added).as(fn).containsExactlyInAnyOrderElementsOf(fn.equals("StartSessionFunction")
                        ? before.condition("AuditsOtherAccounts")
                                ? List.of("ssm:TerminateSession", "ssm:DescribeSessions", "sts:AssumeRole")
                                : List.of("ssm:TerminateSession", "ssm:DescribeSessions")
                        : List.of("ssm:TerminateSession"));
            }
            // The event function confirms the end with DescribeSessions, which takes no resource.
            assertThat(on.statements("StartSessionFunction")).anySatisfy(st -> {
                assertThat(Deployment.actionsOf(st)).containsExactly("ssm:DescribeSessions");
                assertThat(st.get("Resource")).isEqualTo("*");
            });
            // Every grant of the deployed template is still least privilege.
            assertThat(LeastPrivilege.problems(on.template())).as(String.join(" ", parameters)).isEmpty();
        }
    }

    /** The same parameters but the remediation ones (TerminateRules, TerminateGraceMinutes, PolicyDocument). */
    static String[] withoutRemediation(String... nameValue) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            if (!List.of("TerminateRules", "TerminateGraceMinutes", "PolicyDocument").contains(nameValue[i])) {
                out.add(nameValue[i]);
                out.add(nameValue[i + 1]);
            }
        }
        return out.toArray(String[]::new);
    }

    @Test
    void theEventFunctionUpdatesTerminationRecordsOnlyWhenSessionsMayBeEnded() {
        for (boolean on : List.of(false, true)) {
            Deployment d = on ? Deployment.of(template, "TerminateRules", "unexpected-target") : Deployment.of(template);
            Map<String, Object> policy = (Map<String, Object>) d.properties("AlertLedger").get("ResourcePolicy");
            List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) policy.get("PolicyDocument"))
                    .get("Statement");
            List<Map<String, Object>> updates = statements.stream().filter(st -> "Allow".equals(st.get("Effect"))
                    && Deployment.actionsOf(st).contains("dynamodb:UpdateItem")
                    && String.valueOf(st.get("Principal")).contains("StartSessionFunctionRole")).toList();
            if (!on) {
                assertThat(updates).isEmpty();
                continue;
            }
            assertThat(updates).singleElement().satisfies(st -> {
                assertThat(Deployment.actionsOf(st)).containsExactlyInAnyOrder("dynamodb:UpdateItem", "dynamodb:GetItem");
                assertThat(st.get("Condition")).isEqualTo(Map.of("ForAllValues:StringLike",
                        Map.of("dynamodb:LeadingKeys", List.of("end#*"))));
            });
        }
    }

    @Test
    void theConditionIsTrueForTerminateRulesOrARemediationKeyInThePolicyText() {
        Map<String, Object> conditions = (Map<String, Object>) template.get("Conditions");
        assertThat(conditions.get("Terminates")).isEqualTo(Map.of("Fn::Or",
                List.of(Map.of("Condition", "HasTerminateRules"), Map.of("Condition", "PolicyMentionsRemediation"))));
        assertThat(Deployment.of(template).condition("Terminates")).isFalse();
        assertThat(Deployment.of(template, "TerminateRules", "long-running").condition("Terminates")).isTrue();
        assertThat(Deployment.of(template, "TerminateRules", " unexpected-owner , unexpected-document").condition("Terminates")).isTrue();
        assertThat(Deployment.of(template, "PolicyDocument", REMEDIATION_POLICY).condition("Terminates")).isTrue();
        assertThat(Deployment.of(template, "PolicyDocument", "{\"owners\": {}, \"remediation\" : {\"terminate\": [\"long-running\"]}}")
                .condition("Terminates")).isTrue();
        // Without the key: no permission, whatever else the policy says.
        for (String policy : List.of("", "{}", "{\"maxSessionMinutes\": 60, \"severities\": {\"long-running\": \"HIGH\"}}",
                "{\"remediations\": {}}", "{\"note\": \"no remediation here\"}")) {
            assertThat(Deployment.of(template, "PolicyDocument", policy).condition("Terminates")).as(policy).isFalse();
        }
        // The approximation, documented in the README: a remediation that ends nothing, or the quoted word as a value,
        // still grants the permission.
        assertThat(Deployment.of(template, "PolicyDocument", "{\"remediation\": {\"terminate\": []}}").condition("Terminates")).isTrue();
        assertThat(Deployment.of(template, "PolicyDocument", "{\"allowedOwners\": [\"remediation\"]}").condition("Terminates")).isTrue();
    }

    @Test
    void theRemediationParametersAdmitTheDocumentedFormsOnly() {
        Map<String, Object> parameters = (Map<String, Object>) template.get("Parameters");
        assertThat((Map<String, Object>) parameters.get("TerminateRules")).containsEntry("Type", "String").containsEntry("Default", "")
                .containsKey("ConstraintDescription");
        assertThat(List.of("", "long-running", "unexpected-owner,unexpected-target", "unexpected-target , unexpected-document",
                " long-running,unexpected-owner,unexpected-target,unexpected-document "))
                .allSatisfy(v -> assertThat(Deployment.accepts(template, "TerminateRules", v)).as("'" + v + "'").isTrue());
        assertThat(List.of(" ", "all", "Long-running", "long_running", "long-running,", ",long-running", "long-running;unexpected-owner",
                "long-running,,unexpected-owner", "unexpected-session"))
                .allSatisfy(v -> assertThat(Deployment.accepts(template, "TerminateRules", v)).as("'" + v + "'").isFalse());
        // Every rule id the code knows, and only those.
        for (dev.ssmauditor.policy.RuleId rule : dev.ssmauditor.policy.RuleId.values()) {
            assertThat(Deployment.accepts(template, "TerminateRules", rule.id())).as(rule.id()).isTrue();
        }
        assertThat((Map<String, Object>) parameters.get("TerminateGraceMinutes")).containsEntry("Type", "Number").containsEntry("Default", 0)
                .containsEntry("MinValue", 0).containsEntry("MaxValue", 10080);
        assertThat(Deployment.accepts(template, "TerminateGraceMinutes", "10080")).isTrue();
        assertThat(Deployment.accepts(template, "TerminateGraceMinutes", "10081")).isFalse();
        assertThat(Deployment.accepts(template, "TerminateGraceMinutes", "-1")).isFalse();
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) template.get("Metadata"))
                .get("AWS::CloudFormation::Interface")).get("ParameterGroups");
        assertThat(groups).anySatisfy(g -> assertThat((List<String>) g.get("Parameters")).contains("TerminateRules", "TerminateGraceMinutes"));
    }

    @Test
    void everyFunctionThatReadsThePolicyReadsTheRemediationSettings() {
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        List<String> readers = resources.keySet().stream()
                .filter(r -> "AWS::Serverless::Function".equals(resource(r).get("Type")))
                .filter(r -> properties(r).get("Environment") != null && variables(r).containsKey(Settings.POLICY)).toList();
        assertThat(readers).containsExactlyInAnyOrderElementsOf(AUDITING_FUNCTIONS);
        for (String fn : readers) {
            assertThat(variables(fn)).as(fn).containsEntry(TERMINATE_RULES, Map.of("Ref", "TerminateRules"))
                    .containsEntry(TERMINATE_GRACE_MINUTES, Map.of("Ref", "TerminateGraceMinutes"));
        }
    }

    @Test
    void failedTerminationsAreAlarmedForEachFunctionThatEndsSessionsOnlyWhenSessionsMayBeEnded() {
        Map<String, Object> ledger = properties("LedgerErrorsAlarm");
        Map<String, String> functions = Map.of("TerminationsFailedAlarm", "AuditFunction",
                "StartSessionTerminationsFailedAlarm", "StartSessionFunction", "ShardWorkerTerminationsFailedAlarm", "ShardWorkerFunction");
        for (String alarm : TERMINATION_ALARMS) {
            Map<String, Object> props = properties(alarm);
            assertThat(props).as(alarm).containsEntry("Namespace", "SsmSessionAuditor").containsEntry("MetricName", "terminationsFailed")
                    .containsEntry("Dimensions", List.of(Map.of("Name", "Function", "Value", Map.of("Ref", functions.get(alarm)))));
            for (String same : List.of("Statistic", "Period", "EvaluationPeriods", "Threshold", "ComparisonOperator", "TreatMissingData",
                    "AlarmActions", "OKActions")) {
                assertThat(props.get(same)).as(alarm + " " + same).isEqualTo(ledger.get(same));
            }
            assertThat((String) props.get("AlarmDescription")).as(alarm).contains("still open", "\"termination failed\" ERROR lines", "retries");
        }
        assertThat(resource("TerminationsFailedAlarm").get("Condition")).isEqualTo("Terminates");
        assertThat(resource("StartSessionTerminationsFailedAlarm").get("Condition")).isEqualTo("Terminates");
        assertThat(resource("ShardWorkerTerminationsFailedAlarm").get("Condition")).isEqualTo("ShardWorkerTerminates");
        assertThat(((Map<String, Object>) template.get("Conditions")).get("ShardWorkerTerminates")).isEqualTo(Map.of("Fn::And",
                List.of(Map.of("Condition", "Sharded"), Map.of("Condition", "Terminates"))));

        assertThat(Deployment.of(template, "SweepMode", "sharded").resources()).doesNotContainAnyElementsOf(TERMINATION_ALARMS);
        assertThat(Deployment.of(template, "TerminateRules", "unexpected-owner").resources())
                .contains("TerminationsFailedAlarm", "StartSessionTerminationsFailedAlarm").doesNotContain("ShardWorkerTerminationsFailedAlarm");
        assertThat(Deployment.of(template, "PolicyDocument", REMEDIATION_POLICY, "SweepMode", "sharded").resources())
                .containsAll(TERMINATION_ALARMS);
    }

    @Test
    void theDeploymentHelperEvaluatesConditionsAndChoosesBranches() {
        Map<String, Object> t = TemplateYaml.parse("""
                Parameters:
                  A: {Type: String, Default: ''}
                  L: {Type: CommaDelimitedList, Default: 'x,y'}
                  N: {Type: Number, Default: 1, MinValue: 0, MaxValue: 2}
                Conditions:
                  HasA: !Not [!Equals [!Ref A, '']]
                  AMentionsB: !Not [!Equals [!Join ['', !Split ['"b"', !Ref A]], !Ref A]]
                  FirstIsX: !Equals [!Select [0, !Ref L], x]
                  Both: !And [!Condition HasA, !Condition FirstIsX]
                Resources:
                  R:
                    Type: T
                    Condition: Both
                    Properties:
                      P: [1, !If [HasA, 2, !Ref AWS::NoValue], !If [AMentionsB, 3, 4]]
                """);
        Deployment none = Deployment.of(t);
        assertThat(none.condition("HasA")).isFalse();
        assertThat(none.condition("AMentionsB")).isFalse();
        assertThat(none.condition("FirstIsX")).isTrue();
        assertThat(none.exists("R")).isFalse();
        Deployment b = Deployment.of(t, "A", "{\"b\": 1}");
        assertThat(b.condition("AMentionsB")).isTrue();
        assertThat(b.properties("R")).isEqualTo(Map.of("P", List.of(1, 2, 3)));
        assertThat(Deployment.of(t, "A", "{\"bb\": 1}").properties("R")).isEqualTo(Map.of("P", List.of(1, 2, 4)));
        assertThat(Deployment.of(t, "A", "a", "L", "y,x").exists("R")).isFalse();
        assertThat(Deployment.accepts(t, "N", "3")).isFalse();
    }

    private static Map<String, Object> variables(String function) {
        return (Map<String, Object>) ((Map<String, Object>) properties(function).get("Environment")).get("Variables");
    }
}
