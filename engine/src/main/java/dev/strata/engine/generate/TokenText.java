package dev.strata.engine.generate;

import dev.strata.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Streaming UTF-8 decoding of generated tokens from {@link Tokenizer#tokenBytes}: a character split
 * across tokens (byte fallback, byte-level BPE) is held back until complete, so no half character is
 * ever emitted; malformed bytes become U+FFFD. Not thread-safe; one per sequence.
 */
final class TokenText {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int length;

    TokenText(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text token {@code id} completes (possibly empty). */
    String next(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        if (length + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(2 * pending.length, length + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, length, bytes.length);
        length += bytes.length;
        int complete = completePrefix();
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, length - complete);
        length -= complete;
        return text;
    }

    /** Whatever is still held (an unfinished character becomes U+FFFD). */
    String flush() {
        String text = new String(pending, 0, length, StandardCharsets.UTF_8);
        length = 0;
        return text;
    }

    /** Bytes up to the start of a trailing lead byte that still lacks continuation bytes. */
    private int completePrefix() {
        for (int back = 1; back <= Math.min(3, length); back++) {
            int b = pending[length - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for its lead
            }
            int need = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            return need > back ? length - back : length;
        }
        return length;
    }
}
