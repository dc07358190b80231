package dev.ssmauditor.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SQS endpoint speaking the JSON protocol the SDK uses: {@code SendMessageBatch} keeps the bodies it accepts (with
 * the MD5 the SDK checks); bodies containing a string {@linkplain #refuse refused} are reported failed, per entry.
 */
public final class FakeSqs extends FakeEndpoint {

    static final String NAME = "fake-sqs";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    public FakeSqs() {
        super(NAME, 17);
    }

    public List<String> bodies() {
        return List.copyOf(bodies);
    }

    /** Entries whose body contains {@code text} fail (once refused, always). */
    public void refuse(String text) {
        refused.add(text);
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String target = String.valueOf(event.getRequest().getHeader("X-Amz-Target"));
        Faults.Kind fault = faults().draw(target.substring(target.indexOf('.') + 1));
        if (fault == Faults.Kind.THROTTLE) {
            return error(400, "com.amazonaws.sqs#ThrottlingException", "Rate exceeded");
        } else if (fault == Faults.Kind.SERVER_ERROR || fault == Faults.Kind.DOWN) {
            return error(500, "com.amazonaws.sqs#InternalError", "injected");
        }
        if (!target.equals("AmazonSQS.SendMessageBatch")) {
            return error(400, "com.amazonaws.sqs#InvalidAction", "not served by this fake: " + target);
        }
        JsonNode request;
        try {
            request = JSON.readTree(event.getRequest().getBodyAsString());
        } catch (IOException e) {
            return error(400, "com.amazonaws.sqs#InvalidParameterValue", "not JSON");
        }
        ObjectNode response = JSON.createObjectNode();
        ArrayNode ok = response.putArray("Successful");
        ArrayNode failed = response.putArray("Failed");
        for (JsonNode entry : request.path("Entries")) {
            String body = entry.path("MessageBody").asText();
            if (refused.stream().anyMatch(body::contains)) {
                failed.addObject().put("Id", entry.path("Id").asText()).put("SenderFault", false)
                        .put("Code", "InternalError").put("Message", "injected");
                continue;
            }
            bodies.add(body);
            ok.addObject().put("Id", entry.path("Id").asText()).put("MessageId", UUID.randomUUID().toString())
                    .put("MD5OfMessageBody", md5(body));
        }
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withFixedDelay(fault == Faults.Kind.DELAY ? faults().delayMillis() : null)
                .withBody(response.toString()).build();
    }

    private static String md5(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ResponseDefinition error(int status, String type, String message) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody(JSON.createObjectNode().put("__type", type).put("message", message).toString()).build();
    }
}
