/** Choosing the next token from logits: temperature, top-k/p, min-p, typical-p, penalties, logit bias, seeds, logprobs. */
package dev.strata.engine.sample;
