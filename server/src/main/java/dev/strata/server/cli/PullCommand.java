package dev.strata.server.cli;

import dev.strata.server.hub.Downloader;
import dev.strata.server.hub.HubClient;
import dev.strata.server.hub.HubFile;
import dev.strata.server.hub.QuantPicker;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata pull ORG/REPO[:FILE]}: downloads a GGUF from the Hugging Face hub ({@code HF_ENDPOINT},
 * default https://huggingface.co; {@code HF_TOKEN} for gated repositories) into the models
 * directory, resuming an interrupted download and verifying its sha256.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Download a GGUF model from the Hugging Face hub (resumable, sha256-verified).")
final class PullCommand implements Callable<Integer> {
    private static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    @Parameters(paramLabel = "ORG/REPO[:FILE]", description = "Repository, and optionally the .gguf file in it "
            + "(default: a sensible quantization, Q4_K_M first).")
    String reference;

    @Option(names = "--list", description = "List the repository's GGUF files and exit.")
    boolean list;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to put the file (default: $STRATA_HOME/models).")
    Path dir;

    @Option(names = "--revision", defaultValue = "main", description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    PullCommand() {
        this(System.getenv());
    }

    PullCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int colon = reference.indexOf(':');
        String repo = colon < 0 ? reference : reference.substring(0, colon);
        String fileName = colon < 0 ? null : reference.substring(colon + 1);
        try {
            HubClient.requireRepo(repo);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
        }
        URI endpoint = URI.create(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT));
        Optional<String> token = Optional.ofNullable(env.get("HF_TOKEN")).filter(t -> !t.isBlank());
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HubClient hub = new HubClient(endpoint, token, http);
        List<HubFile> files = hub.ggufFiles(repo, revision);
        if (list) {
            for (HubFile f : files) {
                out.printf(Locale.ROOT, "%-60s %10s%n", f.path(), megabytes(f.sizeBytes()));
            }
            out.flush();
            return ExitCodes.OK;
        }
        HubFile file = fileName == null
                ? new QuantPicker().pick(files).orElseThrow(() -> new CliException(repo + " has no .gguf files",
                        ExitCodes.BAD_INPUT))
                : files.stream().filter(f -> f.path().equals(fileName) || f.fileName().equals(fileName)).findFirst()
                        .orElseThrow(() -> new CliException(repo + " has no file " + fileName + " (see --list)",
                                ExitCodes.BAD_INPUT));
        Path target = dir != null ? dir : Path.of(env.getOrDefault("STRATA_HOME", "."), "models");
        err.printf("pulling %s:%s (%s) into %s%n", repo, file.path(), megabytes(file.sizeBytes()), target);
        ProgressBar bar = new ProgressBar(err);
        Path path = new Downloader(hub).download(repo, revision, file, target, bar::update);
        bar.finish();
        out.println(path);
        out.flush();
        return ExitCodes.OK;
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** A one-line progress bar redrawn with carriage returns, at most every percent. */
    private static final class ProgressBar {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final long startNanos = System.nanoTime();
        private int lastPermille = -1;

        ProgressBar(PrintWriter err) {
            this.err = err;
        }

        void update(long done, long total) {
            int permille = total == 0 ? 1000 : (int) (done * 1000 / total);
            if (permille / 10 == lastPermille / 10) {
                return;
            }
            lastPermille = permille;
            int filled = permille * WIDTH / 1000;
            double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
            err.printf(Locale.ROOT, "\r  [%s%s] %3d%% %s / %s  %.1f MB/s", "#".repeat(filled), " ".repeat(WIDTH - filled),
                    permille / 10, megabytes(done), megabytes(total), done / 1e6 / seconds);
            err.flush();
        }

        void finish() {
            err.println();
            err.flush();
        }
    }
}
