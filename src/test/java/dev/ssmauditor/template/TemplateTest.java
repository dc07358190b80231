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
                """);
        assertThat(LeastPrivilege.problems(t)).containsExactly(
                "F: resource arn:${AWS::Partition}:iam::*:role/* has a wildcard",
                "F: resource arn:${AWS::Partition}:iam::*:role/${MemberRoleName} has a wildcard");
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
    void theEventFunctionHearsOnlyStartSessionCallsFromCloudTrailAndCannotListSessions() {
        Map<String, Object> fn = properties("StartSessionFunction");
        assertThat(fn.get("Handler")).isEqualTo("dev.ssmauditor.handler.StartSessionHandler::handleRequest");
        Map<String, Object> event = (Map<String, Object>) ((Map<String, Object>) fn.get("Events")).get("StartSession");
        assertThat(event.get("Type")).isEqualTo("EventBridgeRule");
        Map<String, Object> pattern = (Map<String, Object>) ((Map<String, Object>) event.get("Properties")).get("Pattern");
        // Without "source", a custom event with the same detail-type would match too.
        assertThat(pattern).containsEntry("source", List.of("aws.ssm"))
                .containsEntry("detail-type", List.of("AWS API Call via CloudTrail"))
                .containsEntry("detail", Map.of("eventSource", List.of("ssm.amazonaws.com"), "eventName", List.of("StartSession")));
        assertThat(String.valueOf(fn.get("Policies"))).doesNotContain("ssm:").doesNotContain("dynamodb:");
        assertThat(fn).doesNotContainKey("ReservedConcurrentExecutions");
        Map<String, Object> invoke = (Map<String, Object>) fn.get("EventInvokeConfig");
        assertThat(invoke.get("MaximumRetryAttempts")).isEqualTo(2);
        assertThat(String.valueOf(invoke.get("DestinationConfig"))).contains("FailedAuditsQueue");
        Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) fn.get("Environment")).get("Variables");
        Map<String, Object> auditVariables = (Map<String, Object>) ((Map<String, Object>) properties("AuditFunction")
                .get("Environment")).get("Variables");
        // The same policy, topic and ledger as the sweep: both paths judge alike and alert once between them.
        for (String name : List.of(Settings.ALERT_TOPIC_ARN, Settings.DRY_RUN, Settings.MAX_SESSION_MINUTES, Settings.ALLOWED_OWNERS,
                Settings.ALLOWED_TARGETS, Settings.DENIED_TARGETS, Settings.ALLOWED_DOCUMENTS, Settings.POLICY, Settings.STATE_TABLE)) {
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
        // JAVA_TOOL_OPTIONS is read by the JVM, not by the code.
        for (String fn : List.of("AuditFunction", "ShardWorkerFunction", "StartSessionFunction")) {
            assertThat(variables(fn).keySet()).as(fn).allSatisfy(name ->
                    assertThat(name).isIn(Stream.concat(settings.stream(), Stream.of("JAVA_TOOL_OPTIONS")).toList()));
        }
    }

    private static Map<String, Object> variables(String function) {
        return (Map<String, Object>) ((Map<String, Object>) properties(function).get("Environment")).get("Variables");
    }
}
