package dev.strata.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryMetricsTest {

    @Test
    void readsKilobyteLinesAndIsNanWithoutTheFile(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmSize:\t 2048 kB\nVmRSS:\t     512 kB\n");
        ProcessMemoryMetrics metrics = new ProcessMemoryMetrics(status);
        assertThat(metrics.kilobytes("VmRSS")).isEqualTo(512);
        assertThat(metrics.kilobytes("VmSize")).isEqualTo(2048);
        assertThat(metrics.kilobytes("VmSwap")).isNaN();
        assertThat(new ProcessMemoryMetrics(dir.resolve("missing")).kilobytes("VmRSS")).isNaN();
    }
}
