package dev.strata.server.api;

import dev.strata.engine.generate.GenerationEvent.Token;
import dev.strata.engine.generate.GenerationEvent.TokenLogprob;
import dev.strata.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Logprobs in OpenAI's two shapes: chat's list of {@code {token, logprob, bytes, top_logprobs}} and
 * the legacy completions' parallel arrays ({@code tokens}, {@code token_logprobs}, {@code top_logprobs},
 * {@code text_offset}). A token's text is its own bytes in the vocabulary, decoded leniently, with
 * the exact bytes alongside (a token may hold part of a UTF-8 character).
 */
final class Logprobs {
    private final Tokenizer tokenizer;

    Logprobs(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    ResponseShapes.ChatLogprobs chat(List<Token> tokens) {
        List<ResponseShapes.TokenLogprob> content = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            byte[] bytes = tokenizer.tokenBytes(t.id());
            List<ResponseShapes.TopLogprob> top = new ArrayList<>(t.topLogprobs().size());
            for (TokenLogprob alt : t.topLogprobs()) {
                byte[] altBytes = tokenizer.tokenBytes(alt.id());
                top.add(new ResponseShapes.TopLogprob(text(altBytes), value(alt.logprob()), list(altBytes)));
            }
            content.add(new ResponseShapes.TokenLogprob(text(bytes), value(t.logprob()), list(bytes), top));
        }
        return new ResponseShapes.ChatLogprobs(content, null);
    }

    /** @param textOffset character offset of the first token in the choice's text */
    ResponseShapes.CompletionLogprobs completion(List<Token> tokens, int textOffset) {
        List<String> texts = new ArrayList<>(tokens.size());
        List<Float> values = new ArrayList<>(tokens.size());
        List<Map<String, Float>> tops = new ArrayList<>(tokens.size());
        List<Integer> offsets = new ArrayList<>(tokens.size());
        int offset = textOffset;
        for (Token t : tokens) {
            texts.add(text(tokenizer.tokenBytes(t.id())));
            values.add(value(t.logprob()));
            Map<String, Float> top = new LinkedHashMap<>();
            for (TokenLogprob alt : t.topLogprobs()) {
                top.putIfAbsent(text(tokenizer.tokenBytes(alt.id())), value(alt.logprob()));
            }
            tops.add(top);
            offsets.add(offset);
            offset += t.text().length();
        }
        return new ResponseShapes.CompletionLogprobs(texts, values, tops, offsets);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Float value(float logprob) {
        return Float.isNaN(logprob) ? null : logprob;
    }

    private static List<Integer> list(byte[] bytes) {
        List<Integer> out = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            out.add(b & 0xFF);
        }
        return out;
    }
}
