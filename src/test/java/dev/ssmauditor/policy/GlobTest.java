package dev.ssmauditor.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GlobTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            i-0abc*                                               | i-0abc123                                                        | true
            i-0abc*                                               | i-0abc                                                           | true
            i-0abc*                                               | i-0ab                                                            | false
            i-0abc*                                               | xi-0abc1                                                         | false
            mi-*                                                  | mi-0123456789abcdef0                                             | true
            mi-*                                                  | i-0123                                                           | false
            *                                                     | anything/at:all                                                  | true
            i-?                                                   | i-1                                                              | true
            i-?                                                   | i-12                                                             | false
            i-?                                                   | i-                                                               | false
            ??                                                    | ab                                                               | true
            *-prod-*                                              | db-prod-1                                                        | true
            *-prod-*                                              | db-prod                                                          | false
            a*b*c                                                 | abc                                                              | true
            a*b*c                                                 | aXXbYYc                                                          | true
            a*b*c                                                 | aXXbYYcZ                                                         | false
            a**b                                                  | ab                                                               | true
            exact                                                 | exact                                                            | true
            exact                                                 | Exact                                                            | false
            exact                                                 | exactly                                                          | false
            arn:aws:sts::*:assumed-role/AWSReservedSSO_Admin_*/*  | arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/alice | true
            arn:aws:sts::*:assumed-role/AWSReservedSSO_Admin_*/*  | arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReadOnly_0a1b/alice | false
            arn:aws:sts::*:assumed-role/AWSReservedSSO_Admin_*/*  | arn:aws:iam::123456789012:user/AWSReservedSSO_Admin_x/y          | false
            """)
    void matchesTheWholeValue(String pattern, String value, boolean matches) {
        assertThat(new Glob(pattern).matches(value)).isEqualTo(matches);
    }

    @Test
    void starMatchesTheEmptyString() {
        assertThat(new Glob("*").matches("")).isTrue();
        assertThat(new Glob("a*").matches("a")).isTrue();
    }

    @Test
    void nullNeverMatches() {
        assertThat(new Glob("*").matches(null)).isFalse();
    }

    @Test
    void regexCharactersAreLiteral() {
        assertThat(new Glob("i-0abc.+").matches("i-0abc.+")).isTrue();
        assertThat(new Glob("i-0abc.+").matches("i-0abcdd")).isFalse();
        assertThat(new Glob("[a]").matches("a")).isFalse();
    }

    @Test
    void pathologicalPatternsStayLinearEnough() {
        String value = "a".repeat(5_000);
        // A backtracking regex (a*)*b would take forever here; the glob gives up after a bounded scan.
        assertThat(new Glob("*a*a*a*a*a*a*a*b").matches(value)).isFalse();
    }

    @Test
    void anEmptyPatternIsRejected() {
        assertThatThrownBy(() -> new Glob("")).isInstanceOf(IllegalArgumentException.class);
    }
}
