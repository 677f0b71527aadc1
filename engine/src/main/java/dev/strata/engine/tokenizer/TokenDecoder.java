package dev.strata.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Streaming detokenizer: feed it ids as a model produces them and it returns the text that is
 * complete so far, holding back the bytes of a UTF-8 character split across tokens (byte-level
 * BPE and SentencePiece byte fallback both split characters). Malformed bytes come out as U+FFFD,
 * exactly as decoding all bytes at once would give. One instance per sequence; not thread-safe.
 *
 * <p>For vocabularies that {@link Tokenizer#addsSpacePrefix() add a space prefix}, the one space
 * the encoder put before text at the start or after a special token is dropped again.
 */
public final class TokenDecoder {
    private final Tokenizer tokenizer;
    private final boolean stripSpacePrefix;
    private byte[] pending = new byte[16];
    private int pendingLength;
    private boolean atTextStart = true;

    public TokenDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.stripSpacePrefix = tokenizer.addsSpacePrefix();
    }

    /** The text that token {@code id} completes; empty while a character is still incomplete. */
    public String next(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        int from = 0;
        if (stripSpacePrefix) {
            if (tokenizer.isSpecial(id)) {
                atTextStart = true;
            } else if (bytes.length > 0) {
                if (atTextStart && bytes[0] == ' ') {
                    from = 1;
                }
                atTextStart = false;
            }
        }
        append(bytes, from);
        int complete = completePrefix();
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Whatever is held back (an incomplete character at the end becomes U+FFFD); resets the decoder. */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        atTextStart = true;
        return text;
    }

    /** True while bytes of an incomplete character are held back. */
    public boolean hasPending() {
        return pendingLength > 0;
    }

    private void append(byte[] bytes, int from) {
        int n = bytes.length - from;
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
        System.arraycopy(bytes, from, pending, pendingLength, n);
        pendingLength += n;
    }

    /**
     * Length of the longest prefix of {@code pending} that ends on a character boundary: only a
     * valid lead byte followed by too few continuation bytes (so far) is held back.
     */
    private int completePrefix() {
        int i = 0;
        while (i < pendingLength) {
            int lead = pending[i] & 0xFF;
            int need = lead < 0xC2 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF5 ? 4 : 1;
            int j = i + 1;
            while (j < i + need && j < pendingLength && (pending[j] & 0xC0) == 0x80) {
                j++;
            }
            if (j < i + need && j == pendingLength) {
                return i; // a character still waiting for its continuation bytes
            }
            i = j;
        }
        return i;
    }
}
