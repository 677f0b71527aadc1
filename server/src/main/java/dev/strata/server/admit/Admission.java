package dev.strata.server.admit;

/**
 * Decides whether one request may start now. Called once per request, after its prompt is
 * tokenized and before any work is submitted; the answer is a value, never an exception.
 */
@FunctionalInterface
public interface Admission {
    Decision admit(AdmissionRequest request);
}
