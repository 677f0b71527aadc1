package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskPrefixStoreTest {
    private static final int BLOCK = 1000;
    private static final long FILE = DiskPrefixStore.HEADER_BYTES + BLOCK + DiskPrefixStore.TRAILER_BYTES;
    private static final byte[] MODEL_A = fingerprint(1);
    private static final byte[] MODEL_B = fingerprint(2);

    @TempDir
    Path dir;

    @Test
    void blocksSurviveANewInstance() {
        DiskPrefixStore store = new DiskPrefixStore(dir, 1 << 20, MODEL_A);
        store.write(42, block(7));
        store.write(-3, block(8));
        DiskPrefixStore again = new DiskPrefixStore(dir, 1 << 20, MODEL_A);
        assertThat(again.contains(42)).isTrue();
        assertThat(again.contains(-3)).isTrue();
        assertThat(again.contains(43)).isFalse();
        assertThat(read(again, 42)).isEqualTo(block(7).array());
        assertThat(read(again, -3)).isEqualTo(block(8).array());
        assertThat(again.sizeBytes()).isEqualTo(2 * FILE);
        assertThat(again.numReads()).isEqualTo(2);
    }

    @Test
    void theDirectoryStaysWithinItsBoundDeletingTheLeastRecentlyUsed() throws IOException {
        DiskPrefixStore store = new DiskPrefixStore(dir, 3 * FILE + 10, MODEL_A);
        store.write(1, block(1));
        store.write(2, block(2));
        store.write(3, block(3));
        assertThat(read(store, 1)).isNotNull(); // 1 is now more recent than 2
        store.write(4, block(4));
        assertThat(store.contains(2)).isFalse();
        assertThat(store.contains(1)).isTrue();
        for (int i = 5; i < 40; i++) {
            store.write(i, block(i));
            assertThat(directoryBytes()).isLessThanOrEqualTo(3 * FILE + 10);
        }
        assertThat(store.numBlocks()).isEqualTo(3);
        assertThat(store.contains(39)).isTrue();
        // a smaller bound at the next start deletes the oldest files at once
        DiskPrefixStore smaller = new DiskPrefixStore(dir, FILE, MODEL_A);
        assertThat(directoryBytes()).isLessThanOrEqualTo(FILE);
        assertThat(smaller.numBlocks()).isEqualTo(1);
        // a block larger than the whole bound is not written
        new DiskPrefixStore(dir, FILE - 1, MODEL_A).write(100, block(100));
        assertThat(files()).noneMatch(p -> p.getFileName().toString().contains("0000000000000064"));
    }

    @Test
    void corruptTruncatedAndForeignFilesAreIgnoredNotFatal() throws IOException {
        DiskPrefixStore store = new DiskPrefixStore(dir, 1 << 20, MODEL_A);
        store.write(1, block(1));
        store.write(2, block(2));
        store.write(3, block(3));
        store.write(4, block(4));
        List<Path> written = files();
        flipByte(fileOf(written, 1), DiskPrefixStore.HEADER_BYTES + 10);      // payload bit rot
        try (RandomAccessFile f = new RandomAccessFile(fileOf(written, 2).toFile(), "rw")) {
            f.setLength(FILE - 7);                                            // truncated
        }
        flipByte(fileOf(written, 3), 0);                                      // not our magic
        Path foreign = fileOf(written, 4).resolveSibling(fileOf(written, 4).getFileName().toString()
                .replace("0000000000000004", "0000000000000005"));
        Files.copy(fileOf(written, 4), foreign);                              // header names another block
        Files.writeString(dir.resolve("half-written.kvblock.123.tmp"), "x"); // a crash mid-write

        DiskPrefixStore reopened = new DiskPrefixStore(dir, 1 << 20, MODEL_A);
        assertThat(Files.exists(dir.resolve("half-written.kvblock.123.tmp"))).isFalse();
        for (long hash : new long[] {1, 2, 3, 5}) {
            assertThat(reopened.contains(hash)).isTrue();
            assertThat(reopened.read(hash, ByteBuffer.allocate(BLOCK))).as("block " + hash).isFalse();
            assertThat(reopened.contains(hash)).isFalse();
        }
        assertThat(read(reopened, 4)).isEqualTo(block(4).array());
        assertThat(files()).hasSize(1);                                       // the bad ones were deleted
        assertThat(reopened.read(4, ByteBuffer.allocate(BLOCK + 1))).as("another block size").isFalse();
    }

    @Test
    void anotherModelsBlocksAreNeverReadButCountTowardsTheBound() {
        DiskPrefixStore a = new DiskPrefixStore(dir, 2 * FILE, MODEL_A);
        a.write(1, block(1));
        DiskPrefixStore b = new DiskPrefixStore(dir, 2 * FILE, MODEL_B);
        assertThat(b.contains(1)).isFalse();
        assertThat(b.sizeBytes()).isEqualTo(FILE);
        b.write(1, block(9));
        b.write(2, block(10));                                                // evicts model A's file
        assertThat(b.sizeBytes()).isEqualTo(2 * FILE);
        assertThat(new DiskPrefixStore(dir, 2 * FILE, MODEL_A).contains(1)).isFalse();
        assertThat(read(b, 1)).isEqualTo(block(9).array());
    }

    private static byte[] fingerprint(int seed) {
        byte[] fp = new byte[32];
        Arrays.fill(fp, (byte) seed);
        return fp;
    }

    private static ByteBuffer block(int seed) {
        byte[] bytes = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return ByteBuffer.wrap(bytes);
    }

    private static byte[] read(DiskPrefixStore store, long hash) {
        ByteBuffer dst = ByteBuffer.allocate(BLOCK);
        return store.read(hash, dst) ? dst.array() : null;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private long directoryBytes() throws IOException {
        long sum = 0;
        for (Path p : files()) {
            sum += Files.size(p);
        }
        return sum;
    }

    private static Path fileOf(List<Path> files, long hash) {
        String hex = String.format("%016x", hash);
        return files.stream().filter(p -> p.getFileName().toString().contains("-" + hex)).findFirst().orElseThrow();
    }

    private static void flipByte(Path p, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x55);
        }
    }
}
