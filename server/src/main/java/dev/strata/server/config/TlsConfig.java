package dev.strata.server.config;

import java.nio.file.Path;
import java.util.Objects;

/** HTTPS with a PEM certificate chain and a PEM (PKCS#8) private key. */
public record TlsConfig(Path certificatePem, Path privateKeyPem) {
    public TlsConfig {
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    }
}
