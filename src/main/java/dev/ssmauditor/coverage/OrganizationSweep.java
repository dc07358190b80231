package dev.ssmauditor.coverage;

import dev.ssmauditor.alert.AlertDeliveryException;
import dev.ssmauditor.audit.AuditDeadlineException;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.Deadline;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.sessions.SessionListingException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Audits many account-regions, {@code AUDIT_CONCURRENCY} at once, so that no account blocks another: whatever fails in
 * one (a missing role, AccessDenied, throttling past the SDK's retries, a timeout) is tried once more later in the run,
 * then reported as not audited, while the others go on.
 *
 * <p>Each account-region is the single-account sweep pointed at it ({@link UnitAuditor}), with its own sweep record and
 * alert keys, so the alert ledger keeps every violation alerted once across runs, shards and the event path.
 */
public final class OrganizationSweep {

    /** Tries per account-region in one run: a retry catches what is passing (a role being created, a throttle storm). */
    public static final int ATTEMPTS = 2;

    private final CoverageSettings settings;
    private final AccountDirectory directory;
    private final RegionDirectory regionDirectory;
    private final Function<String, AccountCredentials> credentialsForRun;
    private final UnitAuditor auditor;
    private final JsonLog log;
    private final Duration stepBudget;
    private final Duration retryPause;

    /**
     * @param directory the organisation's accounts; used only with {@code AUDIT_ACCOUNTS=organization}
     * @param regionDirectory each account's enabled regions; used only with {@code AUDIT_REGIONS=enabled}
     * @param credentialsForRun a fresh credentials cache for a run, from the hub's account id (null when unknown)
     * @param stepBudget what one account-region needs at least before it starts (listing, claims, a publish)
     * @param retryPause how long the retry of what failed waits, so that a throttled account gets some air
     */
    public OrganizationSweep(CoverageSettings settings, AccountDirectory directory, RegionDirectory regionDirectory,
                             Function<String, AccountCredentials> credentialsForRun, UnitAuditor auditor, JsonLog log,
                             Duration stepBudget, Duration retryPause) {
        this.settings = settings;
        this.directory = directory;
        this.regionDirectory = regionDirectory;
        this.credentialsForRun = credentialsForRun;
        this.auditor = auditor;
        this.log = log;
        this.stepBudget = stepBudget;
        this.retryPause = retryPause;
    }

    public CoverageSettings settings() {
        return settings;
    }

    /**
     * With {@code AUDIT_ACCOUNTS=organization}, asks for one page of accounts: a refusal (not the management or a
     * delegated administrator account, no permission, no organisation) is thrown, naming the setting; anything
     * passing (throttling, no answer) is left for the first run to meet again.
     *
     * @return null, or what passing problem the check met
     */
    public String checkAccess() {
        if (settings.accounts().kind() != AccountScope.Kind.ORGANIZATION) {
            return null;
        }
        try {
            directory.checkAccess();
            return null;
        } catch (CoverageException e) {
            if (e.accessDenied()) {
                throw e;
            }
            return e.getMessage();
        }
    }

    /**
     * The accounts a run covers: the hub's own, the ones listed, or every ACTIVE account of the organisation (with their
     * names).
     *
     * @throws CoverageException when the organisation cannot be listed: nothing can be audited
     */
    public List<MemberAccount> accounts(String hubAccount) {
        return switch (settings.accounts().kind()) {
            case SELF -> List.of(new MemberAccount(hubAccount, null));
            case LISTED -> settings.accounts().ids().stream().map(id -> new MemberAccount(id, null)).toList();
            case ORGANIZATION -> {
                List<MemberAccount> all = directory.activeAccounts();
                if (all.isEmpty()) {
                    throw new CoverageException("AUDIT_ACCOUNTS=organization: organizations:ListAccounts returned "
                            + "no ACTIVE account; check that the hub runs in the organisation's management or delegated "
                            + "administrator account", false);
                }
                yield all;
            }
        };
    }

    /**
     * Audits every region of these accounts ({@code AUDIT_REGIONS}), {@code AUDIT_CONCURRENCY} at once, each failure
     * tried again once. Never throws for one account-region: what becomes of each is in the outcomes.
     *
     * @param hubAccount the function's own account (audited with its own role), or null when unknown
     * @param hubRegion the function's region (the regions when {@code AUDIT_REGIONS} is empty)
     */
    public List<UnitOutcome> audit(List<MemberAccount> accounts, Instant referenceTime, String hubAccount, String hubRegion,
                                   Deadline deadline) {
        // The cache the audit pass uses: the region listing's retry pass replaces it, so that a role refused at first and
        // granted since is not refused again from the stale cache.
        AccountCredentials[] current = {credentialsForRun.apply(hubAccount)};
        // A fixed pool starts its threads as tasks come, so a small run starts few whatever the setting.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, settings.concurrency()), daemons());
        try {
            List<UnitOutcome> outcomes = new ArrayList<>();
            List<AccountRegion> units = new ArrayList<>();
            for (RegionsOf r : regions(accounts, hubAccount, hubRegion, current, deadline, pool)) {
                if (r.outcome() != null) {
                    outcomes.add(r.outcome());
                } else {
                    r.regions().forEach(region -> units.add(new AccountRegion(r.account(), region)));
                }
            }
            UnitAuditor prepared = units.isEmpty() ? auditor : auditor.prepare(units);
            AccountCredentials credentials = current[0];
            List<UnitOutcome> audited = run(units, u -> attempt(prepared, u, referenceTime, credentials, deadline, 1), pool);
            List<AccountRegion> again = new ArrayList<>();
            for (UnitOutcome o : audited) {
                if (o.gap()) {
                    again.add(o.unit());
                } else {
                    outcomes.add(o);
                }
            }
            if (!again.isEmpty()) {
                pause(deadline);
                log.info("account-regions tried again", JsonLog.fields("accountRegions", again.size(),
                        "first", again.subList(0, Math.min(5, again.size())).stream().map(AccountRegion::label).toList()));
                // A fresh cache: a role refused in the first pass is asked once more (it may just have been created).
                AccountCredentials retried = credentialsForRun.apply(hubAccount);
                outcomes.addAll(run(again, u -> attempt(prepared, u, referenceTime, retried, deadline, ATTEMPTS), pool));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private record RegionsOf(MemberAccount account, List<String> regions, UnitOutcome outcome) {
    }

    private List<RegionsOf> regions(List<MemberAccount> accounts, String hubAccount, String hubRegion,
                                    AccountCredentials[] current, Deadline deadline, ExecutorService pool) {
        AccountCredentials credentials = current[0];
        return switch (settings.regions().kind()) {
            case SELF -> accounts.stream().map(a -> new RegionsOf(a, List.of(hubRegion), null)).toList();
            case LISTED -> accounts.stream().map(a -> new RegionsOf(a, settings.regions().names(), null)).toList();
            case ENABLED -> {
                List<RegionsOf> listed = new ArrayList<>();
                List<MemberAccount> again = new ArrayList<>();
                for (RegionsOf r : run(accounts, a -> enabled(a, credentials, deadline, 1), pool)) {
                    if (r.outcome() != null && r.outcome().gap()) {
                        again.add(r.account());
                    } else {
                        listed.add(r);
                    }
                }
                if (!again.isEmpty()) {
                    pause(deadline);
                    AccountCredentials retried = credentialsForRun.apply(hubAccount);
                    java.util.Set<String> retriedIds = new java.util.HashSet<>();
                    again.forEach(a -> retriedIds.add(a.id()));
                    current[0] = id -> retriedIds.contains(id) ? retried.of(id) : credentials.of(id);
                    listed.addAll(run(again, a -> enabled(a, retried, deadline, ATTEMPTS), pool));
                }
                yield listed;
            }
        };
    }

    private RegionsOf enabled(MemberAccount account, AccountCredentials credentials, Deadline deadline, int attempt) {
        AccountRegion whole = new AccountRegion(account, null);
        if (deadline.remainingMillis() < stepBudget.multipliedBy(2).toMillis()) {
            return new RegionsOf(account, List.of(), outOfTime(whole, attempt, deadline));
        }
        try {
            List<String> regions = regionDirectory.enabledRegions(account.id(), credentials.of(account.id()));
            return new RegionsOf(account, regions, null);
        } catch (RuntimeException e) {
            return new RegionsOf(account, List.of(), new UnitOutcome(whole, null, "regions not listed: " + problem(e), attempt, null));
        }
    }

    private UnitOutcome attempt(UnitAuditor auditor, AccountRegion unit, Instant referenceTime, AccountCredentials credentials, Deadline deadline,
                                int attempt) {
        if (deadline.remainingMillis() < stepBudget.multipliedBy(3).toMillis()) {
            return outOfTime(unit, attempt, deadline);
        }
        try {
            AwsCredentialsProvider c = credentials.of(unit.accountId());
            return new UnitOutcome(unit, auditor.audit(unit, c, new AuditRequest(referenceTime, unit.accountId(), unit.region(),
                    deadline, unit.account().name())), null, attempt, null);
        } catch (AuditDeadlineException e) {
            return new UnitOutcome(unit, null, "out of time: " + e.getMessage(), attempt, e);
        } catch (LedgerUnavailableException e) {
            return new UnitOutcome(unit, null, "alert ledger unavailable: its alerts were published without it and may repeat",
                    attempt, e);
        } catch (AlertDeliveryException e) {
            // The hub's topic failing is not the account's gap; the run fails so that the alarms fire.
            return new UnitOutcome(unit, null, e.getMessage(), attempt, e);
        } catch (AwsServiceException e) {
            String service = e.awsErrorDetails() == null ? null : e.awsErrorDetails().serviceName();
            if (service != null && !service.equalsIgnoreCase("ssm") && !service.equalsIgnoreCase("sts")) {
                // SNS or DynamoDB failing is the hub's problem, not the account's: not a gap, and the run fails.
                return new UnitOutcome(unit, null, service + " failed: " + e.getMessage(), attempt, e);
            }
            return new UnitOutcome(unit, null, problem(e), attempt, null);
        } catch (RuntimeException e) {
            return new UnitOutcome(unit, null, problem(e), attempt, null);
        }
    }

    private UnitOutcome outOfTime(AccountRegion unit, int attempt, Deadline deadline) {
        return new UnitOutcome(unit, null, "not started: out of time", attempt, new AuditDeadlineException("only "
                + deadline.remainingMillis() + " ms left before the function times out; " + unit.label() + " and others not "
                + "audited. Raise the Timeout parameter, or above a few thousand account-regions set SweepMode=sharded "
                + "(see the README, \"Beyond one function\")"));
    }

    /** What an operator needs to fix it. */
    static String problem(RuntimeException e) {
        if (e instanceof CoverageException || e instanceof SessionListingException) {
            return e.getMessage();
        }
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            String code = s.awsErrorDetails().errorCode();
            String what = s.awsErrorDetails().serviceName() + " " + code + " (HTTP " + s.statusCode() + ")";
            if (s.isThrottlingException()) {
                return what + ": still throttled after the SDK's retries";
            }
            if (code != null && (code.contains("AccessDenied") || code.contains("Unauthorized") || s.statusCode() == 403)) {
                return what + ": the role used (the member role; the function's own in its own account) may not call "
                        + "ssm:DescribeSessions in this region, or an SCP denies it";
            }
            return what + ": " + s.awsErrorDetails().errorMessage();
        }
        if (e instanceof SdkClientException) {
            return "no answer (timeout or connection): " + e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void pause(Deadline deadline) {
        long ms = Math.min(retryPause.toMillis(), Math.max(0, deadline.remainingMillis() - stepBudget.multipliedBy(4).toMillis()));
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T, R> List<R> run(List<T> items, Function<T, R> task, ExecutorService pool) {
        List<Future<R>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            futures.add(pool.submit(() -> task.apply(item)));
        }
        List<R> results = new ArrayList<>(items.size());
        for (Future<R> f : futures) {
            try {
                results.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while auditing", e);
            } catch (ExecutionException e) {
                // Tasks catch every RuntimeException themselves: this is an Error (out of memory, a bug), not an account.
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return results;
    }

    private static java.util.concurrent.ThreadFactory daemons() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "audit-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
