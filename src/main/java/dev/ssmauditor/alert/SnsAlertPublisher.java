package dev.ssmauditor.alert;

import dev.ssmauditor.aws.CallBudget;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes each part to the topic, in order. An SNS failure (after the SDK's retries) propagates, so the
 * invocation fails and Lambda retries it: a duplicate part is possible, a lost one is not.
 */
public final class SnsAlertPublisher implements AlertPublisher {

    private final Supplier<SnsClient> factory;
    private final String topicArn;
    private final SnsEnvelope envelope;
    private final CallBudget budget;
    private volatile SnsClient sns;

    public SnsAlertPublisher(SnsClient sns, String topicArn, SnsEnvelope envelope) {
        this(() -> sns, topicArn, envelope, CallBudget.unlimited());
    }

    /**
     * @param factory builds the client on the first publish: most runs have nothing new to alert, and a cold
     *                start that publishes nothing then never pays for the SNS client (about 60 ms, see the README)
     */
    public SnsAlertPublisher(Supplier<SnsClient> factory, String topicArn, SnsEnvelope envelope, CallBudget budget) {
        this.factory = factory;
        this.topicArn = topicArn;
        this.envelope = envelope;
        this.budget = budget;
    }

    /** Builds the client now rather than at the first publish (before a SnapStart snapshot). */
    public void prepare() {
        // Synchronized: the organisation sweep's account-regions may publish their first alerts at the same moment.
        if (sns == null) {
            synchronized (this) {
                if (sns == null) {
                    sns = factory.get();
                }
            }
        }
    }

    @Override
    public void publish(List<AlertMessage> messages) {
        prepare();
        for (AlertMessage message : messages) {
            sns.publish(PublishRequest.builder()
                    .topicArn(topicArn)
                    .subject(message.subject())
                    .messageStructure("json")
                    .message(envelope.of(message))
                    .messageAttributes(attributes(message))
                    .overrideConfiguration(budget.overrides(CallBudget.MARK_TIME)) // the mark comes after it
                    .build());
        }
    }

    private static Map<String, MessageAttributeValue> attributes(AlertMessage message) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        MessageAttributes.of(message).forEach((name, typeAndValue) -> attributes.put(name,
                MessageAttributeValue.builder().dataType(typeAndValue[0]).stringValue(typeAndValue[1]).build()));
        return attributes;
    }

    @Override
    public boolean delivers() {
        return true;
    }
}
