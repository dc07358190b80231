package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/** An SNS endpoint speaking the Query protocol on a WireMock server; records what was published. */
public final class FakeSns {

    private final WireMockServer server;
    private final AtomicInteger ids = new AtomicInteger();

    public FakeSns(WireMockServer server) {
        this.server = server;
    }

    public void acceptPublishes() {
        server.stubFor(post(urlEqualTo("/"))
                .withRequestBody(containing("Action=Publish"))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "text/xml")
                        .withBody("""
                                <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                                  <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>
                                  <ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata>
                                </PublishResponse>""")));
    }

    public void failPublishes(int status, String code) {
        server.stubFor(post(urlEqualTo("/"))
                .withRequestBody(containing("Action=Publish"))
                .willReturn(aResponse().withStatus(status)
                        .withHeader("Content-Type", "text/xml")
                        .withBody("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>"
                                + (status < 500 ? "Sender" : "Receiver") + "</Type><Code>" + code
                                + "</Code><Message>injected</Message></Error><RequestId>err-" + ids.incrementAndGet()
                                + "</RequestId></ErrorResponse>")));
    }

    public List<LoggedRequest> publishRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=Publish")));
    }

    /** The decoded form parameters of each publish SNS accepted (answered 200), in order. */
    public List<Map<String, String>> delivered() {
        List<ServeEvent> events = new java.util.ArrayList<>(server.getAllServeEvents());
        java.util.Collections.reverse(events); // WireMock lists the newest first
        return events.stream()
                .filter(e -> e.getRequest().getBodyAsString().contains("Action=Publish"))
                .filter(e -> e.getResponse().getStatus() == 200)
                .map(e -> form(e.getRequest().getBodyAsString()))
                .toList();
    }

    /** The decoded form parameters of each publish request, in order, accepted or not. */
    public List<Map<String, String>> publishes() {
        return publishRequests().stream().map(r -> form(r.getBodyAsString())).toList();
    }

    public static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
