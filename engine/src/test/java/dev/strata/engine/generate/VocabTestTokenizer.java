package dev.strata.engine.generate;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A decode-only tokenizer over a GGUF vocabulary's pieces ({@code ▁} = space, {@code <0xNN>} = a
 * byte), or over explicit byte strings; enough to test the engine without the real tokenizers.
 */
final class VocabTestTokenizer implements Tokenizer {
    private final byte[][] bytes;
    private final String[] pieces;
    private final int bos;
    private final int eos;

    VocabTestTokenizer(String[] pieces, int bos, int eos) {
        this.pieces = pieces;
        this.bos = bos;
        this.eos = eos;
        this.bytes = new byte[pieces.length][];
        for (int i = 0; i < pieces.length; i++) {
            String p = pieces[i];
            if (i == bos || i == eos || p.equals("<unk>")) {
                bytes[i] = new byte[0];
            } else if (p.length() == 6 && p.startsWith("<0x") && p.endsWith(">")) {
                bytes[i] = new byte[] {(byte) Integer.parseInt(p.substring(3, 5), 16)};
            } else {
                bytes[i] = p.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    static VocabTestTokenizer of(GgufFile gguf) {
        String[] pieces = (String[]) gguf.getArray("tokenizer.ggml.tokens").orElseThrow().values();
        return new VocabTestTokenizer(pieces, gguf.getInt("tokenizer.ggml.bos_token_id").orElse(1),
                gguf.getInt("tokenizer.ggml.eos_token_id").orElse(2));
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        throw new UnsupportedOperationException("decode-only test tokenizer");
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytes[id].clone();
    }

    @Override
    public String piece(int id) {
        return pieces[id];
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(bytes[id]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == eos;
    }

    @Override
    public boolean isSpecial(int id) {
        return id == bos || id == eos;
    }
}
