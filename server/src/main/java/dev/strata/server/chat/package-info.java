/**
 * Chat prompts: {@link dev.strata.server.chat.ChatMessage} and {@link dev.strata.server.chat.ChatFormatter},
 * which turns a conversation into the prompt text a model was trained on. Models bring their own
 * template; {@link dev.strata.server.chat.TemplateChatFormatter} renders with the model's own Jinja template
 * ({@code engine.template}, ChatML when the file has none).
 */
package dev.strata.server.chat;
