package dev.strata.server.cli;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata tokenize [-m FILE] TEXT|-}: the token ids of TEXT (or of standard input) under a model's tokenizer, one per
 * line with the vocabulary's piece, or ({@code --ids}) just the ids on one line. BOS/EOS are added
 * as the model's metadata asks unless {@code --no-bos}; special tokens written in the text are
 * recognised only with {@code --special}.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids (and pieces) of TEXT under a model's tokenizer.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF model or vocabulary file (default: the demo model, models/stories260K.gguf).")
    Path model;

    @Option(names = "--ids", description = "Print only the ids, space-separated, on one line.")
    boolean idsOnly;

    @Option(names = "--special", description = "Recognise special tokens (e.g. <|im_start|>) written in the text.")
    boolean parseSpecial;

    @Option(names = "--no-bos", description = "Do not add the BOS/EOS tokens the model's metadata asks for.")
    boolean noSpecial;

    @Parameters(paramLabel = "TEXT", description = "The text to tokenize; - reads it from standard input.")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Tokenizer tokenizer;
        try (GgufFile gguf = GgufFile.open(DemoModel.orDefault(model))) {
            tokenizer = Tokenizers.fromGguf(gguf);
        }
        int[] ids = tokenizer.encode(text.equals("-") ? readAll(System.in) : text, !noSpecial, parseSpecial);
        PrintWriter out = spec.commandLine().getOut();
        if (idsOnly) {
            StringBuilder line = new StringBuilder();
            for (int id : ids) {
                line.append(line.isEmpty() ? "" : " ").append(id);
            }
            out.println(line);
        } else {
            int width = Integer.toString(Math.max(0, tokenizer.vocabSize() - 1)).length();
            for (int id : ids) {
                out.printf("%" + width + "d  %s%n", id, quote(tokenizer.piece(id)));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** All of {@code in} as UTF-8 (malformed bytes become U+FFFD). */
    static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot read standard input: " + e.getMessage(), ExitCodes.FAILURE);
        }
    }

    /** The piece in double quotes with control characters, quotes and backslashes escaped. */
    static String quote(String piece) {
        StringBuilder sb = new StringBuilder(piece.length() + 2).append('"');
        piece.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) {
                        sb.append(String.format("\\x%02x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }
}
