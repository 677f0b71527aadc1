package dev.strata.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuantPickerTest {
    private final QuantPicker picker = new QuantPicker();

    private static HubFile f(String path, long size) {
        return new HubFile(path, size, null);
    }

    @Test
    void prefersQ4KmThenTheListOrder() {
        assertThat(picker.pick(List.of(f("m.Q8_0.gguf", 8), f("m.Q4_K_M.gguf", 4), f("m.Q2_K.gguf", 2))))
                .map(HubFile::path).contains("m.Q4_K_M.gguf");
        assertThat(picker.pick(List.of(f("m-f16.gguf", 16), f("m-q8_0.gguf", 8)))).map(HubFile::path).contains("m-q8_0.gguf");
    }

    @Test
    void skipsSplitFilesAndFallsBackToTheSmallest() {
        assertThat(picker.pick(List.of(f("big/m-Q4_K_M-00001-of-00002.gguf", 1), f("x.gguf", 9), f("y.gguf", 3))))
                .map(HubFile::path).contains("y.gguf");
        assertThat(picker.pick(List.of())).isEmpty();
    }
}
