package dev.ssmauditor.organization;

import dev.ssmauditor.aws.AwsEndpoints;
import dev.ssmauditor.aws.Wire;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ssmauditor.coverage.CoverageException;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.testing.FakeOrganizations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;

import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** ListAccounts over the wire, every page, through the real URL connection client. */
class OrganizationsAccountDirectoryTest {

    @RegisterExtension
    final FakeOrganizations organizations = new FakeOrganizations();

    private final SdkHttpClient http = Wire.http();

    @AfterEach
    void closeHttp() {
        http.close();
    }

    private OrganizationsAccountDirectory directory() {
        return new OrganizationsAccountDirectory(Wire.requests(http, null),
                new AwsEndpoints(organizations.endpointEnv(), Region.EU_WEST_1).organizations(), Wire.basic("AKIDHUB"), Wire.JSON);
    }

    private static List<MemberAccount> accounts(int n) {
        List<MemberAccount> accounts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            accounts.add(new MemberAccount(String.format("%012d", 100000000000L + i), "account-" + i));
        }
        return accounts;
    }

    @Test
    void everyPageIsReadTwentyAccountsAtATime() {
        organizations.accounts(accounts(45));

        assertThat(directory().activeAccounts()).containsExactlyElementsOf(accounts(45));

        List<JsonNode> bodies = organizations.listAccountsBodies();
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0).toString()).isEqualTo("{\"MaxResults\":20}");
        assertThat(bodies.get(1).toString()).isEqualTo("{\"MaxResults\":20,\"NextToken\":\"page-2\"}");
        assertThat(bodies.get(2).path("NextToken").asText()).isEqualTo("page-3");
    }

    @Test
    void theRequestIsJson11ForListAccountsSignedForOrganizations() {
        organizations.accounts(accounts(1));

        directory().activeAccounts();

        var r = organizations.listAccountsRequests().get(0);
        assertThat(r.getUrl()).isEqualTo("/");
        assertThat(r.getHeader("X-Amz-Target")).isEqualTo("AWSOrganizationsV20161128.ListAccounts");
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(r.getHeader("Authorization")).contains("Credential=AKIDHUB/").contains("/us-east-1/organizations/aws4_request");
    }

    @Test
    void emptyPagesMidListAreFollowed() {
        organizations.accounts(accounts(7)).pageSize(3).emptyPageAfter(1).emptyPageAfter(2);

        assertThat(directory().activeAccounts()).containsExactlyElementsOf(accounts(7));

        // 3 + empty + 3 + empty + 1
        assertThat(organizations.listAccountsRequests()).hasSize(5);
    }

    @Test
    void anEmptyFirstPageWithATokenIsFollowed() {
        organizations.accounts(accounts(2)).pageSize(2);
        organizations.server().stubFor(post(urlEqualTo("/")).atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson("{\"MaxResults\":20}"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Accounts\":[],\"NextToken\":\"page-1x\"}")));
        organizations.server().stubFor(post(urlEqualTo("/")).atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson("{\"MaxResults\":20,\"NextToken\":\"page-1x\"}"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Accounts\":[{\"Id\":\"123456789012\",\"Name\":\"late\",\"Status\":\"ACTIVE\"}],\"NextToken\":\"\"}")));

        assertThat(directory().activeAccounts()).containsExactly(new MemberAccount("123456789012", "late"));
        assertThat(organizations.requestCount()).isEqualTo(2);
    }

    @Test
    void onlyActiveAccountsAreReturnedByStatusOrElseState() {
        organizations.accounts(List.of(new MemberAccount("111111111111", "hub")))
                .add(FakeOrganizations.account("222222222222", "suspended", "SUSPENDED", "SUSPENDED"))
                .add(FakeOrganizations.account("333333333333", "closing", "PENDING_CLOSURE", "PENDING_CLOSURE"))
                .add(FakeOrganizations.account("444444444444", "state-only", null, "ACTIVE"))
                .add(FakeOrganizations.account("555555555555", "state-only-closed", null, "CLOSED"))
                .add(FakeOrganizations.account("666666666666", null, "ACTIVE", null))
                // Status is the older field and decides when both are there.
                .add(FakeOrganizations.account("777777777777", "disagreeing", "SUSPENDED", "ACTIVE"));

        assertThat(directory().activeAccounts()).containsExactly(new MemberAccount("111111111111", "hub"),
                new MemberAccount("444444444444", "state-only"), new MemberAccount("666666666666", null));
    }

    @Test
    // Without the guard the listing never ends, and the loop heeds no interrupt: fail from another thread.
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aNextTokenSeenTwiceStopsTheListingInsteadOfLooping() {
        organizations.accounts(accounts(5)).pageSize(2).repeatTokenAt(2);

        CoverageException e = catchThrowableOfType(CoverageException.class, () -> directory().activeAccounts());

        assertThat(e.accessDenied()).isFalse();
        assertThat(e).hasMessageContaining("NextToken page-2 a second time").hasMessageContaining("page 2, 4 active accounts so far");
        assertThat(organizations.listAccountsRequests()).hasSize(2);
    }

    @Test
    void accessDeniedNamesTheSettingAndTheFixAndIsNotRetried() {
        organizations.accessDenied();

        CoverageException e = catchThrowableOfType(CoverageException.class, () -> directory().activeAccounts());

        assertThat(e.accessDenied()).isTrue();
        assertThat(e).hasMessageContaining("AUDIT_ACCOUNTS=organization")
                .hasMessageContaining("AccessDeniedException")
                .hasMessageContaining("organizations:ListAccounts works only from the management account or a delegated "
                        + "administrator account; deploy the hub there and grant organizations:ListAccounts, or list "
                        + "the accounts in AUDIT_ACCOUNTS");
        assertThat(organizations.requestCount()).isEqualTo(1);
    }

    @Test
    void anAccountOutsideAnyOrganizationIsToldSo() {
        organizations.refuse("AWSOrganizationsNotInUseException");

        CoverageException e = catchThrowableOfType(CoverageException.class, () -> directory().activeAccounts());

        assertThat(e).hasMessageContaining("AUDIT_ACCOUNTS=organization")
                .hasMessageContaining("not in an organization")
                .hasMessageContaining("list the accounts in AUDIT_ACCOUNTS");
        assertThat(e.accessDenied()).isTrue();
        assertThat(organizations.requestCount()).isEqualTo(1);
    }

    @Test
    void throttlingMidListIsRetriedAndNoPageIsLost() {
        organizations.accounts(accounts(25));
        organizations.throttle(2);

        assertThat(directory().activeAccounts()).containsExactlyElementsOf(accounts(25));
        assertThat(organizations.requestCount()).isEqualTo(4);
    }

    @Test
    void persistentServerErrorsAreNotARefusal() {
        organizations.accounts(accounts(1)).serverErrors(10);

        CoverageException e = catchThrowableOfType(CoverageException.class, () -> directory().activeAccounts());

        assertThat(e.accessDenied()).isFalse();
        assertThat(e).hasMessageContaining("HTTP 500");
        assertThat(organizations.requestCount()).isEqualTo(Wire.FAST.maxAttempts());
    }

    @Test
    void anActiveAccountWithoutAnIdFailsLoudly() {
        organizations.add(FakeOrganizations.account("", "nameless-id", "ACTIVE", null));

        assertThat(catchThrowableOfType(CoverageException.class, () -> directory().activeAccounts()))
                .hasMessageContaining("without an Id");
    }
}
