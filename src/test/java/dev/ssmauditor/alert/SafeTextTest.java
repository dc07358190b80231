package dev.ssmauditor.alert;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SafeTextTest {

    @Test
    void plainTextLosesControlAndBidiCharactersAndStaysOnOneLine() {
        assertThat(SafeText.line("a\u0007b\u001b[31mc\u0000d")).isEqualTo("a?b?[31mc?d");
        assertThat(SafeText.line("fix\r\nSubject: forged\tx")).isEqualTo("fix  Subject: forged x");
        assertThat(SafeText.line("evil\u202Egnp.exe\u2066x\u2069")).isEqualTo("evil?gnp.exe?x?");
        assertThat(SafeText.line("caf\u00e9 \u65e5\u672c \ud83d\ude00")).as("ordinary non-ASCII is kept").isEqualTo("caf\u00e9 \u65e5\u672c \ud83d\ude00");
        assertThat(SafeText.line(null)).isNull();
    }

    @Test
    void chatTextCannotMentionLinkOrLeaveACodeSpan() {
        assertThat(SafeText.chat("<!channel> <https://x|Approve> & `rm`"))
                .isEqualTo("&lt;!channel&gt; &lt;https://x|Approve&gt; &amp; 'rm'");
        assertThat(SafeText.chat("i-0abc")).isEqualTo("i-0abc");
    }
}
