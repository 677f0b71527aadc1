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
 * order produced. Text is kept only when {@code keepText}. One request thread writes it.
 */
public final class CallRecord {
    private final String requestId;
    private final Instant time;
    private final long startNanos;
    private final Caller caller;
    private final boolean keepText;
    private final MessageDigest output = sha256();
    private final StringBuilder outputText;
    private String model;
    private String promptSha256;
    private String promptText;
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
        this.outputText = keepText ? new StringBuilder() : null;
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
        this.promptSha256 = HexFormat.of().formatHex(sha256().digest(canonical.getBytes(StandardCharsets.UTF_8)));
        this.promptText = keepText ? canonical : null;
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
        output.update(piece.getBytes(StandardCharsets.UTF_8));
        if (outputText != null) {
            outputText.append(piece);
        }
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
        String outputSha = generated ? HexFormat.of().formatHex(output.digest()) : null;
        return new AuditRecord(requestId, time, caller.tenantName(), caller.keyId(), endpoint, model, status,
                promptTokens, completionTokens, costUsd, (nowNanos - startNanos) / 1_000_000, queueNanos / 1_000_000,
                error, promptSha256, outputSha, promptText, outputText == null ? null : outputText.toString());
    }

    public synchronized int promptTokens() {
        return promptTokens;
    }

    public synchronized int completionTokens() {
        return completionTokens;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
