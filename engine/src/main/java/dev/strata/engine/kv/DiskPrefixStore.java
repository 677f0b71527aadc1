package dev.strata.engine.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A {@link PrefixStore} in a directory, so a restarted engine keeps its warm prefixes (a shared
 * system prompt) — measured by {@code ./strata bench prefix-persist}.
 *
 * <p><b>Files.</b> One file per block, {@code <fingerprint>-<hash>.kvblock}, where the fingerprint
 * (the first 8 bytes, in hex, of a SHA-256 the engine computes over the model file and the KV
 * layout, see {@code dev.strata.engine.generate.ModelFingerprint}) keeps the blocks of different
 * models or storage types apart. Layout, little-endian: magic {@code "SKVB"}, version, the full
 * 32-byte fingerprint, the block hash, the payload length, the payload (the block's rows as
 * {@link KvRows#exportRows} writes them, layer by layer, keys then values), a CRC32C of the payload.
 * A file whose header, length or checksum does not match is ignored with a warning and deleted; one
 * of another model is never read (its name differs) but counts towards the size bound.
 *
 * <p><b>Writes are atomic:</b> a temporary file in the same directory, then a move over the final
 * name, so a crash leaves either no file or a whole one (stray temporaries are deleted at start).
 *
 * <p><b>Size bound.</b> The directory's {@code .kvblock} files never exceed {@code maxBytes}: before
 * a write, the least recently used files (by last read or write; at start, by modification time,
 * which reads refresh) are deleted until the new one fits.
 *
 * <p>Used by one thread (the engine loop, then {@code close}); two engines on one directory each
 * keep their own index, and a file the other deleted is just a miss.
 */
public final class DiskPrefixStore implements PrefixStore {
    /** Suffix of block files. */
    public static final String SUFFIX = ".kvblock";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int MAGIC = 0x42564B53; // "SKVB" little-endian
    private static final int VERSION = 1;
    private static final int FINGERPRINT_BYTES = 32;
    /** magic, version, fingerprint, hash, payload length. */
    static final int HEADER_BYTES = 4 + 4 + FINGERPRINT_BYTES + 8 + 4;
    static final int TRAILER_BYTES = 4;
    private static final System.Logger LOG = System.getLogger(DiskPrefixStore.class.getName());

    private final Path dir;
    private final long maxBytes;
    private final byte[] fingerprint;
    private final String namePrefix;
    /** Every block file of the directory with its size, least recently used first. */
    private final LinkedHashMap<Path, Long> files = new LinkedHashMap<>(16, 0.75f, true);
    /** Hashes of this model's blocks among {@link #files}. */
    private final Set<Long> ours = new HashSet<>();
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private volatile long totalBytes; // read by other threads for metrics and tests
    private long numReads;
    private long numWrites;

    /**
     * Opens (creating it if needed) {@code dir} and indexes its block files.
     *
     * @param fingerprint 32 bytes naming the model and KV layout whose blocks this store reads and writes
     * @throws UncheckedIOException when the directory cannot be created or listed
     */
    public DiskPrefixStore(Path dir, long maxBytes, byte[] fingerprint) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        if (fingerprint.length != FINGERPRINT_BYTES) {
            throw new IllegalArgumentException("fingerprint must be " + FINGERPRINT_BYTES + " bytes, got "
                    + fingerprint.length);
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.fingerprint = fingerprint.clone();
        this.namePrefix = HexFormat.of().formatHex(fingerprint, 0, 8) + "-";
        try {
            Files.createDirectories(dir);
            index();
        } catch (IOException e) {
            throw new UncheckedIOException("KV cache directory " + dir + ": " + e.getMessage(), e);
        }
        evictUntil(maxBytes);
    }

    private void index() throws IOException {
        record Found(Path path, long size, FileTime modified) {}
        List<Found> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX)) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(SUFFIX) && Files.isRegularFile(p)) {
                    found.add(new Found(p, Files.size(p), Files.getLastModifiedTime(p)));
                }
            }
        }
        found.sort((a, b) -> a.modified().compareTo(b.modified()));
        for (Found f : found) {
            files.put(f.path(), f.size());
            totalBytes += f.size();
            Long hash = ourHash(f.path());
            if (hash != null) {
                ours.add(hash);
            }
        }
    }

    /** The block hash a file of this model is named for, or null for another model's or a malformed name. */
    private Long ourHash(Path p) {
        String name = p.getFileName().toString();
        if (!name.startsWith(namePrefix) || name.length() != namePrefix.length() + 16 + SUFFIX.length()) {
            return null;
        }
        try {
            return HexFormat.fromHexDigitsToLong(name, namePrefix.length(), namePrefix.length() + 16);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Path file(long hash) {
        return dir.resolve(namePrefix + HexFormat.of().toHexDigits(hash) + SUFFIX);
    }

    @Override
    public boolean contains(long hash) {
        return ours.contains(hash);
    }

    @Override
    public boolean read(long hash, ByteBuffer dst) {
        if (!ours.contains(hash)) {
            return false;
        }
        Path p = file(hash);
        int length = dst.remaining();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            String problem = readChecked(ch, hash, dst, length);
            if (problem != null) {
                LOG.log(System.Logger.Level.WARNING, "ignoring KV cache file {0}: {1}", p, problem);
                forget(p, hash, true);
                return false;
            }
            files.get(p); // most recently used
            Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis()));
            numReads++;
            return true;
        } catch (NoSuchFileException e) {
            forget(p, hash, false);
            return false;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read KV cache file {0}: {1}", p, e.toString());
            forget(p, hash, false);
            return false;
        }
    }

    /** Reads and checks one file into {@code dst}; the problem found, or null. */
    private String readChecked(FileChannel ch, long hash, ByteBuffer dst, int length) throws IOException {
        long expectedSize = (long) HEADER_BYTES + length + TRAILER_BYTES;
        if (ch.size() != expectedSize) {
            return "size " + ch.size() + " bytes, expected " + expectedSize;
        }
        header.clear();
        readFully(ch, header);
        header.flip();
        if (header.getInt() != MAGIC || header.getInt() != VERSION) {
            return "not a Strata KV block file (or another version)";
        }
        byte[] fp = new byte[FINGERPRINT_BYTES];
        header.get(fp);
        if (!Arrays.equals(fp, fingerprint)) {
            return "written for another model or KV layout";
        }
        if (header.getLong() != hash || header.getInt() != length) {
            return "header names another block";
        }
        int start = dst.position();
        readFully(ch, dst);
        trailer.clear();
        readFully(ch, trailer);
        crc.reset();
        crc.update(dst.duplicate().position(start).limit(start + length));
        if ((int) crc.getValue() != trailer.getInt(0)) {
            return "checksum mismatch";
        }
        return null;
    }

    private static void readFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("truncated");
            }
        }
    }

    @Override
    public void write(long hash, ByteBuffer src) {
        if (ours.contains(hash)) {
            return; // the same prefix computed again: same rows
        }
        int length = src.remaining();
        long size = (long) HEADER_BYTES + length + TRAILER_BYTES;
        if (size > maxBytes) {
            return;
        }
        evictUntil(maxBytes - size);
        Path target = file(hash);
        Path temp = dir.resolve(target.getFileName() + "." + Long.toHexString(System.nanoTime()) + TEMP_SUFFIX);
        header.clear();
        header.putInt(MAGIC).putInt(VERSION).put(fingerprint).putLong(hash).putInt(length).flip();
        crc.reset();
        crc.update(src.duplicate());
        trailer.clear();
        trailer.putInt((int) crc.getValue()).flip();
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer[] parts = {header, src, trailer};
                while (trailer.hasRemaining()) {
                    ch.write(parts);
                }
            }
            move(temp, target);
            files.put(target, size);
            totalBytes += size;
            ours.add(hash);
            numWrites++;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write KV cache file {0}: {1}", target, e.toString());
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: a stray temporary is deleted at the next start
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes least recently used files until at most {@code limit} bytes remain. */
    private void evictUntil(long limit) {
        Iterator<Map.Entry<Path, Long>> it = files.entrySet().iterator();
        while (totalBytes > limit && it.hasNext()) {
            Map.Entry<Path, Long> e = it.next();
            it.remove();
            totalBytes -= e.getValue();
            Long hash = ourHash(e.getKey());
            if (hash != null) {
                ours.remove(hash);
            }
            try {
                Files.deleteIfExists(e.getKey());
            } catch (IOException ex) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete KV cache file {0}: {1}", e.getKey(), ex.toString());
            }
        }
    }

    private void forget(Path p, long hash, boolean delete) {
        Long size = files.remove(p);
        if (size != null) {
            totalBytes -= size;
        }
        ours.remove(hash);
        if (delete) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete KV cache file {0}: {1}", p, e.toString());
            }
        }
    }

    /** Bytes of block files in the directory, as indexed. */
    public long sizeBytes() {
        return totalBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Blocks of this model stored. */
    public int numBlocks() {
        return ours.size();
    }

    /** Blocks read back since start. */
    public long numReads() {
        return numReads;
    }

    /** Blocks written since start. */
    public long numWrites() {
        return numWrites;
    }
}
