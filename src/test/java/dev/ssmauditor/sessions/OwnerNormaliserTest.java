package dev.ssmauditor.sessions;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class OwnerNormaliserTest {

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", delimiter = '|', textBlock = """
            arn:aws:sts::123456789012:assumed-role/Admin/alice  | arn:aws:sts::123456789012:assumed-role/Admin/alice
            aws:sts::123456789012:assumed-role/Admin/alice      | arn:aws:sts::123456789012:assumed-role/Admin/alice
            aws:iam::123456789012:user/bob                      | arn:aws:iam::123456789012:user/bob
            aws-cn:iam::123456789012:user/bob                   | arn:aws-cn:iam::123456789012:user/bob
            aws-us-gov:iam::123456789012:user/bob               | arn:aws-us-gov:iam::123456789012:user/bob
            '  arn:aws:iam::123456789012:user/bob '             | arn:aws:iam::123456789012:user/bob
            123456789012                                        | 123456789012
            '   '                                               | NULL
            NULL                                                | NULL
            """)
    void restoresTheArnPrefix(String owner, String expected) {
        assertThat(OwnerNormaliser.normalise(owner)).isEqualTo(expected);
    }
}
