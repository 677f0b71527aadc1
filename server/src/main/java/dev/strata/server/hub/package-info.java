/**
 * The Hugging Face model hub, as {@code strata pull} uses it: list a repository's GGUF files with
 * their LFS sizes and sha256 ({@link dev.strata.server.hub.HubClient}), pick a sensible
 * quantization ({@link dev.strata.server.hub.QuantPicker}), and download with resume and
 * verification ({@link dev.strata.server.hub.Downloader}). {@code HF_ENDPOINT} and {@code HF_TOKEN}
 * are honoured by the caller.
 */
package dev.strata.server.hub;
