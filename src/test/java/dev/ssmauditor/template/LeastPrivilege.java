package dev.ssmauditor.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds IAM statements in a SAM template that grant more than the auditor needs. Applies to function
 * policies and to any IAM role or policy resource; key and topic policies are resource policies and are
 * checked separately by the tests.
 */
final class LeastPrivilege {

    /**
     * Actions AWS offers no resource-level permission for, so {@code Resource: '*'} is the only choice (the Service
     * Authorization Reference lists no resource type for them): listing sessions, listing the organisation's accounts
     * (the organisation sweep, only under {@code AuditsOrganization}) and listing the enabled regions (only under
     * {@code AuditsEnabledRegions} in the hub, {@code MemberRoleListsRegions} in the member role).
     */
    static final Set<String> ACTIONS_WITHOUT_RESOURCES = Set.of("ssm:DescribeSessions", "organizations:ListAccounts",
            "ec2:DescribeRegions");
    /**
     * The only resources with a wildcard inside an {@code !Sub}, each for one action: the member role, by name, in any
     * account (the hub cannot know the accounts when it is deployed, a list or the whole organisation; the member
     * role's trust policy admits the hub's audit roles only); and the sessions of the role's own account, in any region,
     * to end them (a session's id is only known when it is found violating; the sweep audits several regions).
     */
    static final Map<String, String> WILDCARD_SUB_RESOURCES = Map.of(
            "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}", "sts:AssumeRole",
            "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:session/*", "ssm:TerminateSession");
    /** SAM policy templates whose every statement names a resource the template passes in. */
    static final Set<String> SCOPED_POLICY_TEMPLATES = Set.of("SNSPublishMessagePolicy", "SQSSendMessagePolicy",
            "AWSSecretsManagerGetSecretValuePolicy", "KMSDecryptPolicy", "KMSEncryptPolicy");

    private LeastPrivilege() {
    }

    @SuppressWarnings("unchecked")
    static List<String> problems(Map<String, Object> template) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        for (Map.Entry<String, Object> resource : resources.entrySet()) {
            Map<String, Object> r = (Map<String, Object>) resource.getValue();
            Map<String, Object> props = (Map<String, Object>) r.getOrDefault("Properties", Map.of());
            String where = resource.getKey();
            switch ((String) r.get("Type")) {
                case "AWS::Serverless::Function" -> {
                    Object policies = props.get("Policies");
                    for (Object policy : branches(policies instanceof List<?> l ? l : policies == null ? List.of() : List.of(policies))) {
                        if (policy instanceof String managed) {
                            problems.add(where + ": managed policy " + managed + " is not scoped to this application");
                        } else {
                            Map<String, Object> p = (Map<String, Object>) policy;
                            if (p.containsKey("Statement")) {
                                statements(where, p.get("Statement"), problems);
                            } else {
                                String name = p.keySet().iterator().next();
                                if (!SCOPED_POLICY_TEMPLATES.contains(name)) {
                                    problems.add(where + ": SAM policy template " + name + " is not known to be scoped");
                                }
                            }
                        }
                    }
                }
                case "AWS::IAM::Role" -> {
                    for (Object p : branches((List<Object>) props.getOrDefault("Policies", List.of()))) {
                        statements(where, ((Map<String, Object>) ((Map<String, Object>) p).get("PolicyDocument")).get("Statement"), problems);
                    }
                    if (props.containsKey("ManagedPolicyArns")) {
                        problems.add(where + ": managed policies are not scoped to this application");
                    }
                }
                case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" ->
                        statements(where, ((Map<String, Object>) props.get("PolicyDocument")).get("Statement"), problems);
                default -> {
                }
            }
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static void statements(String where, Object statements, List<String> problems) {
        for (Object s : branches(statements instanceof List<?> l ? l : List.of(statements))) {
            Map<String, Object> statement = (Map<String, Object>) s;
            if (!"Allow".equals(statement.get("Effect"))) {
                continue;
            }
            List<Object> actions = list(statement.get("Action"));
            for (Object action : actions) {
                if (!(action instanceof String a) || a.equals("*") || a.endsWith(":*")) {
                    problems.add(where + ": action " + action + " is a wildcard");
                }
            }
            if (statement.containsKey("NotAction") || statement.containsKey("NotResource")) {
                problems.add(where + ": NotAction/NotResource grant everything else");
            }
            for (Object resource : list(statement.get("Resource"))) {
                if ("*".equals(resource) && !ACTIONS_WITHOUT_RESOURCES.containsAll(actions)) {
                    problems.add(where + ": Resource '*' for " + actions + "; only " + ACTIONS_WITHOUT_RESOURCES + " may use it");
                }
                if (resource instanceof String text && text.contains("*") && !text.equals("*")) {
                    problems.add(where + ": resource " + text + " has a wildcard");
                }
                if (resource instanceof Map<?, ?> m && m.get("Fn::Sub") instanceof String text && text.contains("*")
                        && !(actions.size() == 1 && actions.get(0).equals(WILDCARD_SUB_RESOURCES.get(text)))) {
                    problems.add(where + ": resource " + text + " has a wildcard");
                }
            }
            for (Object action : actions) {
                if (action instanceof String a && a.startsWith("kms:")) {
                    for (Object resource : list(statement.get("Resource"))) {
                        if (!(resource instanceof Map<?, ?> m && m.get("Fn::GetAtt") instanceof List<?> att && att.get(1).equals("Arn"))) {
                            problems.add(where + ": " + a + " must name the key's ARN (!GetAtt Key.Arn), not " + resource);
                        }
                    }
                }
            }
        }
    }

    /**
     * The items of a list with every {@code Fn::If} replaced by both its branches (nested ones too) and
     * {@code AWS::NoValue} left out: a conditional grant is checked as if its condition held.
     */
    @SuppressWarnings("unchecked")
    static List<Object> branches(List<?> items) {
        List<Object> out = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Map<?, ?> m && m.size() == 1 && m.get("Fn::If") instanceof List<?> fnIf && fnIf.size() == 3) {
                out.addAll(branches(fnIf.subList(1, 3)));
            } else if (!(item instanceof Map<?, ?> m && Map.of("Ref", "AWS::NoValue").equals(m))) {
                out.add(item);
            }
        }
        return out;
    }

    private static List<Object> list(Object value) {
        return value instanceof List<?> l ? new ArrayList<>(l) : value == null ? List.of() : List.of(value);
    }
}
