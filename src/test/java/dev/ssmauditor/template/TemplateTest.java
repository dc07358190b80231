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
    void theFunctionRunsJava21WithOneConcurrentAudit() {
        Map<String, Object> fn = properties("AuditFunction");
        assertThat(fn.get("Runtime")).isEqualTo("java21");
        assertThat(fn.get("Handler")).isEqualTo("dev.ssmauditor.handler.AuditHandler::handleRequest");
        assertThat(fn.get("ReservedConcurrentExecutions")).isEqualTo(1);
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
    void theFunctionMayTouchOnlyItsOwnStateParameter() {
        List<Object> policies = (List<Object>) properties("AuditFunction").get("Policies");
        assertThat(policies).anySatisfy(p -> assertThat(p.toString())
                .contains("ssm:GetParameter").contains("ssm:PutParameter")
                .contains("parameter/${AWS::StackName}/audit-state"));
        assertThat(properties("AuditState").get("Name")).isEqualTo(Map.of("Fn::Sub", "/${AWS::StackName}/audit-state"));
    }

    @Test
    void everySettingTheCodeReadsIsSetByTheTemplate() throws IllegalAccessException {
        Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) properties("AuditFunction")
                .get("Environment")).get("Variables");
        List<String> settings = new ArrayList<>();
        for (Field f : Settings.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                settings.add((String) f.get(null));
            }
        }
        assertThat(variables.keySet()).containsAll(settings);
    }
}
