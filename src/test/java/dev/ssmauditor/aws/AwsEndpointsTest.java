package dev.ssmauditor.aws;

import dev.ssmauditor.organization.OrganizationsAccountDirectory;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.testing.FakeOrganizations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Endpoints as the SDK configures its clients' (AwsClientEndpointProvider), and the AWS defaults per partition. */
class AwsEndpointsTest {

    @RegisterExtension
    final FakeOrganizations organizations = new FakeOrganizations();
    @RegisterExtension
    final FakeOrganizations decoy = new FakeOrganizations();

    private static AwsEndpoints endpoints(Map<String, String> env, Map<String, String> properties, Region region) {
        return new AwsEndpoints(env, properties::get, region);
    }

    @Test
    void organizationsIsGlobalSignedInThePartitionsHomeRegion() {
        assertThat(endpoints(Map.of(), Map.of(), Region.EU_WEST_1).organizations()).isEqualTo(new AwsEndpoint(
                URI.create("https://organizations.us-east-1.amazonaws.com"), "organizations", "us-east-1"));
        assertThat(endpoints(Map.of(), Map.of(), Region.CN_NORTH_1).organizations()).isEqualTo(new AwsEndpoint(
                URI.create("https://organizations.cn-northwest-1.amazonaws.com.cn"), "organizations", "cn-northwest-1"));
        assertThat(endpoints(Map.of(), Map.of(), Region.US_GOV_EAST_1).organizations()).isEqualTo(new AwsEndpoint(
                URI.create("https://organizations.us-gov-west-1.amazonaws.com"), "organizations", "us-gov-west-1"));
    }

    @Test
    void ec2IsTheFunctionsOwnRegion() {
        assertThat(endpoints(Map.of(), Map.of(), Region.AP_SOUTHEAST_2).ec2()).isEqualTo(new AwsEndpoint(
                URI.create("https://ec2.ap-southeast-2.amazonaws.com"), "ec2", "ap-southeast-2"));
        assertThat(endpoints(Map.of(), Map.of(), Region.CN_NORTH_1).ec2()).isEqualTo(new AwsEndpoint(
                URI.create("https://ec2.cn-north-1.amazonaws.com.cn"), "ec2", "cn-north-1"));
    }

    @Test
    void theServiceSpecificVariableWinsOverTheGlobalOne() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://global:1", "AWS_ENDPOINT_URL_ORGANIZATIONS",
                "http://orgs:2", "AWS_ENDPOINT_URL_EC2", "http://ec2:3");
        AwsEndpoints endpoints = endpoints(env, Map.of(), Region.EU_WEST_1);

        assertThat(endpoints.organizations()).isEqualTo(new AwsEndpoint(URI.create("http://orgs:2"), "organizations", "us-east-1"));
        assertThat(endpoints.ec2()).isEqualTo(new AwsEndpoint(URI.create("http://ec2:3"), "ec2", "eu-west-1"));
    }

    @Test
    void theGlobalVariableServesEveryServiceWithoutItsOwn() {
        AwsEndpoints endpoints = endpoints(Map.of("AWS_ENDPOINT_URL", "http://localhost:4566"), Map.of(), Region.EU_WEST_1);

        assertThat(endpoints.organizations().uri()).isEqualTo(URI.create("http://localhost:4566"));
        assertThat(endpoints.ec2().uri()).isEqualTo(URI.create("http://localhost:4566"));
        assertThat(endpoints.ec2().signingRegion()).isEqualTo("eu-west-1");
    }

    @Test
    void systemPropertiesComeFirstAsForTheSdkClients() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://env-global:1", "AWS_ENDPOINT_URL_EC2", "http://env-ec2:2");

        assertThat(endpoints(env, Map.of("aws.endpointUrlEc2", "http://prop-ec2:3", "aws.endpointUrl", "http://prop-global:4"),
                Region.EU_WEST_1).ec2().uri()).isEqualTo(URI.create("http://prop-ec2:3"));
        // The SDK's order: the global property before the service's variable.
        assertThat(endpoints(env, Map.of("aws.endpointUrl", "http://prop-global:4"), Region.EU_WEST_1).ec2().uri())
                .isEqualTo(URI.create("http://prop-global:4"));
        assertThat(endpoints(env, Map.of("aws.endpointUrlOrganizations", "http://prop-orgs:5"), Region.EU_WEST_1)
                .organizations().uri()).isEqualTo(URI.create("http://prop-orgs:5"));
    }

    @Test
    void blankSettingsAreUnsetAndTheIgnoreSwitchRestoresTheDefaults() {
        Map<String, String> env = new HashMap<>(Map.of("AWS_ENDPOINT_URL_EC2", " ", "AWS_ENDPOINT_URL", "http://global:1"));
        assertThat(endpoints(env, Map.of(), Region.EU_WEST_1).ec2().uri()).isEqualTo(URI.create("http://global:1"));

        env.put("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        assertThat(endpoints(env, Map.of(), Region.EU_WEST_1).ec2().uri())
                .isEqualTo(URI.create("https://ec2.eu-west-1.amazonaws.com"));
    }

    @Test
    void aSettingThatIsNotAnAbsoluteUrlIsNamed() {
        assertThatThrownBy(() -> endpoints(Map.of("AWS_ENDPOINT_URL_ORGANIZATIONS", "localhost:4566"), Map.of(),
                Region.EU_WEST_1).organizations())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("environment variable AWS_ENDPOINT_URL_ORGANIZATIONS")
                .hasMessageContaining("absolute URL");
    }

    @Test
    void onTheWireTheServiceSpecificEndpointGetsTheCallAndTheGlobalOneNothing() {
        organizations.accounts(List.of(new MemberAccount("111111111111", "hub")));
        decoy.accounts(List.of(new MemberAccount("999999999999", "decoy")));
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", decoy.baseUrl(),
                "AWS_ENDPOINT_URL_ORGANIZATIONS", organizations.baseUrl());
        SdkHttpClient http = Wire.http();
        try {
            OrganizationsAccountDirectory directory = new OrganizationsAccountDirectory(Wire.requests(http, null),
                    new AwsEndpoints(env, Region.EU_WEST_1).organizations(), Wire.basic("AKIDHUB"), Wire.JSON);

            assertThat(directory.activeAccounts()).containsExactly(new MemberAccount("111111111111", "hub"));
            assertThat(organizations.requestCount()).isEqualTo(1);
            assertThat(decoy.requestCount()).isZero();
            // Signed for Organizations' home region, wherever the override points.
            assertThat(organizations.listAccountsRequests().get(0).getHeader("Authorization"))
                    .contains("/us-east-1/organizations/aws4_request");
        } finally {
            http.close();
        }
    }
}
