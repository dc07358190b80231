package dev.ssmauditor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * An SSM endpoint speaking the JSON 1.1 protocol on a WireMock server: {@code DescribeSessions} answered
 * page by page, each page matched on its exact request body so that a request with other parameters
 * (another {@code MaxResults}, a wrong token) gets no answer and fails the test.
 */
public final class FakeSsm {

    public static final String DESCRIBE_SESSIONS = "AmazonSSM.DescribeSessions";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer server;

    public FakeSsm(WireMockServer server) {
        this.server = server;
    }

    /** A session as DescribeSessions returns it on the wire (dates as epoch seconds). */
    public static ObjectNode session(String id, String target, String owner, String document, Instant start) {
        ObjectNode s = JSON.createObjectNode();
        s.put("SessionId", id);
        if (target != null) {
            s.put("Target", target);
        }
        s.put("Status", "Connected");
        if (start != null) {
            s.put("StartDate", start.getEpochSecond() + start.getNano() / 1e9);
        }
        if (document != null) {
            s.put("DocumentName", document);
        }
        if (owner != null) {
            s.put("Owner", owner);
        }
        s.putObject("OutputUrl");
        return s;
    }

    /** Serves the sessions as Active, {@code pageSize} a page, with tokens page-2, page-3, ... */
    public void activeSessions(List<ObjectNode> sessions, int pageSize) {
        List<List<ObjectNode>> pages = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i += pageSize) {
            pages.add(sessions.subList(i, Math.min(sessions.size(), i + pageSize)));
        }
        if (pages.isEmpty()) {
            pages.add(List.of());
        }
        for (int p = 0; p < pages.size(); p++) {
            String token = p == 0 ? null : "page-" + (p + 1);
            String next = p + 1 < pages.size() ? "page-" + (p + 2) : null;
            page(token, pages.get(p), next);
        }
    }

    /** One page: the answer to the request carrying {@code token} (null for the first). */
    public void page(String token, List<ObjectNode> sessions, String nextToken) {
        ObjectNode request = JSON.createObjectNode().put("State", "Active").put("MaxResults", 200);
        if (token != null) {
            request.put("NextToken", token);
        }
        ObjectNode response = JSON.createObjectNode();
        ArrayNode list = response.putArray("Sessions");
        sessions.forEach(list::add);
        if (nextToken != null) {
            response.put("NextToken", nextToken);
        }
        server.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(DESCRIBE_SESSIONS))
                .withRequestBody(equalToJson(request.toString()))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withHeader("x-amzn-RequestId", "req-" + (token == null ? "1" : token))
                        .withBody(response.toString())));
    }

    public List<LoggedRequest> describeSessionsRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(DESCRIBE_SESSIONS)));
    }
}
