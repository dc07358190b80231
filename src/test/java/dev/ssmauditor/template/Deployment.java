package dev.ssmauditor.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A template as CloudFormation would deploy it with the given parameter values: the conditions evaluated, the
 * resources whose condition is false left out, every {@code Fn::If} replaced by its chosen branch and
 * {@code AWS::NoValue} removed. Other intrinsic functions are left as written, except inside conditions, where
 * {@code Ref} (parameters and the pseudo parameters below), {@code Fn::Join}, {@code Fn::Split} and
 * {@code Fn::Select} are evaluated as CloudFormation does. Parameter values are checked against their
 * {@code AllowedValues}, {@code AllowedPattern}, {@code MinValue} and {@code MaxValue}, as CloudFormation checks them.
 */
@SuppressWarnings("unchecked")
final class Deployment {

    private static final Object NO_VALUE = Map.of("Ref", "AWS::NoValue");
    private static final Object REMOVED = new Object();
    private static final Map<String, String> PSEUDO = Map.of("AWS::Region", "eu-west-1", "AWS::AccountId", "111111111111",
            "AWS::Partition", "aws", "AWS::StackName", "ssm-session-auditor");

    private final Map<String, Object> template;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, Boolean> conditions = new HashMap<>();

    private Deployment(Map<String, Object> template, Map<String, String> given) {
        this.template = template;
        Map<String, Object> parameters = (Map<String, Object>) template.getOrDefault("Parameters", Map.of());
        for (String name : given.keySet()) {
            if (!parameters.containsKey(name)) {
                throw new IllegalArgumentException("no parameter " + name);
            }
        }
        for (Map.Entry<String, Object> p : parameters.entrySet()) {
            Map<String, Object> declaration = (Map<String, Object>) p.getValue();
            String value = given.containsKey(p.getKey()) ? given.get(p.getKey())
                    : declaration.containsKey("Default") ? String.valueOf(declaration.get("Default")) : null;
            if (value == null) {
                continue;
            }
            if (given.containsKey(p.getKey())) {
                check(p.getKey(), declaration, value);
            }
            values.put(p.getKey(), "CommaDelimitedList".equals(declaration.get("Type")) ? List.of(value.split(",", -1)) : value);
        }
    }

    /** The template deployed with its defaults, but for the given parameters (name, value, name, value, ...). */
    static Deployment of(Map<String, Object> template, String... nameValue) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            given.put(nameValue[i], nameValue[i + 1]);
        }
        return new Deployment(template, given);
    }

    /** Whether CloudFormation accepts the value for the parameter (its constraints), without deploying. */
    static boolean accepts(Map<String, Object> template, String parameter, String value) {
        try {
            check(parameter, (Map<String, Object>) ((Map<String, Object>) template.get("Parameters")).get(parameter), value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void check(String name, Map<String, Object> declaration, String value) {
        if (declaration.get("AllowedValues") instanceof List<?> allowed
                && allowed.stream().map(String::valueOf).noneMatch(value::equals)) {
            throw new IllegalArgumentException(name + ": " + value + " is not one of " + allowed);
        }
        if (declaration.get("AllowedPattern") instanceof String pattern && !Pattern.compile(pattern).matcher(value).matches()) {
            throw new IllegalArgumentException(name + ": '" + value + "' does not match " + pattern);
        }
        if ("Number".equals(declaration.get("Type"))) {
            double number = Double.parseDouble(value);
            if (declaration.get("MinValue") instanceof Number min && number < min.doubleValue()
                    || declaration.get("MaxValue") instanceof Number max && number > max.doubleValue()) {
                throw new IllegalArgumentException(name + ": " + value + " is out of range");
            }
        }
    }

    boolean condition(String name) {
        Boolean known = conditions.get(name);
        if (known == null) {
            Object expression = ((Map<String, Object>) template.get("Conditions")).get(name);
            if (expression == null) {
                throw new IllegalArgumentException("no condition " + name);
            }
            known = truth(expression);
            conditions.put(name, known);
        }
        return known;
    }

    private boolean truth(Object expression) {
        Map<String, Object> fn = (Map<String, Object>) expression;
        Map.Entry<String, Object> e = fn.entrySet().iterator().next();
        List<Object> args = e.getValue() instanceof List<?> l ? (List<Object>) l : List.of(e.getValue());
        return switch (e.getKey()) {
            case "Condition" -> condition((String) e.getValue());
            case "Fn::Not" -> !truth(args.get(0));
            case "Fn::And" -> args.stream().allMatch(this::truth);
            case "Fn::Or" -> args.stream().anyMatch(this::truth);
            case "Fn::Equals" -> value(args.get(0)).equals(value(args.get(1)));
            default -> throw new IllegalArgumentException("not a condition function: " + e.getKey());
        };
    }

    /** A value inside a condition: a string, or a list of strings. */
    private Object value(Object node) {
        if (node instanceof String || node instanceof Number || node instanceof Boolean) {
            return String.valueOf(node);
        }
        if (node instanceof List<?> list) {
            return list.stream().map(this::value).toList();
        }
        Map.Entry<String, Object> e = ((Map<String, Object>) node).entrySet().iterator().next();
        List<Object> args = e.getValue() instanceof List<?> l ? (List<Object>) l : List.of(e.getValue());
        return switch (e.getKey()) {
            case "Ref" -> {
                String name = (String) e.getValue();
                Object v = PSEUDO.containsKey(name) ? PSEUDO.get(name) : values.get(name);
                if (v == null) {
                    throw new IllegalArgumentException("no value for " + name);
                }
                yield v;
            }
            case "Fn::Join" -> String.join((String) args.get(0), (List<String>) value(args.get(1)));
            case "Fn::Split" -> List.of(((String) value(args.get(1))).split(Pattern.quote((String) args.get(0)), -1));
            case "Fn::Select" -> ((List<Object>) value(args.get(1))).get(Integer.parseInt(String.valueOf(args.get(0))));
            default -> throw new IllegalArgumentException("not evaluated in a condition here: " + e.getKey());
        };
    }

    /** Whether the resource is created: it has no condition, or its condition is true. */
    boolean exists(String resource) {
        Map<String, Object> r = (Map<String, Object>) ((Map<String, Object>) template.get("Resources")).get(resource);
        if (r == null) {
            throw new IllegalArgumentException("no resource " + resource);
        }
        return !r.containsKey("Condition") || condition((String) r.get("Condition"));
    }

    /** The resource's properties as deployed (every Fn::If resolved); the resource must exist. */
    Map<String, Object> properties(String resource) {
        if (!exists(resource)) {
            throw new IllegalStateException(resource + " is not created with these parameters");
        }
        Map<String, Object> r = (Map<String, Object>) ((Map<String, Object>) template.get("Resources")).get(resource);
        return (Map<String, Object>) resolve(r.getOrDefault("Properties", Map.of()));
    }

    /** The names of the resources created with these parameters. */
    List<String> resources() {
        return ((Map<String, Object>) template.get("Resources")).keySet().stream().filter(this::exists).toList();
    }

    /** The template as deployed: absent resources left out, every Fn::If resolved (for {@link LeastPrivilege}). */
    Map<String, Object> template() {
        Map<String, Object> out = new LinkedHashMap<>(template);
        Map<String, Object> resources = new LinkedHashMap<>();
        for (String name : resources()) {
            resources.put(name, resolve(((Map<String, Object>) template.get("Resources")).get(name)));
        }
        out.put("Resources", resources);
        return out;
    }

    /** The output's value as deployed, or null when its condition is false. */
    Object output(String name) {
        Map<String, Object> o = (Map<String, Object>) ((Map<String, Object>) template.get("Outputs")).get(name);
        return o.containsKey("Condition") && !condition((String) o.get("Condition")) ? null : resolve(o.get("Value"));
    }

    /** The node with every Fn::If replaced by its chosen branch and AWS::NoValue removed. */
    Object resolve(Object node) {
        Object r = resolveOrRemove(node);
        return r == REMOVED ? null : r;
    }

    private Object resolveOrRemove(Object node) {
        if (NO_VALUE.equals(node)) {
            return REMOVED;
        }
        if (node instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.get("Fn::If") instanceof List<?> fnIf) {
                return resolveOrRemove(condition((String) fnIf.get(0)) ? fnIf.get(1) : fnIf.get(2));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object v = resolveOrRemove(e.getValue());
                if (v != REMOVED) {
                    out.put((String) e.getKey(), v);
                }
            }
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object item : l) {
                Object v = resolveOrRemove(item);
                if (v != REMOVED) {
                    out.add(v);
                }
            }
            return out;
        }
        return node;
    }

    /**
     * Every Allow statement of the function's policies as deployed (SAM policy templates are left out; they name
     * one resource of this template each).
     */
    List<Map<String, Object>> statements(String function) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object policy : (List<Object>) properties(function).getOrDefault("Policies", List.of())) {
            if (policy instanceof Map<?, ?> p && p.get("Statement") instanceof List<?> statements) {
                for (Object s : statements) {
                    out.add((Map<String, Object>) s);
                }
            }
        }
        return out;
    }

    /** Every action the function's policies grant as deployed (statements' actions and SAM policy templates' names). */
    List<String> actions(String function) {
        List<String> out = new ArrayList<>();
        for (Object policy : (List<Object>) properties(function).getOrDefault("Policies", List.of())) {
            Map<String, Object> p = (Map<String, Object>) policy;
            if (p.get("Statement") instanceof List<?> statements) {
                for (Object s : statements) {
                    out.addAll(actionsOf((Map<String, Object>) s));
                }
            } else {
                out.add(p.keySet().iterator().next());
            }
        }
        return out;
    }

    static List<String> actionsOf(Map<String, Object> statement) {
        Object a = statement.get("Action");
        return a instanceof List<?> l ? (List<String>) l : List.of((String) a);
    }
}
