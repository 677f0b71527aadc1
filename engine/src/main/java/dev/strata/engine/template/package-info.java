/**
 * Chat templates: a model's {@code tokenizer.chat_template} (Jinja2) compiled once and rendered
 * per conversation into prompt text, with Python jinja2's semantics as Hugging Face sets them up.
 * {@link dev.strata.engine.template.ChatTemplate} is the entry point; messages are
 * {@link dev.strata.engine.template.ChatMessage} records. Jinjava does the rendering; the
 * package-private classes bridge it to jinja2 (source pre-pass, Python methods and undefined
 * values, the {@code for} tag, filters, tests and globals).
 */
package dev.strata.engine.template;
