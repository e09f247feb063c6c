//! The chat agent: one exchange between a person and a model about one composition.
//!
//! The model sees a system prompt with the composition's context and the action tools (they
//! take no composition id: the composition is implied). Its tool calls run through
//! [`execute_parsed`] on a working copy; the results, failures marked as errors, go back so
//! it can correct itself; the loop ends at the model's end of turn or after
//! [`ChatOptions::max_rounds`]. Only then is the working copy, with the exchange appended to
//! `chat_history`, committed to the studio as one undo step and saved as one history
//! version of source `ai` whose message is the request. A provider failure leaves the
//! composition untouched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sonic_daw::{DawError, OpenComposition, Outcome, Scope, Studio};
use sonic_model::{
    ChatMessage, ChatRole, Composition, ExecutedAction, HistorySource, Id, SampleAnalysis,
};

use crate::llm::{LlmError, LlmProvider, LlmRequest, Message, ToolCall, ToolResult, ToolSpec};
use crate::{build_context, execute_parsed, tools, ActionResult, ContextOptions, DawAction};
use crate::{BatchReport, ParseError};

/// How an exchange runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatOptions {
    /// Model calls at most (default 8): a model that keeps calling tools is stopped there.
    pub max_rounds: usize,
    /// Earlier messages of `chat_history` sent along (default 10).
    pub history_messages: usize,
    /// Detail of the composition context.
    pub context: ContextOptions,
}

impl Default for ChatOptions {
    fn default() -> Self {
        ChatOptions {
            max_rounds: 8,
            history_messages: 10,
            context: ContextOptions::default(),
        }
    }
}

/// What an exchange did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatOutcome {
    /// The model's final text.
    pub reply: String,
    /// Every tool call's result, in order (failed ones included).
    pub actions: Vec<ActionResult>,
    /// Model calls made.
    pub rounds: usize,
    /// The model was still calling tools when [`ChatOptions::max_rounds`] was reached.
    pub hit_max_rounds: bool,
    /// The actions changed the composition.
    pub changed: bool,
    /// The history version the exchange was saved as.
    pub version: u32,
}

/// Why an exchange failed (the composition is then unchanged).
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The message is empty.
    #[error("the message is empty")]
    EmptyMessage,
    /// `max_rounds` is 0.
    #[error("max_rounds must be at least 1")]
    NoRounds,
    /// The model could not be asked.
    #[error(transparent)]
    Llm(#[from] LlmError),
    /// Opening or saving the composition failed.
    #[error(transparent)]
    Daw(#[from] DawError),
    /// Someone else edited the composition during the exchange; nothing was applied.
    #[error("composition {0} was edited by someone else during the chat; nothing was applied")]
    Conflict(Id),
    /// The thread that saves the exchange did not finish (it panicked or the runtime is
    /// shutting down); what it did is unknown to the caller, so nothing is reported applied.
    #[error("saving the exchange failed: {0}")]
    SaveTask(String),
}

/// The system prompt: what the model is for, how to use the tools, and the composition.
pub fn system_prompt(context: &str) -> String {
    format!(
        "You are the assistant of Sonic, a music production workstation. You change the \
         composition below only by calling the tools; each call is validated and its result \
         comes back to you. A failed call changed nothing: read its error, fix the arguments \
         and call again. Times and durations are in beats. Refer to tracks, clips and effects \
         by the ids shown below or returned by your calls; when you create something you may \
         choose its id yourself (letters, digits, '-' and '_'). When you are done, answer \
         briefly with what you changed.\n\n\
         The composition now:\n{context}"
    )
}

/// The action tools offered in chat. None takes a composition id: the composition is
/// implied (the optional one of `play_composition` is left out).
pub fn chat_tools() -> Vec<ToolSpec> {
    tools()
        .into_iter()
        .map(|t| {
            let mut parameters = t.parameters;
            if let Some(properties) = parameters
                .get_mut("properties")
                .and_then(Value::as_object_mut)
            {
                properties.remove("composition_id");
            }
            if let Some(required) = parameters.get_mut("required").and_then(Value::as_array_mut) {
                required.retain(|r| r != "composition_id");
            }
            ToolSpec {
                name: t.name.into(),
                description: t.description,
                parameters,
            }
        })
        .collect()
}

/// Reads a tool call as an action: the tool name is the action, the arguments its fields.
pub fn action_of(call: &ToolCall) -> Result<DawAction, ParseError> {
    let mut map = match &call.arguments {
        Ok(Value::Object(map)) => map.clone(),
        Ok(other) => {
            return Err(ParseError::Invalid {
                action: call.name.clone(),
                reason: format!("the arguments must be an object, not {other}"),
            })
        }
        Err(reason) => {
            return Err(ParseError::Invalid {
                action: call.name.clone(),
                reason: reason.clone(),
            })
        }
    };
    map.insert("action".into(), Value::String(call.name.clone()));
    DawAction::from_value(Value::Object(map))
}

/// Earlier turns of `chat_history` as conversation messages, starting with a user turn.
fn earlier_messages(history: &[ChatMessage], keep: usize) -> Vec<Message> {
    let recent = &history[history.len().saturating_sub(keep)..];
    recent
        .iter()
        .skip_while(|m| m.role != ChatRole::User)
        .map(|m| match m.role {
            ChatRole::User => Message::User(m.content.clone()),
            ChatRole::Assistant => {
                let mut text = m.content.clone();
                if let Some(actions) = m.actions_executed.as_ref().filter(|a| !a.is_empty()) {
                    let names: Vec<&str> = actions.iter().map(|a| a.action.as_str()).collect();
                    text.push_str(&format!("\n[actions run: {}]", names.join(", ")));
                }
                Message::Assistant {
                    text,
                    tool_calls: Vec::new(),
                }
            }
        })
        .collect()
}

/// Runs the tool calls of one round on the working copy; returns their results for the model
/// and whether a transport action (play, stop, seek) took effect.
fn run_calls(
    working: &mut OpenComposition,
    calls: &[ToolCall],
) -> (BatchReport, Vec<ToolResult>, bool) {
    let parsed: Vec<_> = calls.iter().map(action_of).collect();
    let transport: Vec<bool> = parsed
        .iter()
        .map(|a| a.as_ref().is_ok_and(DawAction::is_transport))
        .collect();
    let report = execute_parsed(working, parsed, false);
    let ran_transport = transport
        .iter()
        .zip(&report.results)
        .any(|(transport, result)| *transport && result.success);
    let results = calls
        .iter()
        .zip(&report.results)
        .map(|(call, result)| ToolResult {
            call_id: call.id.clone(),
            content: serde_json::to_string(result).unwrap_or_else(|e| e.to_string()),
            is_error: !result.success,
        })
        .collect();
    (report, results, ran_transport)
}

fn executed(result: &ActionResult) -> ExecutedAction {
    ExecutedAction {
        action: result.action.clone(),
        success: result.success,
        data: result.data.clone(),
        error: result
            .error
            .as_ref()
            .map(|code| format!("{code}: {}", result.message)),
    }
}

/// One exchange about composition `id` of `studio` (opened if needed): asks `provider`,
/// runs its tool calls, commits and saves the result. `samples` holds analyses of library
/// samples for the context (by sample id; may be empty), those the composition uses when
/// the exchange starts: no action assigns a sample, so none can join during the tool loop.
pub async fn chat<P: LlmProvider>(
    provider: &P,
    studio: &Studio,
    id: &Id,
    message: &str,
    samples: &BTreeMap<Id, SampleAnalysis>,
    options: &ChatOptions,
) -> Result<ChatOutcome, ChatError> {
    let request_text = message.trim();
    if request_text.is_empty() {
        return Err(ChatError::EmptyMessage);
    }
    if options.max_rounds == 0 {
        return Err(ChatError::NoRounds);
    }
    let base = studio.snapshot(id)?;
    let mut messages = earlier_messages(&base.chat_history, options.history_messages);
    messages.push(Message::User(request_text.to_owned()));
    let mut working = OpenComposition::new(base.clone(), 1);
    let tools = chat_tools();
    let mut actions: Vec<ActionResult> = Vec::new();
    let mut changed = false;
    let mut ran_transport = false;
    let mut reply = String::new();
    let mut rounds = 0;
    let mut hit_max_rounds = false;
    while rounds < options.max_rounds {
        rounds += 1;
        let context = build_context(working.composition(), samples, &options.context);
        let request = LlmRequest {
            system: system_prompt(&context),
            messages: messages.clone(),
            tools: tools.clone(),
        };
        let response = provider.complete(&request).await?;
        if !response.text.trim().is_empty() {
            reply = response.text.trim().to_owned();
        }
        let calls = response.tool_calls;
        messages.push(Message::Assistant {
            text: response.text,
            tool_calls: calls.clone(),
        });
        if calls.is_empty() {
            break;
        }
        let (report, results, transport) = run_calls(&mut working, &calls);
        changed |= report.changed;
        ran_transport |= transport;
        actions.extend(report.results);
        messages.push(Message::ToolResults(results));
        hit_max_rounds = rounds == options.max_rounds;
    }
    if hit_max_rounds {
        tracing::warn!(rounds, "the model was still calling tools; stopped");
    }
    if reply.is_empty() {
        reply = if hit_max_rounds {
            format!("(stopped after {rounds} rounds without a final answer)")
        } else {
            "(no answer)".into()
        };
    }
    let exchange = Exchange {
        request: request_text.to_owned(),
        reply: reply.clone(),
        actions: actions.clone(),
        ran_transport,
    };
    // The commit writes and fsyncs files: off the async runtime's threads.
    let (studio, id, worked) = (studio.clone(), id.clone(), working.composition().clone());
    let version =
        tokio::task::spawn_blocking(move || commit(&studio, &id, &base, &worked, &exchange))
            .await
            .map_err(|e| ChatError::SaveTask(e.to_string()))??;
    Ok(ChatOutcome {
        reply,
        actions,
        rounds,
        hit_max_rounds,
        changed,
        version,
    })
}

/// What one exchange said and did, for the chat history.
struct Exchange {
    request: String,
    reply: String,
    actions: Vec<ActionResult>,
    /// The model played, stopped or moved the playhead (its transport state then wins).
    ran_transport: bool,
}

/// True when `a` and `b` differ at most in live transport state (playing, playhead) and the
/// time of the last save: what pressing play or an autosave during an exchange changes.
fn same_but_live(a: &Composition, b: &Composition) -> bool {
    let mut a = a.clone();
    a.is_playing = b.is_playing;
    a.current_position = b.current_position;
    a.updated_at = b.updated_at;
    a == *b
}

/// Puts the worked-on composition, with the exchange in its `chat_history`, into the studio
/// as one undo step and saves it as one `ai` version whose message is the request. Fails
/// with [`ChatError::Conflict`] when the composition was edited since `base` was taken;
/// playback started or moved meanwhile is kept.
fn commit(
    studio: &Studio,
    id: &Id,
    base: &Composition,
    worked: &Composition,
    exchange: &Exchange,
) -> Result<u32, ChatError> {
    let now = sonic_model::time::now();
    let user = ChatMessage {
        role: ChatRole::User,
        content: exchange.request.clone(),
        timestamp: now,
        actions_executed: None,
    };
    let assistant = ChatMessage {
        role: ChatRole::Assistant,
        content: exchange.reply.clone(),
        timestamp: now,
        actions_executed: Some(exchange.actions.iter().map(executed).collect()),
    };
    let (committed, version) = studio.edit_and_save(id, |open| {
        if !same_but_live(open.composition(), base) {
            return (false, None);
        }
        open.transaction(Scope::Everything, |composition| {
            let live = (composition.is_playing, composition.current_position);
            *composition = worked.clone();
            if !exchange.ran_transport {
                (composition.is_playing, composition.current_position) = live;
            }
            composition.chat_history.push(user);
            composition.chat_history.push(assistant);
            ((), Outcome::Commit)
        });
        (true, Some((HistorySource::Ai, exchange.request.clone())))
    })?;
    match (committed, version) {
        (true, Some(version)) => Ok(version),
        _ => Err(ChatError::Conflict(id.clone())),
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
