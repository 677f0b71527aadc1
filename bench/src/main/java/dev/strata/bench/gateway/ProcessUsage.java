package dev.strata.bench.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and resident memory of a process and its descendants, read from Linux's {@code /proc}
 * ({@code stat}: utime + stime in clock ticks; {@code status}: VmRSS).
 */
public final class ProcessUsage {
    /** One reading: CPU used since the process started, and resident memory now. */
    public record Sample(long cpuNanos, long rssBytes) {}

    private final long ticksPerSecond;

    /** @param ticksPerSecond the kernel's clock ticks per second ({@code getconf CLK_TCK}) */
    public ProcessUsage(long ticksPerSecond) {
        if (ticksPerSecond <= 0) {
            throw new IllegalArgumentException("ticksPerSecond must be > 0, got " + ticksPerSecond);
        }
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Uses {@code getconf CLK_TCK}, or 100 (the usual value) when that cannot be run. */
    public static ProcessUsage fromSystem() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return new ProcessUsage(Long.parseLong(out));
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the usual value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcessUsage(100);
    }

    /** Whether {@code /proc} can be read here (Linux). */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** The process's CPU and RSS, summed with those of its live descendants. */
    public Sample sample(ProcessHandle process) throws IOException {
        long ticks = ticks(process.pid());
        long rss = rssBytes(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            try {
                ticks += ticks(child.pid());
                rss += rssBytes(child.pid());
            } catch (IOException e) {
                // exited in between
            }
        }
        return new Sample(ticks * 1_000_000_000L / ticksPerSecond, rss);
    }

    /** The process's CPU and RSS, without its descendants. */
    public Sample sampleOwn(ProcessHandle process) throws IOException {
        return new Sample(ticks(process.pid()) * 1_000_000_000L / ticksPerSecond, rssBytes(process.pid()));
    }

    /** utime + stime: fields 14 and 15 of /proc/PID/stat (counted after the parenthesised name). */
    static long ticksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** VmRSS of /proc/PID/status, in bytes (0 when absent, as for a zombie). */
    static long rssOf(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String kb = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
                return Long.parseLong(kb) * 1024;
            }
        }
        return 0;
    }

    private static long ticks(long pid) throws IOException {
        return ticksOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    private static long rssBytes(long pid) throws IOException {
        return rssOf(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }
}
