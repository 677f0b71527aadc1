package dev.strata.server.auth;

import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Makes and checks API keys. A key's text is {@code sk-strata-<id>_<secret>}: the 12-hex-digit id
 * finds the stored record, the 256-bit secret is checked against SHA-256(salt || secret) with a
 * per-key 128-bit salt. A fast hash is enough because the secret is random and long (no dictionary
 * to try); the comparison is constant-time ({@link MessageDigest#isEqual}).
 */
public final class KeyMaker {
    public static final String PREFIX = "sk-strata-";
    private static final int ID_BYTES = 6;
    private static final int SECRET_BYTES = 32;
    private static final int SALT_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final RandomGenerator random;

    /** @param random a cryptographically strong generator ({@link java.security.SecureRandom}) */
    public KeyMaker(RandomGenerator random) {
        this.random = random;
    }

    /** A new key: the record to store and the text to show once. */
    public record NewKey(ApiKey key, String text) {}

    public NewKey create(String tenant, Quota quota, Instant now) {
        String id = HEX.formatHex(bytes(ID_BYTES));
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(SECRET_BYTES));
        byte[] salt = bytes(SALT_BYTES);
        ApiKey key = new ApiKey(id, tenant, HEX.formatHex(salt), HEX.formatHex(hash(salt, secret)), quota, now, null);
        return new NewKey(key, PREFIX + id + "_" + secret);
    }

    /** The id and secret of a key text, or empty when it is not shaped like one of ours. */
    public static Optional<Parsed> parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int sep = text.indexOf('_', PREFIX.length());
        if (sep != PREFIX.length() + 2 * ID_BYTES || sep == text.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(text.substring(PREFIX.length(), sep), text.substring(sep + 1)));
    }

    /** A key text split into its lookup id and its secret. */
    public record Parsed(String id, String secret) {}

    /** Whether {@code secret} is the one {@code key} was made with (constant time). */
    public static boolean matches(ApiKey key, String secret) {
        byte[] expected = HEX.parseHex(key.hashHex());
        return MessageDigest.isEqual(expected, hash(HEX.parseHex(key.saltHex()), secret));
    }

    private static byte[] hash(byte[] salt, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
