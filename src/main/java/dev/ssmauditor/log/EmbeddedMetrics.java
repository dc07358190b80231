package dev.ssmauditor.log;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch Embedded Metric Format: a log line whose {@code _aws} block names some of its own fields as
 * metrics. CloudWatch Logs turns them into metrics with no API call and no extra dependency. The metrics
 * land in namespace {@value #NAMESPACE}, dimension {@code Function} (the function's name).
 */
public final class EmbeddedMetrics {

    public static final String NAMESPACE = "SsmSessionAuditor";
    public static final String FUNCTION = "Function";

    private final String function;

    public EmbeddedMetrics(String function) {
        this.function = function == null || function.isBlank() ? "local" : function;
    }

    /**
     * Adds the {@code _aws} block and the dimension fields to {@code fields}, declaring {@code metrics}
     * (field name to unit) as metrics; the metric values must already be in {@code fields}.
     */
    public Map<String, Object> declare(Map<String, Object> fields, Map<String, String> metrics, Map<String, String> dimensions,
                                       Instant timestamp) {
        List<Object> declared = new ArrayList<>();
        metrics.forEach((name, unit) -> {
            Map<String, Object> metric = new LinkedHashMap<>();
            metric.put("Name", name);
            metric.put("Unit", unit);
            declared.add(metric);
        });
        List<String> dimensionNames = new ArrayList<>();
        dimensionNames.add(FUNCTION);
        dimensionNames.addAll(dimensions.keySet());
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", NAMESPACE);
        directive.put("Dimensions", List.of(dimensionNames));
        directive.put("Metrics", declared);
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", timestamp.toEpochMilli());
        aws.put("CloudWatchMetrics", List.of(directive));
        Map<String, Object> line = new LinkedHashMap<>(fields);
        line.put(FUNCTION, function);
        line.putAll(dimensions);
        line.put("_aws", aws);
        return line;
    }
}
