package dev.strata.server.admit;

/** Decides whether one request may start now. Called once per request, before any work. */
@FunctionalInterface
public interface Admission {
    Decision admit();
}
