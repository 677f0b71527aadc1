package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallObserverTest {

    @Test
    void rejectReasonsBecomeBoundedCodes() {
        assertThat(CallObserver.rejectCode("server is at its limit of 64 concurrent requests")).isEqualTo("concurrency");
        assertThat(CallObserver.rejectCode("tenant acme exceeded 60 requests per minute")).isEqualTo("rate_limit");
        assertThat(CallObserver.rejectCode("monthly budget of tenant acme is spent")).isEqualTo("quota");
        assertThat(CallObserver.rejectCode("priority queue is full")).isEqualTo("queue_full");
        assertThat(CallObserver.rejectCode(null)).isEqualTo("other");
    }

    @Test
    void costsArePlainDecimals() {
        assertThat(CallObserver.formatUsd(0.0000021)).isEqualTo("0.0000021");
        assertThat(CallObserver.formatUsd(0)).isEqualTo("0");
        assertThat(CallObserver.formatUsd(12.5)).isEqualTo("12.5");
    }
}
