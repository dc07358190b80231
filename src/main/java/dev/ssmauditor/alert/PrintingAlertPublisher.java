package dev.ssmauditor.alert;

import java.io.PrintStream;
import java.util.List;

/**
 * Prints alerts instead of publishing them: the terminal's view of an audit, and the log of a dry run.
 * Prints the email body (for people) or the default JSON body (for tools).
 */
public final class PrintingAlertPublisher implements AlertPublisher {

    public enum Format { TEXT, JSON }

    private final PrintStream out;
    private final Format format;

    public PrintingAlertPublisher(PrintStream out, Format format) {
        this.out = out;
        this.format = format;
    }

    @Override
    public void publish(List<AlertMessage> messages) {
        for (AlertMessage message : messages) {
            if (format == Format.JSON) {
                out.println(message.defaultBody());
            } else {
                out.println("Subject: " + message.subject());
                out.println();
                out.print(message.emailBody());
                out.println();
            }
        }
        out.flush();
    }

    @Override
    public boolean delivers() {
        return false;
    }
}
