package dev.ssmauditor.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK logs through SLF4J; without a provider SLF4J prints "No SLF4J providers were found" to standard error
 * on its first use, in the function's log and in the terminal. A fresh JVM shows it, so this starts one: the CLI
 * against an SSM endpoint that refuses connections builds the SDK clients, fails (exit 2) and must print nothing
 * from SLF4J.
 */
class NoLoggingWarningsTest {

    @Test
    void theSdkBuildsItsClientsWithoutAnSlf4jWarning() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AuditCli.class.getName()));
        pb.environment().put("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9"); // the discard port: nothing listens
        pb.environment().put("AWS_MAX_ATTEMPTS", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isEqualTo(AuditCli.FAILED);
        assertThat(output).contains("audit failed").doesNotContain("SLF4J");
    }
}
