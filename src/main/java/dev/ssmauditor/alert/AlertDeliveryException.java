package dev.ssmauditor.alert;

/**
 * The alerts could not be published: the hub's topic, not an audited account, is failing. The organisation sweep tells
 * it apart from an account's failure by this type (an SNS timeout looks like any other SDK timeout).
 */
public final class AlertDeliveryException extends RuntimeException {

    public AlertDeliveryException(RuntimeException cause) {
        super("alerts not published: " + cause.getMessage(), cause);
    }

    /** The publisher, its failures wrapped. */
    public static AlertPublisher wrapping(AlertPublisher publisher) {
        return new AlertPublisher() {
            @Override
            public void publish(java.util.List<AlertMessage> messages) {
                try {
                    publisher.publish(messages);
                } catch (AlertDeliveryException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new AlertDeliveryException(e);
                }
            }

            @Override
            public boolean delivers() {
                return publisher.delivers();
            }
        };
    }
}
