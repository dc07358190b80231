package dev.ssmauditor.coverage;

import dev.ssmauditor.alert.AlertMessage;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.CoverageAlertComposer;
import dev.ssmauditor.alert.CoverageChange;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.log.JsonLog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Alerts a coverage gap once when an account-region starts failing and once when it is audited again, not every run:
 * the open gaps are kept in the alert ledger, opened and closed with conditional writes so that overlapping runs and
 * shards alert each change once. A publish that fails undoes its writes, so the next run alerts the change instead.
 */
public final class CoverageGaps {

    /**
     * @param opened gaps alerted (or, in a dry run, that would be) as new in this run
     * @param closed gaps alerted as closed in this run
     * @param ledgerErrors ledger operations that failed (the gaps are then alerted without it and may repeat)
     */
    public record Result(List<CoverageChange> opened, List<CoverageChange> closed, int ledgerErrors) {
    }

    private final CoverageGapLedger ledger;
    private final CoverageAlertComposer composer;
    private final AlertPublisher publisher;
    private final boolean dryRun;
    private final JsonLog log;

    /** @param dryRun read the ledger, write nothing: the publisher prints what would be alerted */
    public CoverageGaps(CoverageGapLedger ledger, CoverageAlertComposer composer, AlertPublisher publisher, boolean dryRun,
                        JsonLog log) {
        this.ledger = ledger;
        this.composer = composer;
        this.publisher = publisher;
        this.dryRun = dryRun;
        this.log = log;
    }

    /**
     * @param wholeAccounts the regions were listed per account ({@code AUDIT_REGIONS=enabled}): an account with any
     *                      region audited closes the gap of an account whose regions could not be listed
     */
    public Result update(List<UnitOutcome> outcomes, Instant referenceTime, boolean wholeAccounts) {
        Map<String, UnitOutcome> failing = new LinkedHashMap<>();
        Map<String, AccountRegion> audited = new LinkedHashMap<>();
        for (UnitOutcome o : outcomes) {
            if (o.gap()) {
                failing.put(o.unit().label(), o);
            } else if (o.audited()) {
                audited.put(o.unit().label(), o.unit());
                if (wholeAccounts) {
                    AccountRegion whole = new AccountRegion(o.unit().account(), null);
                    audited.putIfAbsent(whole.label(), whole);
                }
            }
        }
        Set<String> labels = new LinkedHashSet<>(failing.keySet());
        labels.addAll(audited.keySet());
        boolean ledgerDown = false;
        int errors = 0;
        Map<String, Instant> open;
        try {
            open = labels.isEmpty() ? Map.of() : ledger.openGaps(labels);
        } catch (LedgerUnavailableException e) {
            log.error("alert ledger: open coverage gaps not read", JsonLog.fields("error", e.getMessage(), "consequence",
                    "every account-region not audited is alerted, saying it may repeat; no recovery is alerted this run"));
            open = Map.of();
            ledgerDown = true;
            errors++;
        }
        List<CoverageChange> opened = new ArrayList<>();
        List<CoverageChange> closed = new ArrayList<>();
        List<String> openedLabels = new ArrayList<>();
        List<String> closedLabels = new ArrayList<>();
        for (Map.Entry<String, UnitOutcome> e : failing.entrySet()) {
            if (open.containsKey(e.getKey())) {
                continue;
            }
            UnitOutcome o = e.getValue();
            try {
                if (ledgerDown || dryRun || ledger.open(e.getKey(), o.problem(), referenceTime)) {
                    opened.add(change(o.unit(), o.problem(), referenceTime));
                    openedLabels.add(ledgerDown ? null : e.getKey()); // null: nothing written, nothing to undo
                }
            } catch (LedgerUnavailableException x) {
                errors++;
                opened.add(change(o.unit(), o.problem(), referenceTime));
                openedLabels.add(null);
                ledgerDown = true;
            }
        }
        for (Map.Entry<String, AccountRegion> e : audited.entrySet()) {
            Instant since = open.get(e.getKey());
            if (since == null || ledgerDown) {
                continue;
            }
            try {
                if (dryRun || ledger.close(e.getKey())) {
                    closed.add(change(e.getValue(), null, since.equals(Instant.EPOCH) ? null : since));
                    closedLabels.add(e.getKey());
                }
            } catch (LedgerUnavailableException x) {
                errors++;
            }
        }
        if (opened.isEmpty() && closed.isEmpty()) {
            return new Result(opened, closed, errors);
        }
        // A message at a time, so that a failure undoes only the changes not yet alerted.
        List<Object[]> all = new ArrayList<>();
        for (int i = 0; i < opened.size(); i++) {
            all.add(new Object[] {opened.get(i), openedLabels.get(i), true});
        }
        for (int i = 0; i < closed.size(); i++) {
            all.add(new Object[] {closed.get(i), closedLabels.get(i), false});
        }
        // Composed in one go (parts numbered "1 of 3"...), each message carrying the next PER_MESSAGE changes in this
        // order; published one at a time, so that a failure undoes only the changes not yet alerted.
        List<AlertMessage> messages = composer.compose(opened, closed, referenceTime, ledgerDown);
        for (int i = 0; i < messages.size(); i++) {
            try {
                publisher.publish(List.of(messages.get(i)));
            } catch (RuntimeException e) {
                List<String> unsentOpened = new ArrayList<>();
                List<String> unsentClosed = new ArrayList<>();
                for (Object[] x : all.subList(Math.min(all.size(), i * CoverageAlertComposer.PER_MESSAGE), all.size())) {
                    if (x[1] != null) {
                        ((Boolean) x[2] ? unsentOpened : unsentClosed).add((String) x[1]);
                    }
                }
                errors += undo(unsentOpened, unsentClosed, open);
                throw e;
            }
        }
        log.warn("coverage changed", JsonLog.fields("gapsOpened", opened.size(), "gapsClosed", closed.size(),
                "opened", opened.subList(0, Math.min(20, opened.size())).stream().map(c -> c.account() + ":"
                        + (c.region() == null ? "*" : c.region())).toList(),
                "closed", closedLabels.subList(0, Math.min(20, closedLabels.size()))));
        return new Result(opened, closed, errors);
    }

    /** The changes were not alerted: put the ledger back as it was, so that the next run alerts them. */
    private int undo(List<String> opened, List<String> closed, Map<String, Instant> open) {
        if (dryRun) {
            return 0;
        }
        int errors = 0;
        for (String label : opened) {
            try {
                ledger.close(label);
            } catch (RuntimeException e) {
                errors++;
            }
        }
        for (String label : closed) {
            try {
                ledger.open(label, "reopened: its recovery alert could not be published", open.get(label));
            } catch (RuntimeException e) {
                errors++;
            }
        }
        if (errors > 0) {
            log.error("alert ledger: coverage changes not undone after the failed publish", JsonLog.fields("errors", errors,
                    "consequence", "some of these gap openings or recoveries are never alerted"));
        }
        return errors;
    }

    private static CoverageChange change(AccountRegion unit, String reason, Instant since) {
        return new CoverageChange(unit.accountId(), unit.account().name(), unit.region(), reason, since);
    }
}
