package dev.strata.server.testengine;

import dev.strata.engine.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A tokenizer for tests: one token per UTF-8 byte (ids 0..255), then BOS 256 and EOS 257. */
public final class ByteTokenizer implements Tokenizer {
    public static final int BOS = 256;
    public static final int EOS = 257;

    @Override
    public int vocabSize() {
        return 258;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int offset = addSpecial ? 1 : 0;
        int[] ids = new int[bytes.length + offset];
        if (addSpecial) {
            ids[0] = BOS;
        }
        for (int i = 0; i < bytes.length; i++) {
            ids[i + offset] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public byte[] tokenBytes(int id) {
        return id < 256 ? new byte[] {(byte) id} : new byte[0];
    }

    @Override
    public String piece(int id) {
        return id == BOS ? "<s>" : id == EOS ? "</s>" : new String(tokenBytes(id), StandardCharsets.ISO_8859_1);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(tokenBytes(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == EOS;
    }

    @Override
    public boolean isSpecial(int id) {
        return id >= 256;
    }
}
