package dev.strata.bench.speed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, {@code VmRSS} of {@code /proc/self/status} (Linux): heap, code and
 * every page of a mapped file that has been touched. Right after a model is loaded it shows whether the
 * loader read the weights eagerly (RSS near the file size) or mapped them and touched only metadata.
 */
public final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    private ResidentMemory() {}

    /** Resident bytes now, or -1 where {@code /proc/self/status} has no {@code VmRSS} line. */
    public static long bytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return parseKiloBytes(line.substring("VmRSS:".length())) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Resident bytes of this process's mappings of {@code file} (the {@code Rss} lines of
     * {@code /proc/self/smaps} under the mappings whose path is that file), or -1 where smaps cannot be
     * read. Unlike {@link #bytes} it does not move with the heap or with other work in the process.
     */
    public static long mappedBytes(Path file) {
        String path = file.toAbsolutePath().normalize().toString();
        long kiloBytes = 0;
        boolean inFile = false;
        try {
            for (String line : Files.readAllLines(SMAPS)) {
                if (isMappingHeader(line)) {
                    inFile = line.endsWith(" " + path);
                } else if (inFile && line.startsWith("Rss:")) {
                    kiloBytes += parseKiloBytes(line.substring("Rss:".length()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return kiloBytes * 1024;
    }

    /** A mapping's first line in smaps starts with its address range, {@code "7f..-7f.. r--s ..."}. */
    private static boolean isMappingHeader(String line) {
        int dash = line.indexOf('-');
        int space = line.indexOf(' ');
        return dash > 0 && space > dash && line.chars().limit(dash).allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** {@code "   123456 kB"} → 123456. */
    static long parseKiloBytes(String value) {
        String v = value.strip();
        if (!v.endsWith("kB")) {
            throw new IllegalArgumentException("VmRSS not in kB: " + value);
        }
        return Long.parseLong(v.substring(0, v.length() - 2).strip());
    }
}
