package dev.strata.server.audit;

import dev.strata.server.auth.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * What one request did, collected while it runs and turned into an {@link AuditRecord} at the end.
 * The API edge opens it with the caller; inference adds the model, the prompt and the tokens;
 * the generation adds each output piece. The prompt hash is SHA-256 over the prompt as the client
 * sent it in a canonical form ({@code role:content} per chat message, or the texts, or the token
 * ids, separated by NUL); the output hash is SHA-256 over the generated text of all choices in the
 * order produced. Text is kept only when {@code keepText}. One request thread writes it; the hashes
 * are computed in {@link #finish}, which a queued audit log calls on its writer thread, so the
 * request thread keeps the prompt and output text until then instead of hashing them.
 */
public final class CallRecord {
    private final String requestId;
    private final Instant time;
    private final long startNanos;
    private final Caller caller;
    private final boolean keepText;
    private final StringBuilder output = new StringBuilder();
    private String model;
    private String prompt;
    private int promptTokens;
    private int completionTokens;
    private long queueNanos;
    private boolean generated;

    public CallRecord(String requestId, Instant time, long startNanos, Caller caller) {
        this.requestId = requestId;
        this.time = time;
        this.startNanos = startNanos;
        this.caller = caller;
        this.keepText = caller.tenant() != null && caller.tenant().storeText();
    }

    /** A record for code paths that are not audited (embedding, tests). */
    public static CallRecord unaudited(Caller caller) {
        return new CallRecord("unaudited", Instant.EPOCH, 0, caller);
    }

    public Caller caller() {
        return caller;
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The prompt in canonical form (see the class doc) and its token count. */
    public synchronized void prompt(String canonical, int tokens) {
        this.prompt = canonical;
        this.promptTokens = tokens;
    }

    /** The prompt's token count as settled after the fact (an upstream's reported usage). */
    public synchronized void promptTokens(int tokens) {
        this.promptTokens = tokens;
    }

    public synchronized void admitted(String servedModel, long queuedNanos) {
        this.model = servedModel;
        this.queueNanos = queuedNanos;
    }

    public synchronized void model(String model) {
        this.model = model;
    }

    public synchronized void output(String piece) {
        generated = true;
        output.append(piece);
    }

    public synchronized void completed(int completionTokens) {
        this.completionTokens = completionTokens;
        generated = true;
    }

    public synchronized String model() {
        return model;
    }

    /** The finished record. */
    public synchronized AuditRecord finish(String endpoint, int status, String error, double costUsd, long nowNanos) {
        String promptSha = prompt == null ? null : sha256Hex(prompt);
        String outputSha = generated ? sha256Hex(output) : null;
        return new AuditRecord(requestId, time, caller.tenantName(), caller.keyId(), endpoint, model, status,
                promptTokens, completionTokens, costUsd, (nowNanos - startNanos) / 1_000_000, queueNanos / 1_000_000,
                error, promptSha, outputSha, keepText ? prompt : null, keepText ? output.toString() : null);
    }

    public synchronized int promptTokens() {
        return promptTokens;
    }

    public synchronized int completionTokens() {
        return completionTokens;
    }

    private static String sha256Hex(CharSequence text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
