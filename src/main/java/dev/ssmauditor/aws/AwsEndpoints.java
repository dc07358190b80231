package dev.ssmauditor.aws;

import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The endpoints of the services called without an SDK client, configured the way the SDK configures its own
 * clients (AwsClientEndpointProvider in aws-core): the service-specific system property ({@code aws.endpointUrlEc2}),
 * the global one ({@code aws.endpointUrl}), the service-specific environment variable ({@code AWS_ENDPOINT_URL_EC2}),
 * the global one ({@code AWS_ENDPOINT_URL}), then the AWS endpoint. {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true}
 * skips the overrides, as it does for the SDK clients. Profile files are not read: the function has none.
 * Overrides are what the tests and local emulators use; the same settings then reach the SDK clients and these calls.
 */
public final class AwsEndpoints {

    private final Map<String, String> env;
    private final UnaryOperator<String> systemProperties;
    private final Region region;

    /** @param region the function's region: EC2's endpoint, and the partition of the global Organizations endpoint */
    public AwsEndpoints(Map<String, String> env, Region region) {
        this(env, System::getProperty, region);
    }

    AwsEndpoints(Map<String, String> env, UnaryOperator<String> systemProperties, Region region) {
        this.env = env;
        this.systemProperties = systemProperties;
        this.region = region;
    }

    /**
     * Organizations is a global service: one endpoint per partition, signed for the partition's home region
     * (an endpoint in the function's own region does not exist).
     */
    public AwsEndpoint organizations() {
        String home;
        String host;
        if (isChina()) {
            home = "cn-northwest-1";
            host = "organizations.cn-northwest-1.amazonaws.com.cn";
        } else if (region.id().startsWith("us-gov-")) {
            home = "us-gov-west-1";
            host = "organizations.us-gov-west-1.amazonaws.com";
        } else {
            home = "us-east-1";
            host = "organizations.us-east-1.amazonaws.com";
        }
        return new AwsEndpoint(configured("Organizations", "https://" + host), "organizations", home);
    }

    /** EC2 in the function's region, which answers DescribeRegions for whichever account signs the call. */
    public AwsEndpoint ec2() {
        String host = "ec2." + region.id() + (isChina() ? ".amazonaws.com.cn" : ".amazonaws.com");
        return new AwsEndpoint(configured("Ec2", "https://" + host), "ec2", region.id());
    }

    private boolean isChina() {
        return region.id().startsWith("cn-");
    }

    /** @param serviceId the SDK's service id as it appears in the system property, e.g. {@code Ec2} */
    private URI configured(String serviceId, String standard) {
        if (!"true".equalsIgnoreCase(setting("aws.ignoreConfiguredEndpointUrls", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
            String[][] sources = {
                    {"system property", "aws.endpointUrl" + serviceId, systemProperties.apply("aws.endpointUrl" + serviceId)},
                    {"system property", "aws.endpointUrl", systemProperties.apply("aws.endpointUrl")},
                    {"environment variable", envName(serviceId), env.get(envName(serviceId))},
                    {"environment variable", "AWS_ENDPOINT_URL", env.get("AWS_ENDPOINT_URL")},
            };
            for (String[] source : sources) {
                // A blank value is treated as unset: templates often pass an empty string for "no override".
                if (source[2] != null && !source[2].isBlank()) {
                    return uri(source[2].trim(), source[0] + " " + source[1]);
                }
            }
        }
        return URI.create(standard);
    }

    private String setting(String property, String variable) {
        String value = systemProperties.apply(property);
        return value != null ? value : env.get(variable);
    }

    private static String envName(String serviceId) {
        return "AWS_ENDPOINT_URL_" + serviceId.toUpperCase(Locale.ROOT);
    }

    private static URI uri(String value, String source) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("The " + source + " must be an absolute URL such as "
                        + "http://localhost:4566, not \"" + value + "\"");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("The " + source + " is not a URL: \"" + value + "\"", e);
        }
    }
}
