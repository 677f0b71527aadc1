package dev.strata.server.http;

import dev.strata.server.GatewayException.InvalidConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds an in-memory key store from a PEM certificate chain and a PEM PKCS#8 private key
 * ({@code -----BEGIN PRIVATE KEY-----}, RFC 7468), the files operators get from cert-manager or
 * Let's Encrypt, so no keytool step is needed.
 */
public final class PemKeyStore {
    /** Password of the in-memory store; it never leaves the process. */
    static final char[] PASSWORD = "strata".toCharArray();
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemKeyStore() {}

    public static KeyStore load(Path certificatePem, Path privateKeyPem) {
        try {
            List<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(certificatePem)) {
                chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            }
            if (chain.isEmpty()) {
                throw new InvalidConfig("server.tls.cert", "no certificate found in " + certificatePem);
            }
            PrivateKey key = privateKey(Files.readString(privateKeyPem, StandardCharsets.US_ASCII), privateKeyPem);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("strata", key, PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (IOException e) {
            throw new InvalidConfig("server.tls", "cannot read PEM file: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new InvalidConfig("server.tls", "invalid certificate or key: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new InvalidConfig("server.tls.key", "no PKCS#8 '-----BEGIN PRIVATE KEY-----' block in " + file
                    + " (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // not this algorithm; try the next
            }
        }
        throw new InvalidConfig("server.tls.key", "unsupported private key type in " + file);
    }
}
