package dev.ssmauditor.alert;

import java.util.List;

/** Delivers alert messages. Returns only when every message was accepted; throws otherwise. */
public interface AlertPublisher {

    void publish(List<AlertMessage> messages);

    /** True when this publisher really delivers (false for printing or logging in dry runs). */
    boolean delivers();
}
