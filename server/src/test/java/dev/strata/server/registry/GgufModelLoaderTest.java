package dev.strata.server.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.generate.KvCacheDisk;
import dev.strata.engine.kv.KvCacheType;
import dev.strata.server.config.ServingOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GgufModelLoaderTest {

    @Test
    void eachModelPersistsItsPrefixCacheInItsOwnSubdirectory() {
        Path dir = Path.of("/var/cache/strata");
        ServingOptions s = new ServingOptions(0, null, null, null, null, KvCacheType.Q8_0, dir, 0);
        assertThat(GgufModelLoader.kvCacheDisk(s, "qwen2.5-0.5b")).isEqualTo(
                new KvCacheDisk(dir.resolve("qwen2.5-0.5b"), KvCacheDisk.DEFAULT_MAX_BYTES));
        assertThat(GgufModelLoader.kvCacheDisk(s, "org/model:v1").dir()).isEqualTo(dir.resolve("org_model_v1"));
        assertThat(GgufModelLoader.kvCacheDisk(s, "..").dir()).isEqualTo(dir.resolve("_.."));
        ServingOptions bounded = new ServingOptions(0, null, null, null, null, null, dir, 5000);
        assertThat(GgufModelLoader.kvCacheDisk(bounded, "m").maxBytes()).isEqualTo(5000);
        assertThat(GgufModelLoader.kvCacheDisk(ServingOptions.DEFAULTS, "m")).isNull();
    }
}
