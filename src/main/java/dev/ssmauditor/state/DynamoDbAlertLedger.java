package dev.ssmauditor.state;

import dev.ssmauditor.audit.AlertKey;
import dev.ssmauditor.audit.AlertLedger;
import dev.ssmauditor.coverage.CoverageGapLedger;
import dev.ssmauditor.audit.LedgerClaim;
import dev.ssmauditor.audit.LedgerUnavailableException;
import dev.ssmauditor.audit.SessionSightings;
import dev.ssmauditor.audit.SweepMark;
import dev.ssmauditor.audit.TerminationLedger;
import dev.ssmauditor.sessions.SessionTerminator;
import dev.ssmauditor.alert.Remediation;
import dev.ssmauditor.policy.RuleId;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import dev.ssmauditor.aws.CallBudget;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The alert ledger in a DynamoDB table (partition key {@code pk}, a string; TTL on {@code expiresAt}), after the
 * pattern of Powertools' idempotency store: a claim is one conditional {@code PutItem} that admits a new key, or
 * an {@code INPROGRESS} key whose lease has passed (its run died); completion overwrites it as {@code SENT}; a
 * failure deletes the claim, but only the claim's own. Every item carries a format version ({@code v}).
 *
 * <p>Reads come first ({@link #claimable}): one consistent {@code BatchGetItem} per 100 keys finds what is already
 * sent, so a run with nothing new writes nothing. Keys known to be sent are also remembered for the life of the execution
 * environment, so warm runs do not read them again.
 *
 * <p>The same table holds each session's termination record ({@link TerminationLedger}, {@code end#...}): claimed
 * like an alert key, then marked ENDED or FAILED; a FAILED record keeps the lease of the run that failed, so another
 * run tries again only after it.
 *
 * <p>The same table holds the event path's sightings ({@link SessionSightings}): one small item per session whose
 * {@code StartSession} event arrived, kept {@link #SIGHTING_RETENTION}, which the sweep reads to tell whether the
 * event path hears anything.
 */
public final class DynamoDbAlertLedger implements AlertLedger, SessionSightings, CoverageGapLedger, TerminationLedger {

    static final int FORMAT_VERSION = 1;
    /** DescribeSessions forgets a session after 30 days; its alert keys are kept well beyond that. */
    static final Duration RETENTION = Duration.ofDays(45);
    /** Well past what the sweep ever looks up: sessions started at most about two hours before a run (EventPathCheck.MAX_LAG). */
    static final Duration SIGHTING_RETENTION = Duration.ofDays(7);
    static final String INPROGRESS = "INPROGRESS";
    static final String SENT = "SENT";
    static final int READ_BATCH = 100;
    static final int WRITE_BATCH = 25;
    static final int MAX_KNOWN_SENT = 50_000;
    private static final int UNPROCESSED_ROUNDS = 5;
    private static final String CLAIM_CONDITION = "attribute_not_exists(pk) OR (#s = :inprogress AND leaseUntil < :now)";

    private final DynamoDbClient dynamo;
    private final String table;
    private final CallBudget budget;
    // Synchronized: the organisation sweep audits many account-regions at once through this one ledger.
    private final Map<String, Boolean> knownSent = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_KNOWN_SENT;
        }
    });

    public DynamoDbAlertLedger(DynamoDbClient dynamo, String table) {
        this(dynamo, table, CallBudget.unlimited());
    }

    public DynamoDbAlertLedger(DynamoDbClient dynamo, String table, CallBudget budget) {
        this.dynamo = dynamo;
        this.table = table;
        this.budget = budget;
    }

    static String sweepId(String account, String region) {
        return "sweep#" + (account == null ? "unknown" : account) + "#" + (region == null ? "unknown" : region);
    }

    @Override
    public Optional<SweepMark> lastSweep(String account, String region) {
        Map<String, AttributeValue> item = call("GetItem", () -> dynamo.getItem(r -> r.overrideConfiguration(budget.overrides())
                    .tableName(table).consistentRead(true)
                .key(Map.of("pk", s(sweepId(account, region))))).item());
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(mark(item));
    }

    private static SweepMark mark(Map<String, AttributeValue> item) {
        return new SweepMark(instant(item.get("lastCompleteSweepMs")), instant(item.get("endedCursorMs")),
                instant(item.get("eventsCheckedToMs")));
    }

    /** Consistent reads, 100 a call; a record DynamoDB left unprocessed is not in the map (it is then read alone). */
    @Override
    public Map<String, Optional<SweepMark>> lastSweeps(List<String[]> accountRegions) {
        Map<String, String> byId = new LinkedHashMap<>();
        accountRegions.forEach(ar -> byId.put(sweepId(ar[0], ar[1]), ar[0] + "#" + ar[1]));
        BatchRead read = batchGet(new ArrayList<>(byId.keySet()), true, null, Map.of());
        Map<String, Optional<SweepMark>> marks = new HashMap<>();
        byId.forEach((pk, key) -> {
            if (read.found().containsKey(pk)) {
                marks.put(key, Optional.of(mark(read.found().get(pk))));
            } else if (!read.unread().contains(pk)) {
                marks.put(key, Optional.empty());
            }
        });
        return marks;
    }

    @Override
    public void saveSweep(String account, String region, SweepMark mark, boolean replace) {
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> set = new ArrayList<>(List.of("v = :v", "updatedAt = :updated"));
        List<String> remove = new ArrayList<>();
        values.put(":v", n(FORMAT_VERSION));
        values.put(":updated", s(Instant.now().toString()));
        String condition = null;
        if (mark.endedCursor() == null) {
            set.add("lastCompleteSweepMs = :t");
            set.add("lastCompleteSweep = :ts");
            remove.add("endedCursorMs");
            values.put(":t", n(mark.lastCompleteSweep().toEpochMilli()));
            values.put(":ts", s(mark.lastCompleteSweep().toString()));
            if (!replace) {
                condition = "attribute_not_exists(lastCompleteSweepMs) OR lastCompleteSweepMs <= :t"; // never backwards
            }
        } else {
            set.add("endedCursorMs = :c");
            values.put(":c", n(mark.endedCursor().toEpochMilli()));
            if (replace) {
                remove.add("lastCompleteSweepMs");
                remove.add("lastCompleteSweep");
            }
        }
        String update = "SET " + String.join(", ", set) + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
        String finalCondition = condition;
        try {
            call("UpdateItem", () -> dynamo.updateItem(r -> r.overrideConfiguration(budget.overrides())
                    .tableName(table).key(Map.of("pk", s(sweepId(account, region))))
                    .updateExpression(update).conditionExpression(finalCondition)
                    .expressionAttributeValues(values)));
        } catch (ConditionalCheckFailedException e) {
            // a newer sweep is recorded already: it stands
        }
    }

    static String sightingId(String account, String region, String sessionId) {
        return "started#" + (account == null ? "unknown" : account) + "#" + (region == null ? "unknown" : region) + "#" + sessionId;
    }

    @Override
    public void record(String account, String region, String sessionId, Instant startedAt) {
        Instant now = Instant.now();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(sightingId(account, region, sessionId)));
        item.put("v", n(FORMAT_VERSION));
        item.put("sessionId", s(sessionId));
        if (account != null) {
            item.put("account", s(account));
        }
        if (region != null) {
            item.put("region", s(region));
        }
        if (startedAt != null) {
            item.put("startedAt", s(startedAt.toString()));
        }
        item.put("seenAt", s(now.toString()));
        item.put("expiresAt", n(now.plus(SIGHTING_RETENTION).getEpochSecond()));
        call("PutItem", () -> dynamo.putItem(r -> r.overrideConfiguration(budget.overrides()).tableName(table).item(item)));
    }

    /** Kept on the sweep record, apart from the sweep's own update: it moves only forward, unless replaced. */
    @Override
    public void checkedUpTo(String account, String region, Instant time, boolean replace) {
        Map<String, AttributeValue> key = Map.of("pk", s(sweepId(account, region)));
        try {
            if (time == null) {
                call("UpdateItem", () -> dynamo.updateItem(r -> r.overrideConfiguration(budget.overrides()).tableName(table)
                        .key(key).updateExpression("REMOVE eventsCheckedToMs, eventsCheckedTo")
                        .conditionExpression("attribute_exists(pk)")));
                return;
            }
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":e", n(time.toEpochMilli()));
            values.put(":es", s(time.toString()));
            values.put(":v", n(FORMAT_VERSION));
            call("UpdateItem", () -> dynamo.updateItem(r -> r.overrideConfiguration(budget.overrides()).tableName(table)
                    .key(key).updateExpression("SET eventsCheckedToMs = :e, eventsCheckedTo = :es, v = :v")
                    .conditionExpression(replace ? null : "attribute_not_exists(eventsCheckedToMs) OR eventsCheckedToMs <= :e")
                    .expressionAttributeValues(values)));
        } catch (ConditionalCheckFailedException e) {
            // further already, or nothing to forget
        }
    }

    /** Keys DynamoDB left unprocessed however often asked count as seen: the check must not cry wolf. */
    @Override
    public Set<String> unseen(String account, String region, Collection<String> sessionIds) {
        Map<String, String> byId = new LinkedHashMap<>();
        sessionIds.forEach(id -> byId.put(sightingId(account, region, id), id));
        BatchRead read = batchGet(new ArrayList<>(byId.keySet()), false, "pk", Map.of());
        Set<String> unseen = new LinkedHashSet<>();
        byId.forEach((pk, id) -> {
            if (!read.found().containsKey(pk) && !read.unread().contains(pk)) {
                unseen.add(id);
            }
        });
        return unseen;
    }

    @Override
    public boolean claim(AlertKey key, LedgerClaim claim) {
        Map<String, AttributeValue> item = item(key, INPROGRESS, claim);
        try {
            call("PutItem", () -> dynamo.putItem(r -> r.overrideConfiguration(budget.overrides())
                    .tableName(table).item(item).conditionExpression(CLAIM_CONDITION)
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":inprogress", s(INPROGRESS), ":now", n(claim.now().getEpochSecond())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // The SDK retries a write whose answer was lost; the retry then fails on the claim the first attempt made.
            Map<String, AttributeValue> old = e.hasItem() ? e.item() : Map.of();
            return claim.token().equals(text(old.get("claimToken"))) && INPROGRESS.equals(text(old.get("status")));
        }
    }

    /** The keys not known to be sent and not held by a live claim: one consistent read per 100. */
    @Override
    public Claimable claimable(Collection<AlertKey> keys, LedgerClaim claim) {
        Map<String, AlertKey> unknown = new LinkedHashMap<>();
        for (AlertKey key : keys) {
            if (!knownSent.containsKey(key.id())) {
                unknown.put(key.id(), key);
            }
        }
        // Keys left unread are claimed anyway: the conditional write decides.
        Map<String, Map<String, AttributeValue>> found = batchGet(new ArrayList<>(unknown.keySet()), true, "pk, #s, leaseUntil",
                Map.of("#s", "status")).found();
        Set<AlertKey> free = new LinkedHashSet<>();
        Set<AlertKey> heldKeys = new LinkedHashSet<>();
        int held = 0;
        for (Map.Entry<String, AlertKey> e : unknown.entrySet()) {
            Map<String, AttributeValue> item = found.get(e.getKey());
            if (item == null) {
                free.add(e.getValue());
            } else if (SENT.equals(text(item.get("status")))) {
                knownSent.put(e.getKey(), Boolean.TRUE);
            } else {
                Instant lease = seconds(item.get("leaseUntil"));
                if (lease == null || lease.isBefore(claim.now())) {
                    free.add(e.getValue()); // a claim whose run died: taken over
                } else {
                    held++;
                    heldKeys.add(e.getValue());
                }
            }
        }
        return new Claimable(free, held, heldKeys);
    }


    /** A termination record's calls keep the time the alerts after them need, as the termination's SSM calls do. */
    private static final java.time.Duration KEEP_FOR_ALERTS = dev.ssmauditor.audit.Remediator.afterTermination(CallBudget.STEP);
    private static final String END_CLAIM_CONDITION = "attribute_not_exists(pk) OR ((#s = :inprogress OR #s = :failed) AND leaseUntil < :now)";

    @Override
    public Claim claim(SessionRef session, RuleId rule, LedgerClaim claim) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":inprogress", s(INPROGRESS));
        values.put(":failed", s(Status.FAILED.name()));
        values.put(":now", n(claim.now().getEpochSecond()));
        values.put(":token", s(claim.token()));
        values.put(":lease", n(claim.leaseUntil().getEpochSecond()));
        values.put(":expires", n(claim.now().plus(RETENTION).getEpochSecond()));
        values.put(":v", n(FORMAT_VERSION));
        values.put(":session", s(session.sessionId()));
        values.put(":rule", s(rule.id()));
        values.put(":claimed", s(claim.now().toString()));
        values.put(":one", n(1));
        List<String> set = new ArrayList<>(List.of("#s = :inprogress", "claimToken = :token", "leaseUntil = :lease",
                "expiresAt = :expires", "v = :v", "sessionId = :session", "#r = :rule", "claimedAt = :claimed"));
        if (session.account() != null) {
            set.add("#account = :account");
            values.put(":account", s(session.account()));
        }
        if (session.region() != null) {
            set.add("#region = :region");
            values.put(":region", s(session.region()));
        }
        Map<String, String> names = new HashMap<>(Map.of("#s", "status", "#r", "rule"));
        if (session.region() != null) {
            names.put("#region", "region");
        }
        if (session.account() != null) {
            names.put("#account", "account");
        }
        String update = "SET " + String.join(", ", set) + " ADD attempts :one";
        try {
            UpdateItemResponse response = call("UpdateItem", () -> dynamo.updateItem(r -> r.overrideConfiguration(budget.overrides(KEEP_FOR_ALERTS))
                    .tableName(table).key(Map.of("pk", s(session.id()))).updateExpression(update)
                    .conditionExpression(END_CLAIM_CONDITION).expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
            return new Claim(true, response.hasAttributes() && !response.attributes().isEmpty() ? entry(response.attributes()) : null);
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> current = e.hasItem() && !e.item().isEmpty() ? e.item()
                    : call("GetItem", () -> dynamo.getItem(r -> r.overrideConfiguration(budget.overrides(KEEP_FOR_ALERTS)).tableName(table)
                            .consistentRead(true).key(Map.of("pk", s(session.id())))).item());
            if (current != null && claim.token().equals(text(current.get("claimToken")))
                    && INPROGRESS.equals(text(current.get("status")))) {
                return new Claim(true, null); // the SDK retried a write whose answer was lost
            }
            return new Claim(false, current == null || current.isEmpty() ? null : entry(current));
        }
    }

    /** Consistent reads, 100 a call; a record DynamoDB left unprocessed however often asked counts as absent. */
    @Override
    public Map<String, Entry> read(String account, String region, Collection<String> sessionIds) {
        Map<String, String> byPk = new LinkedHashMap<>();
        sessionIds.forEach(id -> byPk.put(new SessionRef(account, region, id).id(), id));
        Map<String, Entry> entries = new HashMap<>();
        batchGet(new ArrayList<>(byPk.keySet()), true, null, Map.of()).found()
                .forEach((pk, item) -> entries.put(byPk.get(pk), entry(item)));
        return entries;
    }

    @Override
    public void finish(SessionRef session, LedgerClaim claim, SessionTerminator.Result result) {
        boolean failed = result.outcome() == Remediation.Outcome.TERMINATE_FAILED;
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":status", s(failed ? Status.FAILED.name() : Status.ENDED.name()));
        values.put(":outcome", s(result.outcome().id()));
        values.put(":at", s(result.at().toString()));
        values.put(":token", s(claim.token()));
        String update = "SET #s = :status, outcome = :outcome, endedOrFailedAt = :at";
        if (result.error() != null) {
            values.put(":error", s(result.error().length() > 1000 ? result.error().substring(0, 1000) : result.error()));
            update += ", lastError = :error";
        } else {
            update += " REMOVE lastError";
        }
        String finalUpdate = update;
        try {
            call("UpdateItem", () -> dynamo.updateItem(r -> r.overrideConfiguration(budget.overrides(KEEP_FOR_ALERTS)).tableName(table)
                    .key(Map.of("pk", s(session.id()))).updateExpression(finalUpdate)
                    .conditionExpression("claimToken = :token").expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(values)));
        } catch (ConditionalCheckFailedException e) {
            // taken over after this run's lease: the run that took it records its own attempt
        }
    }

    @Override
    public void reported(SessionRef session, Remediation.Outcome outcome) {
        try {
            call("UpdateItem", () -> dynamo.updateItem(r -> r.overrideConfiguration(budget.overrides(KEEP_FOR_ALERTS)).tableName(table)
                    .key(Map.of("pk", s(session.id()))).updateExpression("SET reported = :o")
                    .conditionExpression("attribute_exists(pk)").expressionAttributeValues(Map.of(":o", s(outcome.id())))));
        } catch (ConditionalCheckFailedException e) {
            // no record (ended without a ledger): nothing to note
        }
    }

    private static Entry entry(Map<String, AttributeValue> item) {
        Status status;
        try {
            status = Status.valueOf(text(item.get("status")));
        } catch (IllegalArgumentException | NullPointerException e) {
            status = Status.INPROGRESS; // unreadable: treated as held, so that nobody ends the session twice
        }
        AttributeValue attempts = item.get("attempts");
        int tries = 0;
        try {
            tries = attempts == null || attempts.n() == null ? 0 : Integer.parseInt(attempts.n());
        } catch (NumberFormatException e) {
            // stays 0
        }
        return new Entry(status, Remediation.Outcome.fromId(text(item.get("outcome"))), parse(text(item.get("endedOrFailedAt"))),
                seconds(item.get("leaseUntil")), Remediation.Outcome.fromId(text(item.get("reported"))), tries,
                text(item.get("lastError")));
    }

    static String gapId(String label) {
        return "gap#" + label.replace(':', '#');
    }

    /** Keys left unprocessed count as closed: a gap is then alerted again rather than missed. */
    @Override
    public Map<String, Instant> openGaps(Collection<String> labels) {
        Map<String, String> byId = new LinkedHashMap<>();
        labels.forEach(l -> byId.put(gapId(l), l));
        BatchRead read = batchGet(new ArrayList<>(byId.keySet()), true, "pk, since", Map.of());
        Map<String, Instant> open = new HashMap<>();
        read.found().forEach((pk, item) -> {
            Instant since = item.get("since") == null ? null : parse(item.get("since").s());
            open.put(byId.get(pk), since == null ? Instant.EPOCH : since);
        });
        return open;
    }

    /** Kept until the gap closes: an account that left the organisation keeps its open gap (the README says so). */
    @Override
    public boolean open(String label, String reason, Instant since) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(gapId(label)));
        item.put("v", n(FORMAT_VERSION));
        item.put("accountRegion", s(label));
        item.put("since", s(since.toString()));
        item.put("reason", s(reason.length() > 1000 ? reason.substring(0, 1000) : reason));
        try {
            call("PutItem", () -> dynamo.putItem(r -> r.overrideConfiguration(budget.overrides()).tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)")));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean close(String label) {
        try {
            call("DeleteItem", () -> dynamo.deleteItem(r -> r.overrideConfiguration(budget.overrides()).tableName(table)
                    .key(Map.of("pk", s(gapId(label)))).conditionExpression("attribute_exists(pk)")));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Instant parse(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** Items found by key, and the keys DynamoDB left unprocessed (neither found nor known to be absent). */
    private record BatchRead(Map<String, Map<String, AttributeValue>> found, Set<String> unread) {
    }

    /** The items found among these keys, 100 a call, unprocessed keys asked again a few times. */
    private BatchRead batchGet(List<String> ids, boolean consistent, String projection, Map<String, String> names) {
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        Set<String> unread = new HashSet<>();
        for (int i = 0; i < ids.size(); i += READ_BATCH) {
            List<Map<String, AttributeValue>> batch = new ArrayList<>();
            ids.subList(i, Math.min(ids.size(), i + READ_BATCH)).forEach(id -> batch.add(Map.of("pk", s(id))));
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(batch).consistentRead(consistent)
                    .projectionExpression(projection).expressionAttributeNames(names.isEmpty() ? null : names).build());
            for (int round = 0; round < UNPROCESSED_ROUNDS && request != null && !request.isEmpty(); round++) {
                Map<String, KeysAndAttributes> ask = request;
                BatchGetItemResponse response = call("BatchGetItem", () -> dynamo.batchGetItem(r -> r
                        .overrideConfiguration(budget.overrides()).requestItems(ask)));
                response.responses().getOrDefault(table, List.of()).forEach(item -> found.put(item.get("pk").s(), item));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : null;
                pause(round, request);
            }
            if (request != null && request.containsKey(table)) {
                request.get(table).keys().forEach(k -> unread.add(k.get("pk").s()));
            }
        }
        return new BatchRead(found, unread);
    }

    @Override
    public void markSent(Collection<AlertKey> keys, LedgerClaim claim) {
        List<WriteRequest> writes = new ArrayList<>();
        for (AlertKey key : keys) {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item(key, SENT, claim)).build()).build());
        }
        for (int i = 0; i < writes.size(); i += WRITE_BATCH) {
            Map<String, List<WriteRequest>> request = Map.of(table, writes.subList(i, Math.min(writes.size(), i + WRITE_BATCH)));
            for (int round = 0; request != null && !request.isEmpty(); round++) {
                if (round == UNPROCESSED_ROUNDS) {
                    throw new LedgerUnavailableException("DynamoDB BatchWriteItem on table " + table + " left "
                            + request.get(table).size() + " items unprocessed after " + round + " rounds", null);
                }
                Map<String, List<WriteRequest>> ask = request;
                BatchWriteItemResponse response = call("BatchWriteItem", () -> dynamo.batchWriteItem(r -> r
                        .overrideConfiguration(budget.overrides()).requestItems(ask)));
                request = response.hasUnprocessedItems() ? response.unprocessedItems() : null;
                pause(round, request);
            }
        }
        keys.forEach(k -> knownSent.put(k.id(), Boolean.TRUE));
    }

    @Override
    public void release(Collection<AlertKey> keys, LedgerClaim claim) {
        LedgerUnavailableException failed = null;
        int failures = 0;
        for (AlertKey key : keys) {
            try {
                call("DeleteItem", () -> dynamo.deleteItem(r -> r.overrideConfiguration(budget.cleanupOverrides())
                    .tableName(table).key(Map.of("pk", s(key.id())))
                        .conditionExpression("claimToken = :token AND #s = :inprogress")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":token", s(claim.token()), ":inprogress", s(INPROGRESS)))));
            } catch (ConditionalCheckFailedException e) {
                // no longer ours: taken over after the lease, or sent
            } catch (LedgerUnavailableException e) {
                failed = e; // the others are still worth releasing
                failures++;
            }
        }
        if (failed != null) {
            throw new LedgerUnavailableException(failures + " of " + keys.size() + " claims not released: " + failed.getMessage(),
                    failed);
        }
    }

    private static Map<String, AttributeValue> item(AlertKey key, String status, LedgerClaim claim) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(key.id()));
        item.put("v", n(FORMAT_VERSION));
        item.put("status", s(status));
        item.put("claimToken", s(claim.token()));
        item.put("leaseUntil", n(claim.leaseUntil().getEpochSecond()));
        item.put("expiresAt", n(claim.now().plus(RETENTION).getEpochSecond()));
        if (key.account() != null) {
            item.put("account", s(key.account()));
        }
        if (key.region() != null) {
            item.put("region", s(key.region()));
        }
        item.put("sessionId", s(key.sessionId()));
        item.put("rule", s(key.rule().id()));
        item.put("reminder", n(key.reminder()));
        item.put(SENT.equals(status) ? "sentAt" : "claimedAt", s(claim.now().toString()));
        return item;
    }

    /** Unprocessed items are retried with a short backoff, as the DynamoDB documentation asks. */
    private static void pause(int round, Object pending) {
        if (pending == null) {
            return;
        }
        try {
            Thread.sleep(Math.min(1_000L, 50L << round));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while retrying unprocessed DynamoDB items", e);
        }
    }

    private <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (ConditionalCheckFailedException e) {
            throw e;
        } catch (SdkException e) {
            throw new LedgerUnavailableException("DynamoDB " + operation + " on table " + table + " failed: " + e.getMessage(), e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    private static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }

    private static String text(AttributeValue v) {
        return v == null ? null : v.s();
    }

    private static Instant instant(AttributeValue millis) {
        try {
            return millis == null || millis.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(millis.n()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant seconds(AttributeValue seconds) {
        try {
            return seconds == null || seconds.n() == null ? null : Instant.ofEpochSecond(Long.parseLong(seconds.n()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
