package dev.strata.server.hub;

import dev.strata.server.GatewayException.UpstreamFailed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Downloads one hub file into a directory: bytes go to {@code NAME.part}, which survives an
 * interruption and is resumed with a {@code Range} request next time; the finished file's sha256 is
 * checked against the hub's LFS id before it is renamed into place, and a mismatch deletes it.
 */
public final class Downloader {
    private static final int BUFFER_BYTES = 1 << 16;

    /** Told how far a download is. */
    @FunctionalInterface
    public interface Progress {
        void update(long doneBytes, long totalBytes);
    }

    private final HubClient hub;

    public Downloader(HubClient hub) {
        this.hub = hub;
    }

    /** Downloads {@code file} to {@code dir}, resuming a partial download; returns the final path. */
    public Path download(String repo, String revision, HubFile file, Path dir, Progress progress) {
        Path target = dir.resolve(file.fileName());
        Path part = dir.resolve(file.fileName() + ".part");
        try {
            Files.createDirectories(dir);
            if (Files.isRegularFile(target) && Files.size(target) == file.sizeBytes()
                    && (file.sha256() == null || file.sha256().equals(sha256(target)))) {
                progress.update(file.sizeBytes(), file.sizeBytes());
                return target;
            }
            long offset = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (offset > file.sizeBytes()) {
                Files.delete(part);
                offset = 0;
            }
            if (offset < file.sizeBytes() || file.sizeBytes() == 0) {
                fetch(repo, revision, file, part, offset, progress);
            }
            if (Files.size(part) != file.sizeBytes()) {
                throw new UpstreamFailed("download of " + file.path() + " stopped at " + Files.size(part) + " of "
                        + file.sizeBytes() + " bytes; run the command again to resume");
            }
            if (file.sha256() != null) {
                String actual = sha256(part);
                if (!actual.equalsIgnoreCase(file.sha256())) {
                    Files.delete(part);
                    throw new UpstreamFailed("sha256 of " + file.path() + " is " + actual + " but the hub says "
                            + file.sha256() + "; the corrupt download was deleted, run the command again");
                }
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + part + ": " + e.getMessage(), e);
        }
    }

    private void fetch(String repo, String revision, HubFile file, Path part, long offset, Progress progress)
            throws IOException {
        HttpResponse<InputStream> r = hub.open(repo, revision, file, offset);
        boolean resumed = r.statusCode() == 206;
        long done = resumed ? offset : 0;
        StandardOpenOption mode = resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (InputStream in = r.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            int n;
            progress.update(done, file.sizeBytes());
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                done += n;
                progress.update(done, file.sizeBytes());
            }
        } catch (IOException e) {
            // keep the .part file for the next attempt; the size check above reports how far it got
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
