package dev.strata.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parsing of /proc/PID/stat and /proc/PID/status. */
class ProcessUsageTest {
    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheNameHasSpacesAndParentheses() {
        String stat = "4242 (node (v20) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 731 95 0 0 20 0 11 0 123 1 2";
        assertThat(ProcessUsage.ticksOf(stat)).isEqualTo(731 + 95);
    }

    @Test
    void rssIsVmRssInBytes() {
        String status = "Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t   96256 kB\nThreads:\t30\n";
        assertThat(ProcessUsage.rssOf(status)).isEqualTo(96256L * 1024);
    }

    @Test
    void thisProcessHasCpuAndMemory() throws Exception {
        if (!ProcessUsage.available()) {
            return; // not Linux
        }
        ProcessUsage.Sample s = ProcessUsage.fromSystem().sample(ProcessHandle.current());
        assertThat(s.cpuNanos()).isPositive();
        assertThat(s.rssBytes()).isGreaterThan(1L << 20);
    }
}
