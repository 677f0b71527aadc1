package dev.strata.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: byte-level BPE vocabularies spell every byte as a printable
 * character (printable Latin-1 bytes as themselves, the other 68 bytes as U+0100 onwards), so
 * {@code "Ġthe"} is the bytes {@code " the"}. Radford et al., 2019, "Language Models are
 * Unsupervised Multitask Learners", and OpenAI's {@code encoder.py}.
 */
final class ByteLevel {
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            char c = printable ? (char) b : (char) next++;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The byte {@code c} spells, or -1 when {@code c} is not one of the 256 byte characters. */
    static int byteOf(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The bytes {@code piece} spells, or null if it has a character outside the table. */
    static byte[] decodeStrict(String piece) {
        byte[] out = new byte[piece.length()];
        for (int i = 0; i < piece.length(); i++) {
            int b = byteOf(piece.charAt(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /** The bytes {@code piece} spells; characters outside the table stand for their own UTF-8. */
    static byte[] decodeLenient(String piece) {
        byte[] strict = decodeStrict(piece);
        if (strict != null) {
            return strict;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length() + 8);
        piece.codePoints().forEach(cp -> {
            int b = byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }
}
