package dev.ssmauditor.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationTextTest {

    @ParameterizedTest
    @CsvSource({"0,0m", "59,0m", "60,1m", "3599,59m", "3600,1h", "3660,1h 1m", "33120,9h 12m", "90000,25h", "-60,0m"})
    void writesHoursAndMinutes(long seconds, String text) {
        assertThat(DurationText.of(Duration.ofSeconds(seconds))).isEqualTo(text);
    }
}
