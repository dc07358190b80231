package dev.ssmauditor.organization;

import dev.ssmauditor.aws.AwsCallException;
import dev.ssmauditor.aws.AwsEndpoint;
import dev.ssmauditor.aws.QueryXml;
import dev.ssmauditor.aws.SignedAwsRequests;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ssmauditor.coverage.AccountDirectory;
import dev.ssmauditor.coverage.CoverageException;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.json.JsonValues;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The organisation's accounts for {@code AUDIT_ACCOUNTS=organization}: {@code organizations:ListAccounts}, every page,
 * signed with the hub's own credentials.
 */
public final class OrganizationsAccountDirectory implements AccountDirectory {

    static final String LIST_ACCOUNTS = "AWSOrganizationsV20161128.ListAccounts";
    /** ListAccounts' largest page. */
    static final int PAGE_SIZE = 20;

    private final SignedAwsRequests requests;
    private final AwsEndpoint endpoint;
    private final AwsCredentialsProvider credentials;
    private final JsonFactory json;

    /**
     * @param endpoint    {@link AwsEndpoints#organizations()}
     * @param credentials the function's own (the hub's): only the management or a delegated administrator account
     *                    may list the organisation's accounts
     */
    public OrganizationsAccountDirectory(SignedAwsRequests requests, AwsEndpoint endpoint,
                                         AwsCredentialsProvider credentials, JsonFactory json) {
        this.requests = requests;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.json = json;
    }

    @Override
    public List<MemberAccount> activeAccounts() {
        List<MemberAccount> accounts = new ArrayList<>();
        Set<String> seenTokens = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, Object> page = page(token);
            pages++;
            for (Object item : JsonValues.list(page.get("Accounts"))) {
                Map<String, Object> account = JsonValues.object(item);
                if (account != null && active(account)) {
                    accounts.add(new MemberAccount(id(account), JsonValues.text(account.get("Name"))));
                }
            }
            // Followed even after an empty page: Organizations returns empty pages mid-list, and stopping there
            // would leave the accounts after it unaudited without a word.
            token = JsonValues.text(page.get("NextToken"));
            if (token != null && token.isEmpty()) {
                token = null;
            }
            if (token != null && !seenTokens.add(token)) {
                throw new CoverageException("organizations:ListAccounts returned NextToken " + abbreviate(token)
                        + " a second time (page " + pages + ", " + accounts.size() + " active accounts so far); "
                        + "stopping instead of looping: the list of accounts would be incomplete", false);
            }
        } while (token != null);
        return accounts;
    }

    /** The first page only. */
    @Override
    public void checkAccess() {
        page(null);
    }

    /** ACTIVE by {@code Status}, or by the newer {@code State} when an answer carries only that. */
    private static boolean active(Map<String, Object> account) {
        String status = JsonValues.text(account.get("Status"));
        return "ACTIVE".equals(status != null ? status : JsonValues.text(account.get("State")));
    }

    private static String id(Map<String, Object> account) {
        String id = JsonValues.text(account.get("Id"));
        if (id == null || id.isBlank()) {
            // Skipping it would leave an account unaudited without a word.
            throw new CoverageException("organizations:ListAccounts listed an ACTIVE account without an Id ("
                    + JsonValues.describe(account.get("Name")) + ")", false);
        }
        return id;
    }

    private Map<String, Object> page(String token) {
        String body;
        try {
            body = requests.json11(endpoint, credentials, LIST_ACCOUNTS, request(token));
        } catch (AwsCallException e) {
            throw explained(e);
        }
        try {
            Map<String, Object> page = JsonValues.object(JsonValues.read(json, body));
            if (page == null) {
                throw new CoverageException("organizations:ListAccounts answered " + JsonValues.describe(body)
                        + ", not a JSON object", false);
            }
            return page;
        } catch (IOException e) {
            throw new CoverageException("organizations:ListAccounts answered something that is not JSON: "
                    + e.getMessage(), false, e);
        }
    }

    private String request(String token) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("MaxResults", PAGE_SIZE);
            if (token != null) {
                g.writeStringField("NextToken", token);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The refusals an operator can fix, with the fix; anything else as it came. */
    private static CoverageException explained(AwsCallException e) {
        if (e.accessDenied()) {
            return new CoverageException("AUDIT_ACCOUNTS=organization: organizations:ListAccounts was refused ("
                    + e.getMessage() + "). organizations:ListAccounts works only from the management account or a "
                    + "delegated administrator account; deploy the hub there and grant organizations:ListAccounts, "
                    + "or list the accounts in AUDIT_ACCOUNTS", true, e);
        }
        if ("AWSOrganizationsNotInUseException".equals(e.errorCode())) {
            // A setting to fix, not an outage: reported as a refusal so that it is not retried later.
            return new CoverageException("AUDIT_ACCOUNTS=organization, but the hub's account is not in an "
                    + "organization (AWSOrganizationsNotInUseException). Deploy the hub in the organization's "
                    + "management account or a delegated administrator account, or list the accounts in "
                    + "AUDIT_ACCOUNTS", true, e);
        }
        return new CoverageException(e.getMessage(), false, e);
    }

    private static String abbreviate(String token) {
        return token.length() > 40 ? token.substring(0, 40) + "..." : token;
    }
}
