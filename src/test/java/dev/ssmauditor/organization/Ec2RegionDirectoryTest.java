package dev.ssmauditor.organization;

import dev.ssmauditor.aws.AwsEndpoints;
import dev.ssmauditor.aws.Wire;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.ssmauditor.coverage.CoverageException;
import dev.ssmauditor.testing.FakeEc2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** DescribeRegions over the wire, per account, through the real URL connection client. */
class Ec2RegionDirectoryTest {

    @RegisterExtension
    final FakeEc2 ec2 = new FakeEc2();

    private final SdkHttpClient http = Wire.http();

    @AfterEach
    void closeHttp() {
        http.close();
    }

    private Ec2RegionDirectory directory(Region functionRegion) {
        return new Ec2RegionDirectory(Wire.requests(http, null),
                new AwsEndpoints(ec2.endpointEnv(), functionRegion).ec2());
    }

    @Test
    void eachAccountGetsItsOwnRegionsByItsOwnCredentials() {
        ec2.enabledRegions("ASIAMEMBER1", List.of("eu-west-1", "us-east-1"))
                .enabledRegions("ASIAMEMBER2", List.of("ap-southeast-2", "eu-south-1", "us-west-2"));
        Ec2RegionDirectory directory = directory(Region.EU_WEST_1);

        assertThat(directory.enabledRegions("111111111111", Wire.session("ASIAMEMBER1", "t1")))
                .containsExactly("eu-west-1", "us-east-1");
        assertThat(directory.enabledRegions("222222222222", Wire.session("ASIAMEMBER2", "t2")))
                .containsExactly("ap-southeast-2", "eu-south-1", "us-west-2");
        assertThat(ec2.describeRegionsRequests("ASIAMEMBER1")).hasSize(1);
        assertThat(ec2.describeRegionsRequests("ASIAMEMBER2")).hasSize(1);
    }

    @Test
    void theRequestIsAQueryCallSignedForEc2InTheFunctionsRegion() {
        ec2.enabledRegions("ASIAMEMBER1", List.of("eu-central-1"));

        directory(Region.EU_CENTRAL_1).enabledRegions("111111111111", Wire.session("ASIAMEMBER1", "member-token"));

        LoggedRequest r = ec2.describeRegionsRequests().get(0);
        assertThat(r.getUrl()).isEqualTo("/");
        // Jetty hands the charset over in capitals; the probe of the raw bytes showed utf-8 as signed.
        assertThat(r.getHeader("Content-Type")).isEqualToIgnoringCase("application/x-www-form-urlencoded; charset=utf-8");
        assertThat(r.getBodyAsString()).isEqualTo("Action=DescribeRegions&Version=2016-11-15");
        assertThat(r.getHeader("Authorization"))
                .matches("AWS4-HMAC-SHA256 Credential=ASIAMEMBER1/\\d{8}/eu-central-1/ec2/aws4_request, .*");
        assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo("member-token");
    }

    @Test
    void accessDeniedNamesTheSettingAndTheFixAndIsNotRetried() {
        ec2.accessDenied("ASIAMEMBER1");

        CoverageException e = catchThrowableOfType(CoverageException.class,
                () -> directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("ASIAMEMBER1")));

        assertThat(e.accessDenied()).isTrue();
        assertThat(e).hasMessageContaining("AUDIT_REGIONS=enabled")
                .hasMessageContaining("account 111111111111")
                .hasMessageContaining("UnauthorizedOperation")
                .hasMessageContaining("The member role needs ec2:DescribeRegions when AUDIT_REGIONS=enabled");
        assertThat(ec2.requestCount()).isEqualTo(1);
    }

    @Test
    void unknownCredentialsAreARefusal() {
        CoverageException e = catchThrowableOfType(CoverageException.class,
                () -> directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("AKIDUNKNOWN")));

        assertThat(e.accessDenied()).isTrue();
        assertThat(e).hasMessageContaining("AUDIT_REGIONS=enabled").hasMessageContaining("HTTP 401");
        assertThat(ec2.requestCount()).isEqualTo(1);
    }

    @Test
    void serverErrorsAndThrottlingAreRetriedThenTheCallSucceeds() {
        ec2.enabledRegions("ASIAMEMBER1", List.of("eu-west-1")).serverErrors(1).throttle(1);

        assertThat(directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("ASIAMEMBER1")))
                .containsExactly("eu-west-1");
        assertThat(ec2.requestCount()).isEqualTo(3);
    }

    @Test
    void persistentServerErrorsFailWithTheAccountNamedAndNoRefusal() {
        ec2.enabledRegions("ASIAMEMBER1", List.of("eu-west-1")).serverErrors(10);

        CoverageException e = catchThrowableOfType(CoverageException.class,
                () -> directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("ASIAMEMBER1")));

        assertThat(e.accessDenied()).isFalse();
        assertThat(e).hasMessageContaining("account 111111111111").hasMessageContaining("HTTP 500 InternalError");
        assertThat(ec2.requestCount()).isEqualTo(Wire.FAST.maxAttempts());
    }

    @Test
    void anAnswerWithoutRegionsIsAnErrorNotAnEmptyAccount() {
        ec2.enabledRegions("ASIAMEMBER1", List.of());

        assertThat(catchThrowableOfType(CoverageException.class,
                () -> directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("ASIAMEMBER1"))))
                .hasMessageContaining("listed no regions");
    }

    @Test
    void neitherDtdsNorExternalEntitiesAreRead(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "leaked-region");
        ec2.server().stubFor(post(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withBody("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">"
                        + "<!ENTITY inner \"declared-region\">]>\n"
                        + "<DescribeRegionsResponse><regionInfo><item><regionName>&xxe;</regionName></item>"
                        + "<item><regionName>&inner;</regionName></item></regionInfo></DescribeRegionsResponse>")));

        CoverageException e = catchThrowableOfType(CoverageException.class,
                () -> directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("ASIAMEMBER1")));

        // The DTD is not read, so neither entity is declared: the answer is refused, nothing is expanded.
        assertThat(e).hasMessageContaining("not XML").hasMessageContaining("xxe").hasMessageNotContaining("leaked-region");
    }

    @Test
    void onlyRegionNamesDirectlyUnderRegionInfoItemsCount() {
        ec2.server().stubFor(post(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withBody("<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                        + "<regionName>not-this</regionName><regionInfo><item><regionName> eu-west-3 </regionName>"
                        + "<extra><regionName>nor-this</regionName></extra></item><item><regionName>sa-east-1</regionName>"
                        + "</item></regionInfo></DescribeRegionsResponse>")));

        assertThat(directory(Region.EU_WEST_1).enabledRegions("111111111111", Wire.basic("ASIAMEMBER1")))
                .containsExactly("eu-west-3", "sa-east-1");
    }
}
