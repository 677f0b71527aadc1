package dev.strata.server.hub;

import java.util.Objects;

/**
 * One file of a hub repository.
 *
 * @param sha256 the LFS object id (hex sha256 of the content); null for files not stored in LFS
 */
public record HubFile(String path, long sizeBytes, String sha256) {
    public HubFile {
        Objects.requireNonNull(path, "path");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must be >= 0, got " + sizeBytes);
        }
    }

    /** The file name without directories. */
    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
