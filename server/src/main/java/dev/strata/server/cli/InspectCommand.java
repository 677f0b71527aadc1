package dev.strata.server.cli;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.gguf.GgufValue;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code strata inspect FILE.gguf}: header, metadata and tensor table of a GGUF file. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print the GGUF header, metadata and tensor table of a model file.")
final class InspectCommand implements Callable<Integer> {
    /** Array elements shown before "...". */
    private static final int ARRAY_PREVIEW = 8;
    /** Strings longer than this are cut in the listing. */
    private static final int STRING_PREVIEW = 120;

    @Parameters(paramLabel = "FILE", description = "A .gguf model file.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (GgufFile gguf = GgufFile.open(file)) {
            print(gguf, spec.commandLine().getOut());
        }
        return ExitCodes.OK;
    }

    static void print(GgufFile gguf, PrintWriter out) {
        out.printf("file:        %s%n", gguf.path());
        out.printf("size:        %,d bytes%n", gguf.sizeBytes());
        out.printf("gguf:        version %d, %d metadata keys, %d tensors, alignment %d, data at offset %d%n",
                gguf.version(), gguf.metadata().size(), gguf.tensors().size(), gguf.alignment(), gguf.dataOffset());
        out.println();
        out.println("metadata:");
        int keyWidth = gguf.metadata().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, GgufValue> e : gguf.metadata().entrySet()) {
            out.printf("  %-" + keyWidth + "s  %-8s %s%n", e.getKey(), typeLabel(e.getValue()), describe(e.getValue()));
        }
        out.println();
        out.println("tensors:");
        int nameWidth = Math.max(4, gguf.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0));
        out.printf("  %-" + nameWidth + "s  %-7s %-24s %14s %14s%n", "name", "type", "shape", "offset", "size");
        long total = 0;
        for (GgufTensorInfo t : gguf.tensors()) {
            out.printf("  %-" + nameWidth + "s  %-7s %-24s %14d %14d%n", t.name(), t.type(),
                    Arrays.toString(t.shape()), t.offset(), t.sizeBytes());
            total += t.sizeBytes();
        }
        out.printf("  %d tensors, %,d bytes of tensor data%n", gguf.tensors().size(), total);
        out.flush();
    }

    private static String typeLabel(GgufValue value) {
        return switch (value) {
            case GgufValue.Scalar s -> s.type().name().toLowerCase();
            case GgufValue.Array a -> "arr[" + a.elementType().name().toLowerCase() + "]";
        };
    }

    static String describe(GgufValue value) {
        return switch (value) {
            case GgufValue.Scalar s when s.value() instanceof String str -> quote(str);
            case GgufValue.Scalar s -> String.valueOf(s.value());
            case GgufValue.Array a -> {
                int n = a.length();
                StringBuilder sb = new StringBuilder().append(n).append(" elements: [");
                for (int i = 0; i < Math.min(n, ARRAY_PREVIEW); i++) {
                    Object element = Array.get(a.values(), i);
                    sb.append(i > 0 ? ", " : "").append(switch (element) {
                        case String str -> quote(str);
                        case GgufValue nested -> describe(nested);
                        default -> String.valueOf(element);
                    });
                }
                yield sb.append(n > ARRAY_PREVIEW ? ", ...]" : "]").toString();
            }
        };
    }

    private static String quote(String s) {
        String shown = s.length() > STRING_PREVIEW ? s.substring(0, STRING_PREVIEW) + "..." : s;
        StringBuilder sb = new StringBuilder("\"");
        shown.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (cp < 0x20) {
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
