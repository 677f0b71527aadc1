package dev.strata.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code strata_process_resident_memory_bytes} and {@code strata_process_virtual_memory_bytes}
 * from Linux's {@code /proc/self/status} ({@code VmRSS}, {@code VmSize}); NaN where that file does
 * not exist. Resident memory includes the pages of the memory-mapped model that are in RAM.
 */
final class ProcessMemoryMetrics implements MeterBinder {
    private final Path status;

    ProcessMemoryMetrics(Path status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("strata.process.resident.memory", this, m -> m.kilobytes("VmRSS") * 1024)
                .baseUnit("bytes").description("Resident set size of the process (Linux VmRSS)")
                .strongReference(true).register(registry);
        Gauge.builder("strata.process.virtual.memory", this, m -> m.kilobytes("VmSize") * 1024)
                .baseUnit("bytes").description("Virtual memory size of the process (Linux VmSize)")
                .strongReference(true).register(registry);
    }

    /** The {@code key:  123 kB} line's number, or NaN. */
    double kilobytes(String key) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(key + ":")) {
                    String[] parts = line.substring(key.length() + 1).strip().split("\\s+");
                    return Double.parseDouble(parts[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
