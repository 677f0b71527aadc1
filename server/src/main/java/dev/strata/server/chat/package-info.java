/**
 * Chat prompts: {@link dev.strata.server.chat.ChatMessage} and {@link dev.strata.server.chat.ChatFormatter},
 * which turns a conversation into the prompt text a model was trained on. Models bring their own
 * template; {@link dev.strata.server.chat.ChatMlFormatter} is the fallback for models without one.
 */
package dev.strata.server.chat;
