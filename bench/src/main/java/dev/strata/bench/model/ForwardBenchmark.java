package dev.strata.bench.model;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.ContiguousKvCache;
import dev.strata.engine.model.ForwardBatch;
import dev.strata.engine.model.ForwardState;
import dev.strata.engine.model.Model;
import dev.strata.engine.model.ModelConfig;
import dev.strata.engine.tensor.ComputePool;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One forward pass of a demo model ({@code models/<model>.gguf}, found under
 * {@code -Dstrata.models.dir}, default {@code models}): {@link #decode} is one token at position
 * {@code position} (the KV cache holds the positions before it), the work of one decode step;
 * {@link #prefill} is a chunk of {@code chunk} prompt tokens from position 0. Decode tokens/s =
 * 1e6 / (µs per op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ForwardBenchmark {
    @Param({"stories260K", "stories260K-q8_0"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    @Param({"128"})
    public int position;

    @Param({"64"})
    public int chunk;

    private GgufFile gguf;
    private ComputePool pool;
    private Model forward;
    private ContiguousKvCache cache;
    private ForwardBatch single;
    private ForwardBatch prompt;
    private ForwardState state;

    @Setup
    public void setUp() {
        gguf = GgufFile.open(Path.of(System.getProperty("strata.models.dir", "models"), model + ".gguf"));
        pool = new ComputePool(threads);
        forward = Model.load(gguf, pool);
        ModelConfig c = forward.config();
        cache = new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), Math.max(position + 1, chunk));
        state = forward.newState(Math.max(chunk, 1), 1);
        single = new ForwardBatch(1);
        prompt = new ForwardBatch(chunk);
        for (int p = 0; p < chunk; p++) {
            prompt.add(1 + p % 300, p, cache);
        }
        prompt.requestLogits();
        for (int p = 0; p < position; p++) { // fill the cache up to the decode position
            single.clear();
            single.add(1 + p % 300, p, cache);
            forward.forward(single, state);
        }
        single.clear();
        single.add(42, position, cache);
        single.requestLogits();
    }

    @TearDown
    public void tearDown() {
        pool.close();
        gguf.close();
    }

    @Benchmark
    public float decode() {
        return forward.forward(single, state)[0];
    }

    @Benchmark
    public float prefill() {
        return forward.forward(prompt, state)[0];
    }
}
