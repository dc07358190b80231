package dev.ssmauditor.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random, truncated and mutated POLICY documents: the loader either accepts them or throws its documented
 * {@link ConfigException}, never anything else (no NullPointerException, no Jackson exception escaping).
 */
class PolicyDocumentFuzzTest {

    private static final String VALID = """
            {"maxSessionMinutes": 480,
             "durationLimits": [{"owner": "arn:aws:sts::*:assumed-role/BreakGlass/*", "maxSessionMinutes": 60},
                                {"target": "i-0db*", "owner": "arn:aws:sts::*:assumed-role/Dba/*", "maxSessionMinutes": 30}],
             "allowedOwners": ["arn:aws:sts::*:assumed-role/AWSReservedSSO_Admin_*/*"],
             "allowedTargets": ["i-*", "mi-*"], "deniedTargets": ["i-0pci*"],
             "allowedDocuments": ["SSM-SessionManagerRunShell"],
             "severities": {"long-running": "LOW", "unexpected-target": "CRITICAL"},
             "exemptOwners": ["arn:aws:sts::*:assumed-role/BreakGlass/*"],
             "remediation": {"long-running": {"terminate": true, "graceMinutes": 30}, "unexpected-target": true,
                             "unexpected-owner": {"terminate": false}, "exemptTargets": ["i-0criticaldb*"]}}""";
    private static final String ALPHABET = "{}[]:,\"\\ 0123456789-.eE+truefalsenull*?abcxyzÿ\u2028\n\t";

    private int accepted;
    private int rejected;

    private void load(String policy) {
        try {
            new ConfigLoader().load(Map.of("DRY_RUN", "true", "POLICY", policy));
            accepted++;
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("Invalid configuration").contains("POLICY");
            rejected++;
        } catch (RuntimeException e) {
            String shown = policy.length() > 200 ? policy.substring(0, 200) + "... (" + policy.length() + " chars)" : policy;
            fail("POLICY " + shown + " threw " + e, e);
        }
    }

    @Test
    void theValidDocumentIsValid() {
        load(VALID);
        assertThat(accepted).as("every key it enumerates is known").isEqualTo(1);
    }

    @Test
    void everyTruncationIsAcceptedOrRejectedCleanly() {
        for (int i = 0; i <= VALID.length(); i++) {
            load(VALID.substring(0, i));
        }
        assertThat(accepted).as("only the whole document (and blank prefixes) parse").isGreaterThanOrEqualTo(1);
        assertThat(rejected).isGreaterThan(VALID.length() / 2);
    }

    @Test
    void randomMutationsAreAcceptedOrRejectedCleanly() {
        Random random = new Random(42);
        for (int i = 0; i < 3_000; i++) {
            StringBuilder b = new StringBuilder(VALID);
            for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    case 1 -> b.deleteCharAt(at);
                    default -> b.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
            }
            load(b.toString());
        }
        assertThat(accepted + rejected).isEqualTo(3_000);
    }

    @Test
    void randomGarbageIsRejectedCleanly() {
        Random random = new Random(7);
        for (int i = 0; i < 3_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(60); n > 0; n--) {
                b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            load(b.toString());
        }
    }

    @Test
    void deeplyNestedInputIsRejectedCleanly() {
        load("[".repeat(5_000));
        load("{\"severities\":" + "{\"a\":".repeat(2_000) + "1" + "}".repeat(2_001));
        load("{\"remediation\":{\"long-running\":" + "{\"terminate\":".repeat(2_000) + "true" + "}".repeat(2_002));
    }
}
