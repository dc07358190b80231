package dev.ssmauditor.aws;

import dev.ssmauditor.log.JsonLog;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One log line per retried attempt and per failed call, so an operator sees throttling and outages in the
 * function's logs, not only their outcome. Successful first attempts log nothing.
 */
final class CallLogger implements ExecutionInterceptor {

    private static final ExecutionAttribute<Integer> ATTEMPT = new ExecutionAttribute<>("ssmauditor.attempt");

    private final JsonLog log;

    CallLogger(JsonLog log) {
        this.log = log;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(ATTEMPT, 0);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        int attempt = attributes.getAttribute(ATTEMPT) + 1;
        attributes.putAttribute(ATTEMPT, attempt);
        if (attempt > 1) {
            log.warn("retrying AWS call", fields(attributes, attempt));
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        int status = context.httpResponse().statusCode();
        if (status >= 400) {
            Map<String, Object> fields = fields(attributes, attributes.getAttribute(ATTEMPT));
            fields.put("status", status);
            context.httpResponse().firstMatchingHeader("x-amzn-RequestId").ifPresent(id -> fields.put("requestId", id));
            log.warn("AWS call attempt failed", fields);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Map<String, Object> fields = fields(attributes, attributes.getAttribute(ATTEMPT));
        fields.put("error", context.exception().getClass().getSimpleName());
        fields.put("cause", String.valueOf(context.exception().getMessage()));
        log.error("AWS call failed", fields);
    }

    private static Map<String, Object> fields(ExecutionAttributes attributes, Integer attempt) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("service", attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
        fields.put("operation", attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        fields.put("attempt", attempt == null ? 0 : attempt);
        return fields;
    }
}
