/**
 * The engine's public generation interface: {@link dev.strata.engine.generate.Engine#submit} takes a
 * {@link dev.strata.engine.generate.GenerationRequest} and returns a
 * {@link dev.strata.engine.generate.TokenStream} of events (tokens, then one finish); cancelling the
 * stream stops the work and frees its memory. The server and embedding Java programs use only this.
 */
package dev.strata.engine.generate;
