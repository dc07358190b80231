package dev.ssmauditor.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.ssmauditor.coverage.MemberAccount;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * An AWS Organizations endpoint (JSON 1.1) on a WireMock server, serving {@code ListAccounts} from a model of
 * accounts: pages of {@code MaxResults} (or {@link #pageSize}), {@code NextToken}s page-2, page-3, ..., optional empty
 * pages mid-list, a NextToken served twice, refusals and scripted throttling or 5xx. Like Organizations, every error
 * is HTTP 400 but the 5xx ones. Register it with {@code @RegisterExtension} (a server per test), or
 * {@link #open()} and {@link #close()} it; point code at it with {@link #endpointEnv()}.
 */
public final class FakeOrganizations extends FakeEndpoint implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

    public static final String LIST_ACCOUNTS = "AWSOrganizationsV20161128.ListAccounts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObjectNode> accounts = new CopyOnWriteArrayList<>();
    private final Set<Integer> emptyPagesAfter = new ConcurrentSkipListSet<>();
    private final ScriptedFaults scripted = new ScriptedFaults();
    private volatile int pageSize;
    private volatile int repeatTokenAt;
    private volatile String refusal;

    public FakeOrganizations() {
        super("fake-organizations", 13);
    }

    // ---- lifecycle

    @Override
    public void beforeEach(ExtensionContext context) {
        open();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The environment that sends Organizations calls here: {@code AWS_ENDPOINT_URL_ORGANIZATIONS}. */
    public Map<String, String> endpointEnv() {
        return Map.of("AWS_ENDPOINT_URL_ORGANIZATIONS", baseUrl());
    }

    // ---- the model

    /** An account as ListAccounts lists it; a null status or state leaves that field out. */
    public static ObjectNode account(String id, String name, String status, String state) {
        ObjectNode a = JSON.createObjectNode();
        a.put("Id", id);
        a.put("Arn", "arn:aws:organizations::111111111111:account/o-example/" + id);
        a.put("Email", id + "@example.com");
        if (name != null) {
            a.put("Name", name);
        }
        if (status != null) {
            a.put("Status", status);
        }
        if (state != null) {
            a.put("State", state);
        }
        a.put("JoinedMethod", "CREATED");
        a.put("JoinedTimestamp", 1.7e9);
        return a;
    }

    /** Replaces the organisation's accounts with these, all ACTIVE. */
    public FakeOrganizations accounts(List<MemberAccount> active) {
        accounts.clear();
        active.forEach(a -> accounts.add(account(a.id(), a.name(), "ACTIVE", "ACTIVE")));
        return this;
    }

    /** Adds an account, in any status or state, after those already listed. */
    public FakeOrganizations add(ObjectNode account) {
        accounts.add(account);
        return this;
    }

    /** Pages of this many accounts whatever MaxResults asks for (Organizations may return fewer); 0: MaxResults. */
    public FakeOrganizations pageSize(int size) {
        this.pageSize = size;
        return this;
    }

    /** An empty page, with a NextToken, after the {@code page}-th page of accounts (1-based). */
    public FakeOrganizations emptyPageAfter(int page) {
        emptyPagesAfter.add(page);
        return this;
    }

    /** Page {@code page} (2 or later) answers with the NextToken that asked for it, so the token comes twice. */
    public FakeOrganizations repeatTokenAt(int page) {
        if (page < 2) {
            throw new IllegalArgumentException("the first page is asked for without a token");
        }
        this.repeatTokenAt = page;
        return this;
    }

    // ---- faults

    /** Every ListAccounts is refused with this error code (HTTP 400), e.g. AWSOrganizationsNotInUseException. */
    public FakeOrganizations refuse(String code) {
        this.refusal = code;
        return this;
    }

    /** As from a member account, or without organizations:ListAccounts. */
    public FakeOrganizations accessDenied() {
        return refuse("AccessDeniedException");
    }

    /** The next {@code times} requests are throttled (HTTP 400 TooManyRequestsException), then the model answers. */
    public FakeOrganizations throttle(int times) {
        scripted.add(Faults.Kind.THROTTLE, times);
        return this;
    }

    /** The next {@code times} requests fail with HTTP 500 ServiceException. */
    public FakeOrganizations serverErrors(int times) {
        scripted.add(Faults.Kind.SERVER_ERROR, times);
        return this;
    }

    /** The next {@code times} connections are reset. */
    public FakeOrganizations resets(int times) {
        scripted.add(Faults.Kind.RESET, times);
        return this;
    }

    // ---- what was asked

    public List<LoggedRequest> listAccountsRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(LIST_ACCOUNTS)));
    }

    public List<JsonNode> listAccountsBodies() {
        List<JsonNode> bodies = new ArrayList<>();
        listAccountsRequests().forEach(r -> bodies.add(read(r.getBodyAsString())));
        return bodies;
    }

    /** Every request received, whatever it was, faults included. */
    public int requestCount() {
        return server.findAll(anyRequestedFor(anyUrl())).size();
    }

    // ---- serving

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Faults.Kind fault = scripted.draw();
        if (fault == null) {
            fault = faults().draw("ListAccounts");
        }
        if (fault != null) {
            switch (fault) {
                case THROTTLE:
                    return error(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.");
                case SERVER_ERROR:
                    return error(500, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.");
                case DOWN:
                    return error(503, "ServiceUnavailable", "injected");
                case RESET:
                    return Faults.reset().build();
                default:
                    break;
            }
        }
        String target = event.getRequest().getHeader("X-Amz-Target");
        if (!LIST_ACCOUNTS.equals(target)) {
            return error(400, "UnknownOperationException", "not served by this fake: " + target);
        }
        if (refusal != null) {
            return error(400, refusal, refusal.equals("AccessDeniedException")
                    ? "You don't have permissions to access this resource." : "refused by the fake");
        }
        ResponseDefinition answer = listAccounts(read(event.getRequest().getBodyAsString()));
        return fault == Faults.Kind.DELAY
                ? ResponseDefinitionBuilder.like(answer).withFixedDelay(faults().delayMillis()).build() : answer;
    }

    private ResponseDefinition listAccounts(JsonNode request) {
        int max = request.path("MaxResults").asInt(20);
        if (max < 1 || max > 20) {
            return error(400, "InvalidInputException", "MaxResults must be between 1 and 20");
        }
        List<List<ObjectNode>> pages = pages(pageSize > 0 ? pageSize : max);
        int page = 1;
        if (request.hasNonNull("NextToken")) {
            String token = request.get("NextToken").asText();
            if (!token.startsWith("page-")) {
                return error(400, "InvalidInputException", "You provided an invalid NextToken");
            }
            page = Integer.parseInt(token.substring("page-".length()));
            if (page < 2 || page > pages.size()) {
                return error(400, "InvalidInputException", "You provided an invalid NextToken");
            }
        }
        ObjectNode response = JSON.createObjectNode();
        ArrayNode list = response.putArray("Accounts");
        pages.get(page - 1).forEach(list::add);
        if (page == repeatTokenAt) {
            response.put("NextToken", "page-" + page);
        } else if (page < pages.size()) {
            response.put("NextToken", "page-" + (page + 1));
        }
        return new ResponseDefinitionBuilder().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "fake-request")
                .withBody(response.toString()).build();
    }

    /** The accounts in pages of {@code size}, with the empty pages; at least one page. */
    private List<List<ObjectNode>> pages(int size) {
        List<ObjectNode> all = new ArrayList<>(accounts);
        List<List<ObjectNode>> pages = new ArrayList<>();
        int full = 0;
        for (int from = 0; from < all.size() || pages.isEmpty(); from += size) {
            pages.add(all.subList(from, Math.min(from + size, all.size())));
            full++;
            if (emptyPagesAfter.contains(full)) {
                pages.add(List.of());
            }
            if (all.isEmpty()) {
                break;
            }
        }
        return pages;
    }

    private static ResponseDefinition error(int status, String type, String message) {
        return new ResponseDefinitionBuilder().withStatus(status)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "fake-error")
                .withBody(JSON.createObjectNode().put("__type", type).put("Message", message).toString()).build();
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
