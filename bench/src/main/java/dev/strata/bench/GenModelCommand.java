package dev.strata.bench;

import dev.strata.bench.gen.BlockEncoder;
import dev.strata.bench.gen.ModelGenerator;
import dev.strata.bench.gen.ModelShape;
import dev.strata.bench.gen.Vocab;
import dev.strata.bench.gen.VocabLocator;
import dev.strata.bench.gen.WeightType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata bench gen-model}: a random-weight GGUF with the exact shapes of a real model. */
@Command(name = "gen-model", mixinStandardHelpOptions = true,
        description = {"Writes a random-weight GGUF with the exact shapes of a real model and a real vocabulary.",
            "Shapes: smollm2-135m, qwen2.5-0.5b, llama-3.2-1b, tiny-llama, tiny-llama3, tiny-qwen2, tiny-qwen3.",
            "Types: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K (pure) and Q4_K_M Q5_K_M (llama.cpp mixes)."})
final class GenModelCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, description = "model shape, e.g. qwen2.5-0.5b")
    String shape;

    @Option(names = "--type", defaultValue = "F16", description = "weight type (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = {"-o", "--output"}, required = true, description = "GGUF file to write")
    Path output;

    @Option(names = "--layers", description = "number of blocks (default: the shape's)")
    Integer layers;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--vocab", description = "GGUF file whose tokenizer.* metadata to copy (default: the shape's)")
    Path vocab;

    @Option(names = "--quantizer", defaultValue = "strata",
            description = "who quantizes: strata (engine.tensor.Quantizer) or ggml (llama.cpp's, through de.kherud:llama)")
    String quantizer;

    @Option(names = "--threads", description = "generator threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() {
        ModelShape s = ModelShape.named(shape.toLowerCase(Locale.ROOT));
        if (layers != null) {
            s = s.withLayers(layers);
        }
        WeightType weightType = WeightType.parse(type);
        Path vocabFile = vocab != null ? vocab : VocabLocator.forCheckout().require(s);
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long start = System.nanoTime();
        ModelGenerator.Result result = new ModelGenerator(encoder(), n)
                .generate(s, weightType, Vocab.fromGguf(vocabFile), seed, output);
        System.out.printf(Locale.ROOT, "wrote %s: %s %s, %d layers, %.1f M parameters, %.1f MiB, tensors %s (%.1f s)%n",
                result.file(), s.name(), weightType, s.numLayers(), result.numParameters() / 1e6,
                result.sizeBytes() / 1048576.0, result.tensorsByType(), (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private BlockEncoder encoder() {
        return switch (quantizer.toLowerCase(Locale.ROOT)) {
            case "strata" -> BlockEncoder.strata();
            case "ggml", "llamacpp" -> BlockEncoder.withLlamaCppQuantizer();
            default -> throw new IllegalArgumentException("--quantizer must be strata or ggml, got " + quantizer);
        };
    }
}
