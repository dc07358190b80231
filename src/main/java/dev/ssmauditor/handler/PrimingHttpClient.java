package dev.ssmauditor.handler;

import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP client that never touches the network: it answers the calls an audit or an event check makes
 * (DescribeSessions, the ledger's DynamoDB calls, Publish) with canned responses. Priming runs a whole audit through it before a
 * SnapStart snapshot, so that signing, marshalling, unmarshalling and our own code are loaded and compiled in
 * the snapshot, and no AWS call is made.
 */
final class PrimingHttpClient implements SdkHttpClient {

    private static final String SESSION_PAGE = "{\"Sessions\":[{\"SessionId\":\"priming-0123456789abcdef0\","
            + "\"Target\":\"i-0123456789abcdef0\",\"Status\":\"Connected\",\"StartDate\":1.7645E9,"
            + "\"DocumentName\":\"SSM-SessionManagerRunShell\",\"Owner\":\"arn:aws:iam::000000000000:user/priming\","
            + "\"Reason\":\"priming\",\"OutputUrl\":{}}]}";
    private static final String BATCH_GET = "{\"Responses\":{},\"UnprocessedKeys\":{}}";
    private static final String BATCH_WRITE = "{\"UnprocessedItems\":{}}";
    private static final String PUBLISH = "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
            + "<MessageId>00000000-0000-0000-0000-000000000000</MessageId></PublishResult><ResponseMetadata>"
            + "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></PublishResponse>";

    private final AtomicInteger calls = new AtomicInteger();

    /** A StartSession record as EventBridge delivers it, for priming the event path. */
    static String startSessionEvent(String region) {
        return "{\"version\":\"0\",\"id\":\"priming\",\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.ssm\","
                + "\"account\":\"000000000000\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"" + region + "\",\"resources\":[],"
                + "\"detail\":{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":"
                + "\"arn:aws:iam::000000000000:user/priming\"},\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventSource\":"
                + "\"ssm.amazonaws.com\",\"eventName\":\"StartSession\",\"awsRegion\":\"" + region + "\",\"sourceIPAddress\":"
                + "\"192.0.2.1\",\"userAgent\":\"priming\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                + "\"responseElements\":{\"sessionId\":\"priming-0123456789abcdef0\"},\"eventID\":\"priming\","
                + "\"recipientAccountId\":\"000000000000\"}}";
    }

    int calls() {
        return calls.get();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
        String body;
        String type = "application/x-amz-json-1.1";
        if (target.endsWith(".DescribeSessions")) {
            body = SESSION_PAGE;
        } else if (target.startsWith("DynamoDB_")) {
            // The ledger: no sweep yet, no key known, every claim and write accepted.
            type = "application/x-amz-json-1.0";
            body = target.endsWith(".BatchGetItem") ? BATCH_GET : target.endsWith(".BatchWriteItem") ? BATCH_WRITE : "{}";
        } else {
            body = PUBLISH;
            type = "text/xml";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String contentType = type;
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                calls.incrementAndGet();
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200).putHeader("Content-Type", contentType)
                                .putHeader("Content-Length", Integer.toString(bytes.length))
                                .putHeader("x-amzn-RequestId", "priming").build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
                        .build();
            }

            @Override
            public void abort() {
                // nothing in flight
            }
        };
    }

    @Override
    public void close() {
        // nothing to release
    }
}
