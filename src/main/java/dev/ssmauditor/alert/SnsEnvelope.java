package dev.ssmauditor.alert;

/** The {@code MessageStructure=json} message: one body per protocol, {@code default} for the rest. */
public final class SnsEnvelope {

    private final JsonText json;

    SnsEnvelope(JsonText json) {
        this.json = json;
    }

    public String of(AlertMessage message) {
        return json.write(g -> {
            g.writeStartObject();
            g.writeStringField("default", message.defaultBody());
            g.writeStringField("email", message.emailBody());
            g.writeStringField("https", message.chatBody());
            g.writeEndObject();
        });
    }
}
