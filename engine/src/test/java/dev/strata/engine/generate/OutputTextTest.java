package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTextTest {
    @Test
    void withoutStopStringsEverythingPassesThrough() {
        OutputText t = new OutputText(List.of());
        assertThat(t.append("Hello")).isEqualTo("Hello");
        assertThat(t.append(" world")).isEqualTo(" world");
        assertThat(t.flush()).isEmpty();
    }

    @Test
    void stopStringSplitAcrossTokensIsMatchedAndNotEmitted() {
        OutputText t = new OutputText(List.of("\nUser:"));
        assertThat(t.append("Sure")).isEqualTo("Sure");
        assertThat(t.append(".\n")).isEqualTo(".");          // "\n" could start the stop string
        assertThat(t.append("Us")).isEmpty();                 // "\nUs" still could
        assertThat(t.stopped()).isFalse();
        assertThat(t.append("er: hi")).isEmpty();             // matched: nothing after it is emitted
        assertThat(t.stopped()).isTrue();
        assertThat(t.append("more")).isEmpty();
    }

    @Test
    void heldTextIsReleasedWhenItStopsLookingLikeAStopString() {
        OutputText t = new OutputText(List.of("###"));
        assertThat(t.append("a#")).isEqualTo("a");
        assertThat(t.append("#")).isEmpty();
        assertThat(t.append("b")).isEqualTo("##b");
        assertThat(t.append("#")).isEmpty();
        assertThat(t.flush()).isEqualTo("#");
        assertThat(t.stopped()).isFalse();
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        OutputText t = new OutputText(List.of("world", "lo w"));
        assertThat(t.append("hello world")).isEqualTo("hel");
        assertThat(t.stopped()).isTrue();
    }

    @Test
    void textBeforeAStopInsideOneTokenIsEmitted() {
        OutputText t = new OutputText(List.of("END"));
        assertThat(t.append("the END of it")).isEqualTo("the ");
        assertThat(t.stopped()).isTrue();
    }
}
