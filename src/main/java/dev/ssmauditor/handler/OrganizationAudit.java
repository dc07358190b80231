package dev.ssmauditor.handler;

import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.Deadline;
import dev.ssmauditor.coverage.CoverageException;
import dev.ssmauditor.coverage.CoverageGaps;
import dev.ssmauditor.coverage.MemberAccount;
import dev.ssmauditor.coverage.OrganizationSweep;
import dev.ssmauditor.coverage.SweepTotals;
import dev.ssmauditor.coverage.UnitOutcome;
import dev.ssmauditor.coverage.RegionScope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sweep of many accounts and regions: audit them all, alert the coverage gaps that opened or closed, add it up. A
 * run in which nothing at all could be audited fails, as does one whose ledger or time gave out; the rest is reported.
 */
final class OrganizationAudit {

    /** Summaries list this many account-regions of each kind at most; the counts are always whole. */
    static final int MAX_LISTED_AUDITED = 1_000;
    static final int MAX_LISTED_NOT_AUDITED = 200;

    /**
     * @param failure what the invocation fails with once the summary is logged; null when it succeeds
     */
    record Run(AuditReport totals, List<UnitOutcome> outcomes, CoverageGaps.Result gaps, RuntimeException failure) {
    }

    private final OrganizationSweep sweep;

    OrganizationSweep sweep() {
        return sweep;
    }

    private final CoverageGaps gaps;
    private final Clock clock;

    OrganizationAudit(OrganizationSweep sweep, CoverageGaps gaps, Clock clock) {
        this.sweep = sweep;
        this.gaps = gaps;
        this.clock = clock;
    }

    Run run(Instant referenceTime, String hubAccount, String hubRegion, Deadline deadline) {
        Instant began = clock.instant();
        List<MemberAccount> accounts = sweep.accounts(hubAccount);
        return run(accounts, referenceTime, hubAccount, hubRegion, deadline, began);
    }

    /** The accounts given (a shard's), every region of each. */
    Run run(List<MemberAccount> accounts, Instant referenceTime, String hubAccount, String hubRegion, Deadline deadline,
            Instant began) {
        List<UnitOutcome> outcomes = sweep.audit(accounts, referenceTime, hubAccount, hubRegion, deadline);
        RuntimeException failure = null;
        List<AuditReport> reports = new ArrayList<>();
        List<String> gapLabels = new ArrayList<>();
        for (UnitOutcome o : outcomes) {
            if (o.audited()) {
                reports.add(o.report());
            } else if (o.failure() != null) {
                failure = failure == null ? o.failure() : failure;
            } else if (o.gap()) {
                gapLabels.add(o.unit().label() + " (" + o.problem() + ")");
            }
        }
        CoverageGaps.Result changes;
        try {
            changes = gaps.update(outcomes, referenceTime, sweep.settings().regions().kind() == RegionScope.Kind.ENABLED);
        } catch (RuntimeException e) {
            // The changes were undone for the next run to alert; this run's outcomes are still summarised, then it fails.
            failure = failure == null ? e : failure;
            changes = new CoverageGaps.Result(List.of(), List.of(), 0);
        }
        if (reports.isEmpty() && !outcomes.isEmpty() && failure == null) {
            failure = new CoverageException("nothing could be audited: all " + outcomes.size() + " account-regions failed, "
                    + "e.g. " + gapLabels.subList(0, Math.min(3, gapLabels.size())) + "; check the member stack, "
                    + "MEMBER_ROLE_NAME and the hub's own permissions", false);
        }
        AuditReport totals = SweepTotals.combine(reports, referenceTime, Duration.between(began, clock.instant()));
        return new Run(totals, outcomes, changes, failure);
    }

    /** What the summary adds for many account-regions: which were audited and which not, and why. */
    static Map<String, Object> fields(Run run) {
        Map<String, Object> f = new LinkedHashMap<>();
        List<String> audited = new ArrayList<>();
        List<Map<String, Object>> notAudited = new ArrayList<>();
        int gaps = 0;
        for (UnitOutcome o : run.outcomes()) {
            if (o.audited()) {
                audited.add(o.unit().label());
            } else {
                gaps += o.gap() ? 1 : 0;
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("accountRegion", o.unit().label());
                entry.put("accountName", o.unit().account().name());
                entry.put("reason", o.problem());
                entry.put("attempts", o.attempts());
                entry.put("gap", o.gap());
                notAudited.add(entry);
            }
        }
        f.put("accountRegions", run.outcomes().size());
        f.put("accountRegionsAudited", audited.size());
        f.put("coverageGaps", gaps);
        f.put("coverageGapsOpened", run.gaps().opened().size());
        f.put("coverageGapsClosed", run.gaps().closed().size());
        f.put("audited", capped(audited, MAX_LISTED_AUDITED));
        f.put("notAudited", capped(notAudited, MAX_LISTED_NOT_AUDITED));
        return f;
    }

    private static List<Object> capped(List<?> items, int max) {
        List<Object> out = new ArrayList<>(items.subList(0, Math.min(max, items.size())));
        if (items.size() > max) {
            out.add("... and " + (items.size() - max) + " more");
        }
        return out;
    }
}
