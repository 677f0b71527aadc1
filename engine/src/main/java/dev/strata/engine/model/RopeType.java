package dev.strata.engine.model;

/**
 * Which elements of a head rotary position embedding rotates together (llama.cpp's rope types).
 * Only the first {@code rope.dimension_count} elements of each head rotate; the rest pass through.
 */
public enum RopeType {
    /** Adjacent pairs {@code (2i, 2i + 1)}: original llama / llama2.c layout (GGUF llama Q/K are permuted to it). */
    NORM,
    /** Halves {@code (i, i + d/2)}: GPT-NeoX layout, used by Qwen and Gemma. */
    NEOX
}
