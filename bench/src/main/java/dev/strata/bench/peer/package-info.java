/**
 * llama.cpp as Strata's peer and oracle: the llama.cpp build that ships inside {@code de.kherud:llama}
 * (b4916, native libraries in the jar), driven through its C API with the Foreign Function &amp; Memory
 * API rather than the JNI wrapper's server-style calls, which give neither token ids nor full
 * logits. Bench and test code only: the engine itself never loads a native library.
 */
package dev.strata.bench.peer;
