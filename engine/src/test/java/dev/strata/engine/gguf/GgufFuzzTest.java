package dev.strata.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncations and random byte flips of a real model file: every case must either open (and then
 * every tensor's data must be readable) or fail with the engine's own exception, never anything else
 * (no OutOfMemoryError, no IndexOutOfBounds, no JVM crash).
 */
class GgufFuzzTest {
    @TempDir
    Path dir;

    @Test
    void truncationsAreCleanErrors() throws IOException {
        byte[] original = Files.readAllBytes(GgufFileTest.demoModel());
        int headerEnd;
        try (GgufFile f = GgufFile.open(GgufFileTest.demoModel())) {
            headerEnd = (int) f.dataOffset();
        }
        Path file = dir.resolve("cut.gguf");
        int cases = 0;
        // every cut in the first KiB (magic, counts, first keys), a dense spread over the rest of the
        // header (every string length and array count), then a sparse spread inside the data
        for (int length = 0; length < original.length; length += length < 1024 ? 1 : length < headerEnd + 64 ? 7 : 997) {
            Files.write(file, Arrays.copyOf(original, length));
            assertThat(outcome(file)).as("truncated to %d bytes", length).isEqualTo(Outcome.REJECTED);
            cases++;
        }
        assertThat(cases).isGreaterThan(headerEnd / 7);
    }

    @Test
    void randomByteFlipsNeverEscapeAsOtherErrors() throws IOException {
        byte[] original = Files.readAllBytes(GgufFileTest.demoModel());
        int headerEnd;
        try (GgufFile f = GgufFile.open(GgufFileTest.demoModel())) {
            headerEnd = (int) f.dataOffset();
        }
        SplittableRandom random = new SplittableRandom(20261123);
        Path file = dir.resolve("flipped.gguf");
        int opened = 0;
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int k = 0; k < flips; k++) {
                int at = random.nextInt(headerEnd); // the header is where structure lives
                mutated[at] = switch (random.nextInt(4)) {
                    case 0 -> (byte) (mutated[at] ^ (1 << random.nextInt(8)));
                    case 1 -> (byte) 0xFF;
                    case 2 -> 0;
                    default -> (byte) random.nextInt(256);
                };
            }
            Files.write(file, mutated);
            switch (outcome(file)) {
                case OPENED -> opened++;
                case REJECTED -> rejected++;
            }
        }
        assertThat(opened + rejected).isEqualTo(3000);
        assertThat(rejected).isPositive();
    }

    enum Outcome { OPENED, REJECTED }

    private static Outcome outcome(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            long sum = 0;
            for (GgufTensorInfo t : f.tensors()) {
                var data = f.tensorData(t);
                if (data.byteSize() > 0) {
                    sum += data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, data.byteSize() - 1);
                }
            }
            f.metadata().values().forEach(GgufValue::toString);
            return sum == Long.MIN_VALUE ? Outcome.REJECTED : Outcome.OPENED;
        } catch (EngineException e) {
            assertThat(e.getMessage()).doesNotContain("\n").isNotBlank();
            return Outcome.REJECTED;
        }
    }
}
