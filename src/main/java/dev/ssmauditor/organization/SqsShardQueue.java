package dev.ssmauditor.organization;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.aws.CallBudget;
import dev.ssmauditor.coverage.ShardMessage;
import dev.ssmauditor.coverage.ShardQueue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Sends shard messages ten a call ({@code SendMessageBatch}'s limit), {@code concurrency} calls at once: 10,000 accounts
 * are 1,000 calls. Entries SQS reports failed are sent once more; what still fails fails the run, naming the accounts.
 */
public final class SqsShardQueue implements ShardQueue {

    static final int BATCH = 10;

    private final Supplier<SqsClient> sqs;
    private final String queueUrl;
    private final JsonFactory json;
    private final CallBudget budget;
    private final int concurrency;

    public SqsShardQueue(Supplier<SqsClient> sqs, String queueUrl, JsonFactory json, CallBudget budget, int concurrency) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.json = json;
        this.budget = budget;
        this.concurrency = concurrency;
    }

    @Override
    public int send(List<ShardMessage> messages) {
        SqsClient client = sqs.get();
        List<List<ShardMessage>> batches = new ArrayList<>();
        for (int i = 0; i < messages.size(); i += BATCH) {
            batches.add(messages.subList(i, Math.min(messages.size(), i + BATCH)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(concurrency, batches.size())), r -> {
            Thread t = new Thread(r, "shard-queue");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<int[]>> sent = new ArrayList<>();
            List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
            for (List<ShardMessage> batch : batches) {
                sent.add(pool.submit(() -> sendBatch(client, batch, failed)));
            }
            int calls = 0;
            for (Future<int[]> f : sent) {
                try {
                    calls += f.get()[0];
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
            if (!failed.isEmpty()) {
                throw new IllegalStateException(failed.size() + " of " + messages.size() + " accounts not queued for the shard "
                        + "workers (" + String.join("; ", failed.subList(0, Math.min(5, failed.size()))) + "); they are not "
                        + "audited by this run. Check the shard queue " + queueUrl + " and the function's sqs:SendMessage");
            }
            return calls;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing the shards", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private int[] sendBatch(SqsClient client, List<ShardMessage> batch, List<String> failed) {
        Map<String, ShardMessage> pending = new java.util.LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            pending.put(Integer.toString(i), batch.get(i));
        }
        int calls = 0;
        List<BatchResultErrorEntry> errors = List.of();
        for (int attempt = 0; attempt < 2 && !pending.isEmpty(); attempt++) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            pending.forEach((id, m) -> entries.add(SendMessageBatchRequestEntry.builder().id(id).messageBody(m.toJson(json)).build()));
            SendMessageBatchResponse r = client.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)
                    .overrideConfiguration(budget.overrides()));
            calls++;
            r.successful().forEach(s -> pending.remove(s.id()));
            errors = r.failed();
        }
        for (BatchResultErrorEntry e : errors) {
            ShardMessage m = pending.get(e.id());
            if (m != null) {
                failed.add(m.account().id() + ": " + e.code() + " " + e.message());
            }
        }
        return new int[] {calls};
    }
}
