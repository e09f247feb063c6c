use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;
use sonic_daw::StudioConfig;
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

use super::*;
use crate::llm::{LlmResponse, StopReason};

/// A model that answers from a script and keeps every request it got.
struct Scripted {
    answers: Mutex<Vec<Result<LlmResponse, LlmError>>>,
    requests: Mutex<Vec<LlmRequest>>,
}

impl Scripted {
    fn new(mut answers: Vec<Result<LlmResponse, LlmError>>) -> Self {
        answers.reverse();
        Scripted {
            answers: Mutex::new(answers),
            requests: Mutex::new(Vec::new()),
        }
    }

    fn requests(&self) -> Vec<LlmRequest> {
        self.requests.lock().unwrap().clone()
    }
}

impl LlmProvider for Scripted {
    fn describe(&self) -> String {
        "scripted".into()
    }

    async fn complete(&self, request: &LlmRequest) -> Result<LlmResponse, LlmError> {
        self.requests.lock().unwrap().push(request.clone());
        self.answers
            .lock()
            .unwrap()
            .pop()
            .unwrap_or_else(|| Ok(text("(script ended)")))
    }
}

fn calls(list: &[(&str, Value)]) -> LlmResponse {
    LlmResponse {
        text: String::new(),
        tool_calls: list
            .iter()
            .enumerate()
            .map(|(i, (name, args))| ToolCall {
                id: format!("call_{i}"),
                name: name.to_string(),
                arguments: Ok(args.clone()),
            })
            .collect(),
        stop_reason: StopReason::ToolUse,
    }
}

fn text(reply: &str) -> LlmResponse {
    LlmResponse {
        text: reply.into(),
        tool_calls: Vec::new(),
        stop_reason: StopReason::EndTurn,
    }
}

fn studio() -> (tempfile::TempDir, Studio, Id) {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let store = CompositionStore::open(config, lock).unwrap();
    let studio = Studio::new(store, StudioConfig::default());
    let id = studio.create(Composition::new("Chat")).unwrap();
    (dir, studio, id)
}

async fn run(
    model: &Scripted,
    studio: &Studio,
    id: &Id,
    options: &ChatOptions,
) -> Result<ChatOutcome, ChatError> {
    chat(
        model,
        studio,
        id,
        "add a bass line",
        &BTreeMap::new(),
        options,
    )
    .await
}

#[tokio::test]
async fn tool_calls_run_and_the_exchange_is_one_ai_version_with_the_request_as_message() {
    let (_dir, studio, id) = studio();
    let model = Scripted::new(vec![
        Ok(calls(&[(
            "create_track",
            json!({"id": "bass", "name": "Bass", "type": "midi"}),
        )])),
        Ok(calls(&[(
            "create_midi_clip",
            json!({"track_id": "bass", "start_time": 0, "duration": 4, "notes": [{"n": 40, "s": 0, "d": 1}]}),
        )])),
        Ok(text("Added a bass track with a clip.")),
    ]);
    let outcome = run(&model, &studio, &id, &ChatOptions::default())
        .await
        .unwrap();
    assert_eq!(outcome.reply, "Added a bass track with a clip.");
    assert_eq!(
        (outcome.rounds, outcome.hit_max_rounds, outcome.changed),
        (3, false, true)
    );
    assert_eq!(outcome.actions.len(), 2);
    assert_eq!(outcome.version, 1);

    let history = studio.store().history(&id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].source, HistorySource::Ai);
    assert_eq!(history[1].message, "add a bass line");
    let saved = studio.store().load(&id).unwrap().composition;
    assert_eq!(saved.note_count(), 1);
    assert_eq!(saved.chat_history.len(), 2);
    assert_eq!(saved.chat_history[0].content, "add a bass line");
    let done = saved.chat_history[1].actions_executed.as_ref().unwrap();
    assert_eq!(
        done.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["create_track", "create_midi_clip"]
    );
    // One undo step for the whole exchange.
    studio.with(&id, |open| open.undo().unwrap()).unwrap();
    assert!(studio.snapshot(&id).unwrap().tracks.is_empty());

    // The second request saw the first result and a context that has the new track.
    let requests = model.requests();
    assert!(requests[1].system.contains("Bass"));
    assert!(matches!(requests[1].messages.last(), Some(Message::ToolResults(r)) if !r[0].is_error));
    assert!(requests[0]
        .tools
        .iter()
        .all(|t| !t.parameters.to_string().contains("composition_id")));
}

#[tokio::test]
async fn an_invalid_call_goes_back_as_an_error_and_the_correction_is_applied() {
    let (_dir, studio, id) = studio();
    let model = Scripted::new(vec![
        Ok(calls(&[("set_tempo", json!({"tempo": 900}))])),
        Ok(calls(&[("set_tempo", json!({"tempo": 90}))])),
        Ok(text("Tempo is 90.")),
    ]);
    let outcome = run(&model, &studio, &id, &ChatOptions::default())
        .await
        .unwrap();
    assert_eq!(
        outcome
            .actions
            .iter()
            .map(|a| a.success)
            .collect::<Vec<_>>(),
        [false, true]
    );
    let Some(Message::ToolResults(results)) = model.requests()[1].messages.last().cloned() else {
        panic!("no tool results sent back")
    };
    assert!(results[0].is_error);
    assert!(
        results[0].content.contains("OUT_OF_RANGE"),
        "{}",
        results[0].content
    );
    assert_eq!(studio.snapshot(&id).unwrap().tempo, 90.0);
}

#[tokio::test]
async fn unknown_tools_and_unreadable_arguments_are_errors_for_the_model_not_failures() {
    let (_dir, studio, id) = studio();
    let broken = LlmResponse {
        text: String::new(),
        tool_calls: vec![
            ToolCall {
                id: "a".into(),
                name: "fly".into(),
                arguments: Ok(json!({})),
            },
            ToolCall {
                id: "b".into(),
                name: "set_tempo".into(),
                arguments: Err("not JSON".into()),
            },
        ],
        stop_reason: StopReason::ToolUse,
    };
    let model = Scripted::new(vec![Ok(broken), Ok(text("Sorry."))]);
    let outcome = run(&model, &studio, &id, &ChatOptions::default())
        .await
        .unwrap();
    let codes: Vec<_> = outcome
        .actions
        .iter()
        .map(|a| a.error.clone().unwrap())
        .collect();
    assert_eq!(codes, ["UNKNOWN_ACTION", "INVALID_PARAMETERS"]);
    assert!(!outcome.changed);
}

#[tokio::test]
async fn a_model_that_never_stops_is_stopped_after_max_rounds() {
    let (_dir, studio, id) = studio();
    let forever = (0..10)
        .map(|_| Ok(calls(&[("set_tempo", json!({"tempo": 100}))])))
        .collect();
    let model = Scripted::new(forever);
    let options = ChatOptions {
        max_rounds: 3,
        ..ChatOptions::default()
    };
    let outcome = run(&model, &studio, &id, &options).await.unwrap();
    assert_eq!((outcome.rounds, outcome.hit_max_rounds), (3, true));
    assert_eq!(model.requests().len(), 3);
    assert!(
        outcome.reply.contains("stopped after 3 rounds"),
        "{}",
        outcome.reply
    );
}

#[tokio::test]
async fn a_provider_failure_leaves_the_composition_and_its_history_unchanged() {
    let (_dir, studio, id) = studio();
    let model = Scripted::new(vec![
        Ok(calls(&[("set_tempo", json!({"tempo": 100}))])),
        Err(LlmError::Status {
            status: 500,
            body: "down".into(),
        }),
    ]);
    let before = studio.snapshot(&id).unwrap();
    let err = run(&model, &studio, &id, &ChatOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChatError::Llm(LlmError::Status { status: 500, .. })),
        "{err}"
    );
    assert_eq!(studio.snapshot(&id).unwrap(), before);
    assert_eq!(studio.store().history(&id).unwrap().len(), 1);
}

#[tokio::test]
async fn earlier_turns_are_sent_and_an_edit_meanwhile_is_a_conflict() {
    let (_dir, studio, id) = studio();
    let first = Scripted::new(vec![Ok(text("Hello."))]);
    run(&first, &studio, &id, &ChatOptions::default())
        .await
        .unwrap();
    let second = Scripted::new(vec![Ok(text("Again."))]);
    run(&second, &studio, &id, &ChatOptions::default())
        .await
        .unwrap();
    let sent = &second.requests()[0].messages;
    assert_eq!(sent.len(), 3);
    assert!(matches!(&sent[1], Message::Assistant { text, .. } if text == "Hello."));

    let base = studio.snapshot(&id).unwrap();
    studio
        .with(&id, |open| {
            open.edit(Scope::Settings, |c| sonic_daw::song::set_tempo(c, 99.0))
        })
        .unwrap()
        .unwrap();
    let exchange = Exchange {
        request: "x".into(),
        reply: "y".into(),
        actions: Vec::new(),
        ran_transport: false,
    };
    let err = commit(&studio, &id, &base, &base, &exchange).unwrap_err();
    assert!(matches!(err, ChatError::Conflict(_)));
}

#[test]
fn playback_started_during_an_exchange_is_kept_and_is_no_conflict() {
    let (_dir, studio, id) = studio();
    let base = studio.snapshot(&id).unwrap();
    let mut worked = base.clone();
    worked.tempo = 100.0;
    studio
        .with(&id, |open| open.play(Some(2.0)))
        .unwrap()
        .unwrap();
    let exchange = Exchange {
        request: "faster".into(),
        reply: "done".into(),
        actions: Vec::new(),
        ran_transport: false,
    };
    commit(&studio, &id, &base, &worked, &exchange).unwrap();
    let now = studio.snapshot(&id).unwrap();
    assert_eq!(
        (now.tempo, now.is_playing, now.current_position),
        (100.0, true, 2.0)
    );
    // When the model itself stopped playback, its transport state wins.
    let base = now.clone();
    let mut worked = now;
    worked.is_playing = false;
    let exchange = Exchange {
        ran_transport: true,
        ..exchange
    };
    commit(&studio, &id, &base, &worked, &exchange).unwrap();
    assert!(!studio.snapshot(&id).unwrap().is_playing);
}

#[test]
fn the_system_prompt_carries_the_context() {
    let prompt = system_prompt("Composition \"Demo\"");
    assert!(prompt.contains("Composition \"Demo\""));
    assert!(prompt.contains("tools"));
}

#[test]
fn an_exchange_is_a_send_future_so_a_multi_threaded_server_can_run_it() {
    fn assert_send<T: Send>(_: &T) {}
    let (_dir, studio, id) = studio();
    let model = Scripted::new(Vec::new());
    let samples = BTreeMap::new();
    let options = ChatOptions::default();
    let future = chat(&model, &studio, &id, "hi", &samples, &options);
    assert_send(&future);
}
