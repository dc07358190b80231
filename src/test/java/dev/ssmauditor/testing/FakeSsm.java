package dev.ssmauditor.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * An SSM endpoint speaking the JSON 1.1 protocol on a WireMock server, backed by a small model:
 * {@code DescribeSessions} (Active and History, the {@code InvokedAfter}, {@code InvokedBefore} and {@code SessionId}
 * filters, pages of {@code MaxResults} with {@code NextToken}s page-2, page-3, ...). Tests change the
 * model between runs; fixed answers for odd cases can be stubbed on top with {@link #page}. {@code TerminateSession}
 * moves an active session to the history, as over (it succeeds for any id, as the real one is documented to); the
 * sessions it ended are counted by id.
 */
public final class FakeSsm extends FakeEndpoint {

    public static final String DESCRIBE_SESSIONS = "AmazonSSM.DescribeSessions";
    public static final String TERMINATE_SESSION = "AmazonSSM.TerminateSession";
    static final String NAME = "fake-ssm";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObjectNode> active = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> history = new CopyOnWriteArrayList<>();
    /** Sessions of other accounts and regions, by {@link #where}: the access key signing the call, and its region. */
    private final Map<String, List<ObjectNode>> activeElsewhere = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> historyElsewhere = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> callsElsewhere = new ConcurrentHashMap<>();
    /** TerminateSession calls answered, by session id, and those that found the session active and ended it. */
    private final Map<String, AtomicInteger> terminateCalls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> terminated = new ConcurrentHashMap<>();
    private final Set<String> stubborn = ConcurrentHashMap.newKeySet();
    private volatile boolean terminateDenied;

    FakeSsm() {
        super(NAME, 11);
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
            s.put("StartDate", epoch(start));
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

    /** The same session, over: as {@code State=History} lists it. */
    public static ObjectNode ended(ObjectNode session, Instant end) {
        ObjectNode s = session.deepCopy();
        s.put("Status", "Terminated");
        s.put("EndDate", epoch(end));
        return s;
    }

    private static double epoch(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    public void setActive(List<ObjectNode> sessions) {
        active.clear();
        active.addAll(sessions);
    }

    /**
     * The sessions of one account and region: calls signed with {@code accessKeyId} (an account's credentials, e.g. from
     * {@link FakeSts}) in {@code region} see these; other calls see the default model.
     */
    public void setActive(String accessKeyId, String region, List<ObjectNode> sessions) {
        activeElsewhere.put(where(accessKeyId, region), new CopyOnWriteArrayList<>(sessions));
    }

    public void setHistory(String accessKeyId, String region, List<ObjectNode> sessions) {
        historyElsewhere.put(where(accessKeyId, region), new CopyOnWriteArrayList<>(sessions));
    }

    /** Calls signed with this key in this region are refused with AccessDeniedException. */
    public void deny(String accessKeyId, String region) {
        denied.add(where(accessKeyId, region));
    }

    /** TerminateSession calls answered for this session id (whatever its state). */
    public int terminateCalls(String sessionId) {
        AtomicInteger n = terminateCalls.get(sessionId);
        return n == null ? 0 : n.get();
    }

    /** How many times TerminateSession found this session active and ended it: at most once, for any session. */
    public int timesTerminated(String sessionId) {
        AtomicInteger n = terminated.get(sessionId);
        return n == null ? 0 : n.get();
    }

    /** The ids TerminateSession ended, each as often as it did. */
    public Map<String, Integer> terminatedSessions() {
        Map<String, Integer> all = new java.util.TreeMap<>();
        terminated.forEach((id, n) -> all.put(id, n.get()));
        return all;
    }

    /** TerminateSession answers success for this session but leaves it connected (a session that will not end). */
    public void stubborn(String sessionId) {
        stubborn.add(sessionId);
    }

    /** TerminateSession is refused with AccessDeniedException (a role without ssm:TerminateSession). */
    public void denyTerminate(boolean denied) {
        terminateDenied = denied;
    }

    public int calls(String accessKeyId, String region) {
        AtomicInteger n = callsElsewhere.get(where(accessKeyId, region));
        return n == null ? 0 : n.get();
    }

    static String where(String accessKeyId, String region) {
        return accessKeyId + "|" + region;
    }

    /** From SigV4's {@code Credential=AKID/DATE/REGION/SERVICE/aws4_request}: who signed, for which region. */
    public static String[] signer(String authorization) {
        if (authorization == null) {
            return new String[] {"", ""};
        }
        int at = authorization.indexOf("Credential=");
        String[] scope = authorization.substring(at + "Credential=".length()).split("[/,]");
        return new String[] {scope[0], scope[2]};
    }

    public void setHistory(List<ObjectNode> sessions) {
        history.clear();
        history.addAll(sessions);
    }

    /** A fixed answer to the Active listing request carrying {@code token} (null for the first), over the model. */
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
        server.stubFor(post(urlEqualTo("/")).atPriority(1)
                .withHeader("X-Amz-Target", equalTo(DESCRIBE_SESSIONS))
                .withRequestBody(equalToJson(request.toString()))
                .willReturn(okBuilder(response)));
    }

    public List<LoggedRequest> describeSessionsRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(DESCRIBE_SESSIONS)));
    }

    public List<JsonNode> describeSessionsBodies(String state) {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest r : describeSessionsRequests()) {
            JsonNode body = read(r.getBodyAsString());
            if (state.equals(body.path("State").asText())) {
                bodies.add(body);
            }
        }
        return bodies;
    }


    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String target = event.getRequest().getHeader("X-Amz-Target");
        String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
        Faults.Kind fault = faults().draw(operation);
        if (fault != null) {
            switch (fault) {
                case THROTTLE:
                    return error(400, "ThrottlingException", "Rate exceeded");
                case SERVER_ERROR:
                    return error(500, "InternalServerError", "injected");
                case DOWN:
                    return error(503, "ServiceUnavailable", "injected");
                case RESET:
                    return Faults.reset().build();
                default:
                    break; // DELAY: answer, late
            }
        }
        String[] signer = signer(event.getRequest().getHeader("Authorization"));
        String where = where(signer[0], signer[1]);
        callsElsewhere.computeIfAbsent(where, k -> new AtomicInteger()).incrementAndGet();
        if (denied.contains(where)) {
            return error(400, "AccessDeniedException", "User is not authorized to perform: ssm:DescribeSessions");
        }
        boolean elsewhere = activeElsewhere.containsKey(where) || historyElsewhere.containsKey(where);
        ResponseDefinition answer;
        if (TERMINATE_SESSION.equals(target)) {
            answer = terminate(read(event.getRequest().getBodyAsString()),
                    elsewhere ? activeElsewhere.computeIfAbsent(where, k -> new CopyOnWriteArrayList<>()) : active,
                    elsewhere ? historyElsewhere.computeIfAbsent(where, k -> new CopyOnWriteArrayList<>()) : history);
        } else if (DESCRIBE_SESSIONS.equals(target) && elsewhere) {
            answer = describeSessions(read(event.getRequest().getBodyAsString()),
                    activeElsewhere.getOrDefault(where, List.of()), historyElsewhere.getOrDefault(where, List.of()));
        } else {
            answer = answer(target, read(event.getRequest().getBodyAsString()));
        }
        return fault == Faults.Kind.DELAY
                ? ResponseDefinitionBuilder.like(answer).withFixedDelay(faults().delayMillis()).build() : answer;
    }

    private ResponseDefinition answer(String target, JsonNode body) {
        return switch (target == null ? "" : target) {
            case DESCRIBE_SESSIONS -> describeSessions(body, active, history);
            default -> error(400, "InvalidAction", "not served by this fake: " + target);
        };
    }

    private synchronized ResponseDefinition terminate(JsonNode request, List<ObjectNode> active, List<ObjectNode> history) {
        if (terminateDenied) {
            return error(400, "AccessDeniedException", "User is not authorized to perform: ssm:TerminateSession");
        }
        String id = request.path("SessionId").asText();
        if (id.isEmpty()) {
            return error(400, "ValidationException", "SessionId is required");
        }
        terminateCalls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        for (ObjectNode s : active) {
            if (id.equals(s.path("SessionId").asText()) && !stubborn.contains(id)) {
                active.remove(s);
                history.add(ended(s, Instant.now()));
                terminated.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                break;
            }
        }
        return ok(JSON.createObjectNode().put("SessionId", id));
    }

    private ResponseDefinition describeSessions(JsonNode request, List<ObjectNode> active, List<ObjectNode> history) {
        int max = request.path("MaxResults").asInt(20);
        if (max < 1 || max > 200) {
            return error(400, "ValidationException", "MaxResults must be between 1 and 200");
        }
        String state = request.path("State").asText();
        List<ObjectNode> source = switch (state) {
            case "Active" -> active;
            case "History" -> history;
            default -> null;
        };
        if (source == null) {
            return error(400, "ValidationException", "State must be Active or History");
        }
        List<ObjectNode> matching = new ArrayList<>();
        Instant after = null;
        Instant before = null;
        String sessionId = null;
        for (JsonNode f : request.path("Filters")) {
            if (f.path("key").asText().equals("SessionId")) {
                sessionId = f.path("value").asText();
            }
            if (f.path("key").asText().equals("InvokedAfter")) {
                after = Instant.parse(f.path("value").asText());
            } else if (f.path("key").asText().equals("InvokedBefore")) {
                before = Instant.parse(f.path("value").asText());
            }
        }
        for (ObjectNode s : source) {
            double start = s.has("StartDate") ? s.get("StartDate").asDouble() : Double.NaN;
            boolean afterOk = after == null || start >= after.getEpochSecond();
            boolean beforeOk = before == null || start < before.getEpochSecond();
            boolean idOk = sessionId == null || sessionId.equals(s.path("SessionId").asText());
            if (afterOk && beforeOk && idOk) {
                matching.add(s);
            }
        }
        int page = request.has("NextToken") ? Integer.parseInt(request.get("NextToken").asText().substring("page-".length())) : 1;
        int from = (page - 1) * max;
        ObjectNode response = JSON.createObjectNode();
        ArrayNode list = response.putArray("Sessions");
        matching.subList(Math.min(from, matching.size()), Math.min(from + max, matching.size())).forEach(list::add);
        if (from + max < matching.size()) {
            response.put("NextToken", "page-" + (page + 1));
        }
        return ok(response);
    }

    static ResponseDefinition ok(JsonNode body) {
        return okBuilder(body).build();
    }

    private static ResponseDefinitionBuilder okBuilder(JsonNode body) {
        return new ResponseDefinitionBuilder().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "fake-request")
                .withBody(body.toString());
    }

    static ResponseDefinition error(int status, String type, String message) {
        return new ResponseDefinitionBuilder().withStatus(status)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "fake-error")
                .withBody(JSON.createObjectNode().put("__type", type).put("message", message).toString()).build();
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
