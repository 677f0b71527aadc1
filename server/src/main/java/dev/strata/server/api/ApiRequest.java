package dev.strata.server.api;

import dev.strata.server.inference.InferenceCall;

/**
 * A parsed API request: the call plus how the client wants the answer delivered.
 *
 * @param logprobs whether to report logprobs (the call's {@code topLogprobs} says how many alternatives)
 */
record ApiRequest(InferenceCall call, boolean stream, boolean includeUsage, boolean logprobs) {}
