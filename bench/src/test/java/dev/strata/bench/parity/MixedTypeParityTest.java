package dev.strata.bench.parity;

import org.junit.jupiter.api.parallel.ResourceLock;
import dev.strata.bench.peer.PeerLock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.bench.gen.BlockEncoder;
import dev.strata.bench.gen.ModelGenerator;
import dev.strata.bench.gen.ModelShape;
import dev.strata.bench.gen.TensorRole;
import dev.strata.bench.gen.Vocab;
import dev.strata.bench.gen.WeightType;
import dev.strata.bench.peer.LlamaCppPeer;
import dev.strata.bench.peer.TokenProb;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.ContiguousKvCache;
import dev.strata.engine.kv.KvCache;
import dev.strata.engine.model.ForwardBatch;
import dev.strata.engine.model.ForwardState;
import dev.strata.engine.model.Model;
import dev.strata.engine.model.ModelConfig;
import dev.strata.engine.tensor.ComputePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diagnosis of the parity misses, on demand: {@code -Dstrata.parity.mixed=Q8_0,Q5_0} writes, for each
 * listed type and each matrix role, a tiny-llama3 file that is F32 except that role in that type,
 * and compares four evaluations of prompt + llama.cpp's greedy continuation: Strata and llama.cpp,
 * each in one batch and one token at a time. The table (max |Δp| over the top-10 union, every
 * position) goes to {@code target/parity/mixed-types.md}: it shows which matmul moves a result and
 * whether llama.cpp's own two paths disagree as much (see docs/benchmarks.md).
 */
@ResourceLock(PeerLock.LLAMA_CPP)
@EnabledIfSystemProperty(named = "strata.parity.mixed", matches = ".+")
class MixedTypeParityTest {
    static final List<TensorRole> ROLES = List.of(TensorRole.TOKEN_EMBEDDING, TensorRole.ATTENTION_Q,
            TensorRole.ATTENTION_K, TensorRole.ATTENTION_V, TensorRole.ATTENTION_OUTPUT, TensorRole.FFN_GATE,
            TensorRole.FFN_UP, TensorRole.FFN_DOWN);

    @Test
    void oneRoleAtATime(@TempDir Path dir) throws IOException {
        Vocab vocab = Vocab.fromGguf(Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf"));
        StringBuilder table = new StringBuilder("| tiny-llama3 F32 but | Strata vs llama.cpp, batch | Strata vs llama.cpp,"
                + " one token | llama.cpp batch vs one token | Strata batch vs one token |\n|---|---|---|---|---|\n");
        for (String typeName : System.getProperty("strata.parity.mixed").split(",")) {
            GgmlType type = GgmlType.valueOf(typeName.trim().toUpperCase(Locale.ROOT));
            for (TensorRole role : ROLES) {
                Path file = dir.resolve(role + "-" + type + ".gguf");
                new ModelGenerator(BlockEncoder.strata(), 1).generate(ModelShape.named("tiny-llama3"), WeightType.F32,
                        Map.of(role, type), vocab, 2024, file);
                double[] d = fourWays(file);
                for (double v : d) {
                    assertThat(v).as(role + " in " + type).isLessThanOrEqualTo(LlamaCppParityTest.SAME_FILE_BOUND);
                }
                table.append(String.format(Locale.ROOT, "| %s in %s | %.1e | %.1e | %.1e | %.1e |%n", role, type,
                        d[0], d[1], d[2], d[3]));
            }
        }
        Path out = Path.of("target", "parity");
        Files.createDirectories(out);
        Files.writeString(out.resolve("mixed-types.md"), table);
    }

    /** Strata-vs-llama.cpp batched, one token each, llama.cpp batch-vs-one, Strata batch-vs-one. */
    private static double[] fourWays(Path file) {
        int[] prompt = LlamaCppParityTest.PROMPT;
        int steps = LlamaCppParityTest.STEPS;
        int context = prompt.length + steps;
        int[] sequence;
        List<float[]> llamaBatch;
        List<float[]> llamaOne;
        try (LlamaCppPeer peer = LlamaCppPeer.open(file, LlamaCppPeer.Options.forParity(1, context))) {
            int[] generated = peer.generate(prompt, steps, 0).generated();
            sequence = Arrays.copyOf(prompt, context - 1);
            System.arraycopy(generated, 0, sequence, prompt.length, steps - 1);
            llamaBatch = peer.logitsAtEveryPosition(sequence);
        }
        try (LlamaCppPeer peer = LlamaCppPeer.open(file,
                new LlamaCppPeer.Options(1, context, 1, LlamaCppPeer.KvCacheType.F32))) {
            llamaOne = peer.logitsAtEveryPosition(sequence);
        }
        List<float[]> strataBatch = new ArrayList<>();
        List<float[]> strataOne;
        try (GgufFile gguf = GgufFile.open(file); ComputePool pool = new ComputePool(1)) {
            Model model = Model.load(gguf, pool);
            int vocab = model.config().vocabSize();
            float[] all = ParityCheck.logitsAtEveryPosition(model, sequence);
            for (int p = 0; p < sequence.length; p++) {
                strataBatch.add(Arrays.copyOfRange(all, p * vocab, (p + 1) * vocab));
            }
            strataOne = oneTokenAtATime(model, sequence);
        }
        return new double[] {maxDiff(strataBatch, llamaBatch), maxDiff(strataOne, llamaOne),
                maxDiff(llamaBatch, llamaOne), maxDiff(strataBatch, strataOne)};
    }

    private static List<float[]> oneTokenAtATime(Model model, int[] tokens) {
        ModelConfig c = model.config();
        KvCache cache = new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), tokens.length);
        ForwardState state = model.newState(1, 1);
        ForwardBatch batch = new ForwardBatch(1);
        List<float[]> rows = new ArrayList<>();
        for (int p = 0; p < tokens.length; p++) {
            batch.clear();
            batch.add(tokens[p], p, cache);
            batch.requestLogits();
            rows.add(model.forward(batch, state).clone());
        }
        cache.release();
        return rows;
    }

    private static double maxDiff(List<float[]> a, List<float[]> b) {
        double max = 0;
        for (int p = 0; p < a.size(); p++) {
            double[] pa = ParityCheck.softmax(a.get(p));
            double[] pb = ParityCheck.softmax(b.get(p));
            Set<Integer> ids = new HashSet<>();
            for (TokenProb t : TokenProb.top(a.get(p), 10)) {
                ids.add(t.token());
            }
            for (TokenProb t : TokenProb.top(b.get(p), 10)) {
                ids.add(t.token());
            }
            for (int id : ids) {
                max = Math.max(max, Math.abs(pa[id] - pb[id]));
            }
        }
        return max;
    }
}
