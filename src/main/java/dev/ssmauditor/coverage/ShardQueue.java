package dev.ssmauditor.coverage;

import java.util.List;

/** Where the scheduled sweep leaves the accounts for the shard workers. */
public interface ShardQueue {

    /**
     * Sends every message, or throws naming what was not sent after retrying it.
     *
     * @return the calls made
     */
    int send(List<ShardMessage> messages);
}
