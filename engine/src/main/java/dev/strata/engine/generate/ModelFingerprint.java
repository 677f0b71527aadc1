package dev.strata.engine.generate;

import dev.strata.engine.kv.KvCacheType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 that names a model's persisted KV blocks ({@link dev.strata.engine.kv.DiskPrefixStore}):
 * over the file size, the GGUF header and metadata (up to {@value #MAX_METADATA_BYTES} bytes), three
 * {@value #SAMPLE_BYTES}-byte samples of the tensor data (start, middle, end; two random-weight files
 * with the same shapes differ there), the KV storage type and the block size (which the chained
 * block hashes depend on). Reading it costs a few megabytes of I/O at most, not a pass over the weights.
 */
final class ModelFingerprint {
    static final int MAX_METADATA_BYTES = 16 << 20;
    static final int SAMPLE_BYTES = 64 << 10;

    private ModelFingerprint() {}

    static byte[] of(Path model, long dataOffset, KvCacheType type, int blockSize) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
            long size = ch.size();
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(0, size));
            update(sha, ch, 0, Math.min(dataOffset, MAX_METADATA_BYTES));
            long data = Math.max(0, size - dataOffset);
            update(sha, ch, dataOffset, Math.min(SAMPLE_BYTES, data));
            update(sha, ch, dataOffset + data / 2, Math.min(SAMPLE_BYTES, data - data / 2));
            update(sha, ch, Math.max(dataOffset, size - SAMPLE_BYTES), Math.min(SAMPLE_BYTES, data));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + model + " for its fingerprint: " + e.getMessage(), e);
        }
        sha.update((type.cliName() + "/" + blockSize).getBytes(StandardCharsets.UTF_8));
        return sha.digest();
    }

    private static void update(MessageDigest sha, FileChannel ch, long from, long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining()) {
            if (ch.read(buffer, from + buffer.position()) < 0) {
                break;
            }
        }
        sha.update(buffer.flip());
    }
}
