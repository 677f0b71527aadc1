package dev.strata.bench;

import dev.strata.bench.parity.DequantizedTwin;
import dev.strata.bench.parity.ParityCheck;
import dev.strata.bench.parity.ParityResult;
import dev.strata.bench.peer.LlamaCppPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata bench parity}: Strata's next-token distributions and greedy tokens against llama.cpp's. */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Compares Strata with llama.cpp on one GGUF file: top-N probabilities at every position, greedy tokens.")
final class ParityCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file")
    Path model;

    @Option(names = {"-p", "--prompt"}, defaultValue = "Once upon a time, there was",
            description = "prompt, tokenized by llama.cpp (default: ${DEFAULT-VALUE})")
    String prompt;

    @Option(names = "--steps", defaultValue = "32", description = "greedy tokens (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--top", defaultValue = "10", description = "top-N compared (default: ${DEFAULT-VALUE})")
    int topN;

    @Option(names = "--threads", defaultValue = "1", description = "threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--twin", description = "also compare with llama.cpp on the dequantized F32 twin (small models)")
    boolean twin;

    @Option(names = "--floor", description = "also compare llama.cpp with itself (one batch vs one token per decode): the noise floor")
    boolean floor;

    @Override
    public Integer call() throws Exception {
        int[] tokens;
        try (LlamaCppPeer peer = LlamaCppPeer.open(model, LlamaCppPeer.Options.forParity(1, 64))) {
            tokens = peer.tokenize(prompt, true);
        }
        List<Path> peers = new ArrayList<>(List.of(model));
        Path twinFile = null;
        if (twin) {
            twinFile = Files.createTempFile("strata-twin-", ".gguf");
            DequantizedTwin.write(model, twinFile);
            peers.add(twinFile);
        }
        try {
            List<ParityResult> results = ParityCheck.compare(model.getFileName().toString(), model, peers, tokens,
                    steps, topN, threads);
            System.out.println(ParityResult.markdownHeader());
            System.out.println(results.get(0).markdownRow());
            if (twin) {
                System.out.println(results.get(1).markdownRow().replaceFirst("\\| ", "| (F32 twin) "));
            }
            if (floor) {
                System.out.printf(java.util.Locale.ROOT, "llama.cpp batch vs one token: max abs diff top-%d prob %.2e%n",
                        topN, ParityCheck.llamaCppBatchVersusSingle(model, tokens, steps, topN, threads));
            }
            return results.get(0).passes(1e-3) ? 0 : 1;
        } finally {
            if (twinFile != null) {
                Files.deleteIfExists(twinFile);
            }
        }
    }
}
