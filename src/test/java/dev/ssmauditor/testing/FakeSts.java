package dev.ssmauditor.testing;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An STS endpoint speaking the Query protocol: {@code AssumeRole} hands out credentials whose access key id names the
 * account ({@link #accessKeyOf}), so that other fakes can tell which account a call is made for; roles not
 * {@linkplain #allow allowed} are refused with AccessDenied, as a missing role or an untrusting one is.
 */
public final class FakeSts extends FakeEndpoint {

    static final String NAME = "fake-sts";

    private final Set<String> roles = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> assumed = new ConcurrentHashMap<>();

    public FakeSts() {
        super(NAME, 13);
    }

    /** The access key id of the credentials AssumeRole gives for a role in this account. */
    public static String accessKeyOf(String account) {
        return "ASIA" + account;
    }

    public void allow(String roleArn) {
        roles.add(roleArn);
    }

    public void remove(String roleArn) {
        roles.remove(roleArn);
    }

    /** AssumeRole calls for this role, granted or not. */
    public int assumeRoleCalls(String roleArn) {
        AtomicInteger n = assumed.get(roleArn);
        return n == null ? 0 : n.get();
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Map<String, String> form = FakeSns.form(event.getRequest().getBodyAsString());
        Faults.Kind fault = faults().draw(form.getOrDefault("Action", ""));
        if (fault == Faults.Kind.THROTTLE) {
            return error(400, "Throttling", "Rate exceeded");
        } else if (fault == Faults.Kind.SERVER_ERROR || fault == Faults.Kind.DOWN) {
            return error(500, "InternalFailure", "injected");
        }
        if (!"AssumeRole".equals(form.get("Action"))) {
            return error(400, "InvalidAction", "not served by this fake: " + form.get("Action"));
        }
        String role = form.get("RoleArn");
        assumed.computeIfAbsent(role, r -> new AtomicInteger()).incrementAndGet();
        if (!roles.contains(role)) {
            return error(403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/hub/fn is not authorized to "
                    + "perform: sts:AssumeRole on resource: " + role);
        }
        Integer delay = fault == Faults.Kind.DELAY ? faults().delayMillis() : null;
        String account = role.split(":")[4];
        String expires = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "text/xml").withFixedDelay(delay)
                .withBody("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
                        + "<Credentials><AccessKeyId>" + accessKeyOf(account) + "</AccessKeyId>"
                        + "<SecretAccessKey>secret-" + account + "</SecretAccessKey>"
                        + "<SessionToken>token-" + account + "</SessionToken>"
                        + "<Expiration>" + expires + "</Expiration></Credentials>"
                        + "<AssumedRoleUser><Arn>arn:aws:sts::" + account + ":assumed-role/" + role.substring(role.indexOf('/') + 1)
                        + "/" + form.get("RoleSessionName") + "</Arn><AssumedRoleId>AROA" + account + ":"
                        + form.get("RoleSessionName") + "</AssumedRoleId></AssumedRoleUser>"
                        + "</AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>"
                        + "</AssumeRoleResponse>").build();
    }

    private static ResponseDefinition error(int status, String code, String message) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "text/xml")
                .withBody("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                        + "<Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                        + "<RequestId>fake</RequestId></ErrorResponse>").build();
    }
}
