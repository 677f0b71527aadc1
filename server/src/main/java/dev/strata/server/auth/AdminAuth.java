package dev.strata.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /admin/*} with one admin key from configuration ({@code auth.admin_key}) or the
 * environment ({@code STRATA_ADMIN_KEY}). Without one the admin API is closed to everybody.
 */
public final class AdminAuth {
    private final byte[] adminKey;

    /** @param adminKey the admin key, or null/blank to disable the admin API */
    public AdminAuth(String adminKey) {
        this.adminKey = adminKey == null || adminKey.isBlank() ? null : adminKey.strip().getBytes(StandardCharsets.UTF_8);
    }

    public boolean enabled() {
        return adminKey != null;
    }

    /** Whether the {@code Authorization} header carries the admin key (constant-time compare). */
    public boolean allows(String authorization) {
        if (adminKey == null || authorization == null) {
            return false;
        }
        String text = authorization.strip();
        if (text.regionMatches(true, 0, "Bearer ", 0, 7)) {
            text = text.substring(7).strip();
        }
        return MessageDigest.isEqual(adminKey, text.getBytes(StandardCharsets.UTF_8));
    }
}
