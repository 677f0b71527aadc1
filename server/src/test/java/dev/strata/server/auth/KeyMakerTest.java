package dev.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.tenant.Quota;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyMakerTest {
    private final KeyMaker maker = new KeyMaker(new SecureRandom());

    @Test
    void keyTextParsesBackAndMatchesOnlyItsOwnSecret() {
        KeyMaker.NewKey made = maker.create("acme", Quota.NONE, Instant.EPOCH);
        assertThat(made.text()).startsWith("sk-strata-" + made.key().id() + "_");
        KeyMaker.Parsed parsed = KeyMaker.parse(made.text()).orElseThrow();
        assertThat(parsed.id()).isEqualTo(made.key().id());
        assertThat(KeyMaker.matches(made.key(), parsed.secret())).isTrue();
        assertThat(KeyMaker.matches(made.key(), parsed.secret() + "x")).isFalse();
        assertThat(made.key().hashHex()).doesNotContain(parsed.secret());
    }

    @Test
    void saltsDifferSoEqualSecretsWouldNotShareHashes() {
        KeyMaker.NewKey a = maker.create("acme", Quota.NONE, Instant.EPOCH);
        KeyMaker.NewKey b = maker.create("acme", Quota.NONE, Instant.EPOCH);
        assertThat(a.key().saltHex()).isNotEqualTo(b.key().saltHex());
        assertThat(a.key().id()).isNotEqualTo(b.key().id());
    }

    @Test
    void rejectsTextsThatAreNotOurKeys() {
        assertThat(KeyMaker.parse(null)).isEmpty();
        assertThat(KeyMaker.parse("sk-proj-abc")).isEmpty();
        assertThat(KeyMaker.parse("sk-strata-short_x")).isEmpty();
        assertThat(KeyMaker.parse("sk-strata-0123456789ab_")).isEmpty();
    }
}
