package dev.strata.server.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.auth.Caller;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeteredAdmissionTest {
    private final List<String> heard = new ArrayList<>();
    private final AdmissionMeter meter = new AdmissionMeter() {
        @Override
        public void refused(String tenant, String reason) {
            heard.add("refused " + tenant + " " + reason);
        }

        @Override
        public void admitted(String tenant, long queuedNanos) {
            heard.add("admitted " + tenant + " " + queuedNanos);
        }
    };

    private void admit(Decision decision) {
        assertThat(new MeteredAdmission(r -> decision, meter).admit(new AdmissionRequest(Caller.ANONYMOUS, "m", 1, 1,
                0))).isSameAs(decision);
    }

    @Test
    void eachOutcomeIsReportedWithItsReasonAndTheDecisionPassesThrough() {
        admit(new Decision.Admitted(new Decision.Permit() {
            @Override
            public long queuedNanos() {
                return 42;
            }

            @Override
            public void close() {}
        }, 0));
        admit(new Decision.Rejected(Decision.Limit.TPM, "x", 1));
        admit(new Decision.Unavailable(Decision.Limit.QUEUE_TIMEOUT, "x", 1));
        admit(new Decision.Forbidden("x"));
        admit(new Decision.Invalid("x", "max_tokens"));
        admit(new Decision.Downgraded("small", "x"));
        assertThat(heard).containsExactly("admitted null 42", "refused null tpm", "refused null queue_timeout",
                "refused null model_not_allowed", "refused null max_tokens");
    }
}
