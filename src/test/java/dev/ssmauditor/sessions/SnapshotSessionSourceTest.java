package dev.ssmauditor.sessions;

import com.fasterxml.jackson.core.JsonFactory;
import dev.ssmauditor.policy.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotSessionSourceTest {

    @TempDir
    Path dir;

    private SessionListing read(String json) throws IOException {
        Path file = dir.resolve("snapshot.json");
        Files.writeString(file, json);
        return new SnapshotSessionSource(file, new JsonFactory()).activeSessions();
    }

    @Test
    void readsTheBundledSample() {
        SessionListing listing = new SnapshotSessionSource(Path.of("events/describe-sessions-active.json"), new JsonFactory())
                .activeSessions();
        assertThat(listing.sessions()).hasSize(10);
        assertThat(listing.sessions()).allSatisfy(s -> {
            assertThat(s.sessionId()).isNotBlank();
            assertThat(s.startDate()).isNotNull();
            assertThat(s.owner()).startsWith("arn:aws:");
        });
    }

    @Test
    void readsCliIsoDatesAndEpochSeconds() throws IOException {
        SessionListing listing = read("""
                {"Sessions": [
                  {"SessionId": "a-1", "StartDate": "2026-11-30T10:15:30.250000+01:00", "Owner": "aws:iam::1:user/a"},
                  {"SessionId": "b-2", "StartDate": 1764497730.25, "EndDate": null}
                ]}""");
        assertThat(listing.sessions()).extracting(Session::startDate).containsExactly(
                Instant.parse("2026-11-30T09:15:30.250Z"), Instant.ofEpochSecond(1764497730L, 250_000_000));
        assertThat(listing.sessions().get(0).owner()).isEqualTo("arn:aws:iam::1:user/a");
        assertThat(listing.sessions().get(1).endDate()).isNull();
    }

    @Test
    void namesTheFileAndFieldOfABadDate() {
        assertThatThrownBy(() -> read("{\"Sessions\": [{\"SessionId\": \"a\"}, {\"StartDate\": \"yesterday\"}]}"))
                .isInstanceOf(SessionListingException.class)
                .hasMessageContaining("Sessions[1].StartDate 'yesterday'");
    }

    @Test
    void rejectsAFileThatIsNotASnapshot() {
        assertThatThrownBy(() -> read("{\"sessions\": []}"))
                .isInstanceOf(SessionListingException.class)
                .hasMessageContaining("no \"Sessions\" list");
        assertThatThrownBy(() -> new SnapshotSessionSource(dir.resolve("missing.json"), new JsonFactory()).activeSessions())
                .isInstanceOf(SessionListingException.class)
                .hasMessageContaining("cannot read snapshot");
    }
}
