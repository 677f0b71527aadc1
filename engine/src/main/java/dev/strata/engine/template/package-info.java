/**
 * Chat templates: a model's {@code tokenizer.chat_template} (Jinja2) compiled once and rendered
 * per conversation into prompt text, with Python jinja2's semantics as Hugging Face sets them up
 * ({@code trim_blocks}, {@code lstrip_blocks}, loop controls, {@code tojson},
 * {@code raise_exception}, {@code strftime_now}).
 *
 * <p>{@link dev.strata.engine.template.ChatTemplate} is the entry point; conversations are
 * {@link dev.strata.engine.template.ChatMessage} records in a
 * {@link dev.strata.engine.template.ChatRequest}. Jinjava does the rendering; the package-private
 * classes bridge it to jinja2: a source pre-pass ({@code TemplateSource}), a parser with Python
 * operators ({@code PyExpressions}), Python methods and undefined values ({@code PythonMethods},
 * {@code PyUndefined}), tags, filters, tests and globals. {@code docs/chat-templates.md} lists
 * every difference bridged and the parity measured against Python jinja2.
 */
package dev.strata.engine.template;
