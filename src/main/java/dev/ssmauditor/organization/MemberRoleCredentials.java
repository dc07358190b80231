package dev.ssmauditor.organization;

import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.config.Settings;
import dev.ssmauditor.coverage.AccountCredentials;
import dev.ssmauditor.coverage.CoverageException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Assumes {@code arn:PARTITION:iam::ACCOUNT:role/MEMBER_ROLE_NAME} through STS (endpoint from the SDK's standard
 * configuration, {@code AWS_ENDPOINT_URL_STS}), once per account and run: every region of an account shares one
 * session. One hour, the most role chaining allows (a Lambda role assuming another is chaining), and far longer than
 * a run.
 */
public final class MemberRoleCredentials {

    static final String SESSION_NAME = "ssm-session-auditor";
    static final int SESSION_SECONDS = 3600;

    private final Supplier<StsClient> sts;
    private final AwsCredentialsProvider own;
    private final String roleName;
    private final String partition;
    private final CallBudget budget;
    private volatile StsClient client;

    /**
     * @param own the function's own credentials, for its own account
     * @param partition {@code aws}, {@code aws-cn} or {@code aws-us-gov}: the member roles' ARNs are in the function's
     */
    public MemberRoleCredentials(Supplier<StsClient> sts, AwsCredentialsProvider own, String roleName, String partition,
                                 CallBudget budget) {
        this.sts = sts;
        this.own = own;
        this.roleName = roleName;
        this.partition = partition;
        this.budget = budget;
    }

    /**
     * A fresh cache for one run (or one pass of it); {@code hubAccount} (null when unknown) is audited with the function's
     * own role. A refusal is cached too: one STS call per account and pass, however many regions.
     */
    public AccountCredentials forRun(String hubAccount) {
        Map<String, CompletableFuture<AwsCredentialsProvider>> cache = new ConcurrentHashMap<>();
        return account -> {
            if (account == null || account.equals(hubAccount)) {
                return own; // null: this account, its id unknown (no invocation ARN)
            }
            CompletableFuture<AwsCredentialsProvider> mine = new CompletableFuture<>();
            CompletableFuture<AwsCredentialsProvider> theirs = cache.putIfAbsent(account, mine);
            if (theirs != null) {
                return await(theirs);
            }
            try {
                mine.complete(assume(account));
            } catch (RuntimeException e) {
                // Kept: the account's other regions fail alike without asking STS again. The sweep's retry pass asks for a
                // fresh cache.
                mine.completeExceptionally(e);
            }
            return await(mine);
        };
    }

    String roleArn(String account) {
        return "arn:" + partition + ":iam::" + account + ":role/" + roleName;
    }

    private AwsCredentialsProvider assume(String account) {
        String arn = roleArn(account);
        try {
            Credentials c = client().assumeRole(r -> r.roleArn(arn).roleSessionName(SESSION_NAME).durationSeconds(SESSION_SECONDS)
                    .overrideConfiguration(budget.overrides())).credentials();
            return StaticCredentialsProvider.create(AwsSessionCredentials.builder().accessKeyId(c.accessKeyId())
                    .secretAccessKey(c.secretAccessKey()).sessionToken(c.sessionToken()).expirationTime(c.expiration()).build());
        } catch (StsException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            boolean denied = "AccessDenied".equals(code) || e.statusCode() == 403;
            throw new CoverageException("sts:AssumeRole on " + arn + " failed (" + (code == null ? e.statusCode() : code) + "): "
                    + (denied ? "the role is missing in account " + account + ", or does not trust this function's role; "
                    + "deploy the member stack to that account (see the README, \"Every account of an organisation\"), "
                    + "check " + Settings.MEMBER_ROLE_NAME + ", or remove the account from " + Settings.AUDIT_ACCOUNTS
                    : e.getMessage()), denied, e);
        } catch (SdkException e) {
            throw new CoverageException("sts:AssumeRole on " + arn + " failed: " + e.getMessage(), false, e);
        }
    }

    private StsClient client() {
        StsClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = sts.get();
                }
                c = client;
            }
        }
        return c;
    }

    private static AwsCredentialsProvider await(CompletableFuture<AwsCredentialsProvider> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The partition of a region: member roles live in the function's own. */
    public static String partitionOf(String region) {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    }
}
