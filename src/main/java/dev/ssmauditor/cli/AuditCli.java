package dev.ssmauditor.cli;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.alert.AlertComposer;
import dev.ssmauditor.alert.AlertPublisher;
import dev.ssmauditor.alert.PrintingAlertPublisher;
import dev.ssmauditor.alert.SnsAlertPublisher;
import dev.ssmauditor.audit.AlertDispatch;
import dev.ssmauditor.audit.AlertLedger;
import dev.ssmauditor.audit.Remediator;
import dev.ssmauditor.audit.TerminationLedger;
import dev.ssmauditor.audit.AlertPlanner;
import dev.ssmauditor.audit.AuditReport;
import dev.ssmauditor.audit.AuditRequest;
import dev.ssmauditor.audit.Auditor;
import dev.ssmauditor.aws.AwsClientFactory;
import dev.ssmauditor.config.AuditorConfig;
import dev.ssmauditor.config.ConfigException;
import dev.ssmauditor.config.ConfigLoader;
import dev.ssmauditor.config.Settings;
import dev.ssmauditor.policy.PolicyEvaluator;
import dev.ssmauditor.log.JsonLog;
import dev.ssmauditor.log.LogLevel;
import dev.ssmauditor.sessions.SessionSource;
import dev.ssmauditor.sessions.SnapshotSessionSource;
import dev.ssmauditor.sessions.SsmSessionSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Runs the same audit as the Lambda function from a terminal: on a snapshot offline, or on a real account. */
public final class AuditCli {

    static final int NO_VIOLATIONS = 0;
    static final int VIOLATIONS_FOUND = 1;
    static final int FAILED = 2;

    private final Map<String, String> processEnv;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    AuditCli(Map<String, String> processEnv, PrintStream out, PrintStream err, Clock clock) {
        this.processEnv = processEnv;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(new AuditCli(System.getenv(), System.out, System.err, Clock.systemUTC()).run(args));
    }

    int run(String... args) {
        try {
            CliArguments arguments = CliArguments.parse(args);
            if (arguments.help()) {
                out.print(CliArguments.USAGE);
                return NO_VIOLATIONS;
            }
            return audit(arguments);
        } catch (CliArguments.UsageException e) {
            err.println("ssm-session-auditor: " + e.getMessage());
            err.print(CliArguments.USAGE);
            return FAILED;
        } catch (ConfigException e) {
            err.println("ssm-session-auditor: " + e.getMessage());
            return FAILED;
        } catch (RuntimeException e) {
            err.println("ssm-session-auditor: audit failed: " + e);
            return FAILED;
        }
    }

    private int audit(CliArguments arguments) {
        JsonFactory json = new JsonFactory();
        Map<String, String> env = new HashMap<>(processEnv);
        if (arguments.envFile() != null) {
            env.putAll(EnvVarsFile.read(arguments.envFile(), json));
        }
        // Printing is the terminal's default: a topic is needed only when asked to publish.
        env.put(Settings.DRY_RUN, Boolean.toString(!arguments.publish()));
        AuditorConfig config = new ConfigLoader().load(env);

        boolean offline = arguments.snapshot() != null;
        AwsClientFactory clients = offline && !arguments.publish() ? null : new AwsClientFactory(env);
        SessionSource sessions = offline ? new SnapshotSessionSource(arguments.snapshot(), json)
                : new SsmSessionSource(clients.ssm());
        AlertComposer composer = new AlertComposer(json);
        AlertPublisher publisher = arguments.publish()
                ? new SnsAlertPublisher(clients.sns(), config.alertTopicArn(), composer.envelope())
                : new PrintingAlertPublisher(out, arguments.json() ? PrintingAlertPublisher.Format.JSON
                        : PrintingAlertPublisher.Format.TEXT);
        Instant at = arguments.at() != null ? arguments.at() : clock.instant();
        String region = clients == null ? null : clients.region().id();

        // A terminal run keeps no ledger: it reports every current violation, and its log lines go nowhere.
        JsonLog quiet = new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.FATAL, json);
        // Nor does it end sessions: it reports what the function would end (would-terminate), publishing or not.
        Remediator remediator = new Remediator(config.remediation(), true, TerminationLedger.NONE, null, clock, quiet, Duration.ZERO);
        AuditReport report = new Auditor(sessions, new PolicyEvaluator(config.policy()), new AlertPlanner(Duration.ZERO),
                new AlertDispatch(composer, publisher, AlertLedger.NONE, clock, quiet, Duration.ZERO), null, remediator, clock, quiet,
                Duration.ZERO).run(new AuditRequest(at, null, region));

        err.println("Checked " + report.sessionsChecked() + " active sessions at " + at + " from "
                + (offline ? arguments.snapshot() : "region " + region) + ": " + report.violations().size()
                + " violations in " + report.alertMessages() + " alert messages" + (report.delivered() ? ", published to " + config.alertTopicArn() : "") + ".");
        return report.violations().isEmpty() ? NO_VIOLATIONS : VIOLATIONS_FOUND;
    }
}
