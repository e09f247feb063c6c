//! End-to-end: `sonic chat` against a scripted LLM server, for the Anthropic Messages API and
//! the OpenAI-compatible chat API.

mod mock_llm;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use mock_llm::{MockLlm, Protocol, Reply};
use serde_json::{json, Value};
use sonic_e2e::{sonic_bin, Run, Sandbox};

/// Every variable the LLM configuration reads, cleared so the developer's own settings
/// never leak into a test.
const LLM_VARIABLES: &[&str] = &[
    "SONIC_LLM_PROVIDER",
    "SONIC_LLM_BASE_URL",
    "SONIC_LLM_MODEL",
    "SONIC_LLM_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "SONIC_LLM_TIMEOUT_SECS",
    "SONIC_LLM_MAX_RETRIES",
    "SONIC_LLM_RETRY_DELAY_MS",
    "SONIC_LLM_MAX_TOKENS",
];

/// Runs `sonic --data-dir <data> ARGS...` with exactly `env` as LLM configuration.
fn sonic_with(sandbox: &Sandbox, env: &[(String, String)], args: &[&str]) -> Run {
    let mut command = Command::new(sonic_bin());
    command
        .arg("--data-dir")
        .arg(sandbox.data_dir())
        .args(args)
        .env_remove("SONIC_DATA_DIR")
        .env("RUST_BACKTRACE", "0");
    for name in LLM_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    Run::from(command.output().expect("run sonic"))
}

fn with(mut env: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != name);
    env.push((name.into(), value.into()));
    env
}

fn new_composition(sandbox: &Sandbox) -> String {
    sandbox.sonic(&["new", "Chat song"]).ok().trim().to_string()
}

fn show(sandbox: &Sandbox, id: &str) -> Value {
    let shown = sandbox.sonic(&["--json", "show", id]).json();
    if shown["composition"].is_object() {
        shown["composition"].clone()
    } else {
        shown
    }
}

fn history(sandbox: &Sandbox, id: &str) -> Vec<Value> {
    let history = sandbox.sonic(&["--json", "history", id]).json();
    history
        .as_array()
        .or_else(|| history["history"].as_array())
        .expect("history list")
        .clone()
}

/// Every file of the composition's folder with its bytes, sorted.
fn files(sandbox: &Sandbox, id: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = sandbox.data_dir().join("compositions").join(id);
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The tool results the model got back in `body` (a request), as (content, is_error).
fn tool_results(protocol: Protocol, body: &Value) -> Vec<(String, bool)> {
    let messages = body["messages"].as_array().unwrap();
    match protocol {
        Protocol::Anthropic => messages
            .iter()
            .filter(|m| m["role"] == "user")
            .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
            .filter(|b| b["type"] == "tool_result")
            .map(|b| {
                (
                    b["content"].as_str().unwrap().to_string(),
                    b["is_error"] == true,
                )
            })
            .collect(),
        Protocol::OpenAi => messages
            .iter()
            .filter(|m| m["role"] == "tool")
            .map(|m| {
                let content = m["content"].as_str().unwrap().to_string();
                let is_error = content.starts_with("ERROR");
                (content, is_error)
            })
            .collect(),
    }
}

#[test]
fn a_two_round_exchange_creates_a_track_and_a_clip_saved_as_one_ai_version() {
    for protocol in Protocol::BOTH {
        let sandbox = Sandbox::new();
        let id = new_composition(&sandbox);
        let llm = MockLlm::start(vec![
            protocol.tool_calls(&[(
                "create_track",
                json!({"id": "bass", "name": "Bass", "type": "midi", "instrument": "sine"}),
            )]),
            protocol.tool_calls(&[(
                "create_midi_clip",
                json!({"track_id": "bass", "start_time": 0, "duration": 4,
                "notes": [{"n": 40, "s": 0, "d": 1}, {"n": 43, "s": 1, "d": 1}]}),
            )]),
            protocol.text("Added a bass track with a two-note clip."),
        ]);
        let run = sonic_with(
            &sandbox,
            &llm.env(protocol),
            &["--json", "chat", &id, "add a bass line"],
        );
        let out = run.json();
        assert_eq!(
            out["reply"], "Added a bass track with a two-note clip.",
            "{protocol:?}"
        );
        assert_eq!(out["rounds"], 3);
        assert_eq!(out["hit_max_rounds"], false);
        assert_eq!(out["version"], 1);
        let actions: Vec<&str> = out["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["create_track", "create_midi_clip"]);

        let song = show(&sandbox, &id);
        assert_eq!(song["tracks"].as_array().unwrap().len(), 1, "{protocol:?}");
        assert_eq!(song["clips"][0]["midi_events"].as_array().unwrap().len(), 2);
        let chat = song["chat_history"].as_array().unwrap();
        assert_eq!(chat.len(), 2);
        assert_eq!(chat[0]["role"], "user");
        assert_eq!(chat[0]["content"], "add a bass line");
        assert_eq!(chat[1]["actions_executed"].as_array().unwrap().len(), 2);
        let entries = history(&sandbox, &id);
        assert_eq!(entries.len(), 2, "one version for the whole exchange");
        assert_eq!(entries[1]["source"], "ai");
        assert_eq!(entries[1]["message"], "add a bass line");

        let received = llm.received();
        assert_eq!(received.len(), 3);
        assert!(
            received.iter().all(|r| r.path == protocol.path()),
            "{protocol:?}"
        );
        match protocol {
            Protocol::Anthropic => {
                assert_eq!(received[0].headers["x-api-key"], "test-key");
                assert!(received[0].headers.contains_key("anthropic-version"));
                assert!(received[0].body["system"]
                    .as_str()
                    .unwrap()
                    .contains("Chat song"));
                assert_eq!(received[0].body["tools"].as_array().unwrap().len(), 27);
            }
            Protocol::OpenAi => {
                assert_eq!(received[0].headers["authorization"], "Bearer test-key");
                assert_eq!(received[0].body["messages"][0]["role"], "system");
                assert_eq!(received[0].body["tools"][0]["type"], "function");
            }
        }
        assert_eq!(received[0].body["model"], "mock-model");
        // The second round carries the first result and a context that shows the new track.
        let results = tool_results(protocol, &received[1].body);
        assert_eq!(results.len(), 1);
        assert!(
            !results[0].1 && results[0].0.contains("bass"),
            "{results:?}"
        );
        assert!(received[1]
            .body
            .to_string()
            .contains("\\\"Bass\\\" (id bass)"));
    }
}

#[test]
fn an_invalid_action_goes_back_as_an_error_and_the_correction_is_applied() {
    for protocol in Protocol::BOTH {
        let sandbox = Sandbox::new();
        let id = new_composition(&sandbox);
        let llm = MockLlm::start(vec![
            protocol.tool_calls(&[("set_tempo", json!({"tempo": 900}))]),
            protocol.tool_calls(&[("set_tempo", json!({"tempo": 90}))]),
            protocol.text("The tempo is now 90 BPM."),
        ]);
        let run = sonic_with(&sandbox, &llm.env(protocol), &["chat", &id, "slow it down"]);
        let text = run.ok();
        assert!(text.starts_with("The tempo is now 90 BPM."), "{text}");
        assert!(text.contains("FAIL set_tempo: [OUT_OF_RANGE]"), "{text}");
        assert!(text.contains("saved"), "{text}");
        let results = tool_results(protocol, &llm.received()[1].body);
        assert!(
            results[0].1,
            "the failure is marked as an error: {results:?}"
        );
        assert!(results[0].0.contains("OUT_OF_RANGE"), "{results:?}");
        assert_eq!(show(&sandbox, &id)["tempo"], 90.0, "{protocol:?}");
    }
}

#[test]
fn a_model_that_never_stops_is_stopped_at_max_rounds() {
    for protocol in Protocol::BOTH {
        let sandbox = Sandbox::new();
        let id = new_composition(&sandbox);
        let llm = MockLlm::start(vec![
            protocol.tool_calls(&[("set_tempo", json!({"tempo": 100}))])
        ]);
        let run = sonic_with(
            &sandbox,
            &llm.env(protocol),
            &["--json", "chat", &id, "loop", "--max-rounds", "3"],
        );
        let out = run.json();
        assert_eq!(out["rounds"], 3, "{protocol:?}");
        assert_eq!(out["hit_max_rounds"], true);
        assert_eq!(llm.received().len(), 3);
        assert_eq!(show(&sandbox, &id)["tempo"], 100.0);
        assert_eq!(history(&sandbox, &id).len(), 2);
    }
}

/// Runs a chat against `replies` and checks it failed with `expect` in its one-line error,
/// after `requests` requests, leaving every file of the composition as it was.
fn fails_unchanged(
    protocol: Protocol,
    replies: Vec<Reply>,
    env: &[(&str, &str)],
    expect: &str,
    requests: usize,
) {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let before = files(&sandbox, &id);
    let llm = MockLlm::start(replies);
    let mut vars = llm.env(protocol);
    for (k, v) in env {
        vars = with(vars, k, v);
    }
    let run = sonic_with(&sandbox, &vars, &["chat", &id, "do something"]);
    let line = run.fails_with(1);
    assert!(line.contains(expect), "{protocol:?}: {line}");
    assert_eq!(llm.received().len(), requests, "{protocol:?}: {line}");
    assert!(
        files(&sandbox, &id) == before,
        "{protocol:?}: the composition changed"
    );
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times_then_fail_cleanly() {
    for protocol in Protocol::BOTH {
        fails_unchanged(
            protocol,
            vec![Reply::status(500, "{\"error\": \"boom\"}")],
            &[("SONIC_LLM_MAX_RETRIES", "2")],
            "HTTP 500",
            3,
        );
    }
}

#[test]
fn a_rate_limit_is_retried_and_the_exchange_then_succeeds() {
    for protocol in Protocol::BOTH {
        let sandbox = Sandbox::new();
        let id = new_composition(&sandbox);
        let llm = MockLlm::start(vec![
            Reply::status(429, "{\"error\": \"slow down\"}"),
            protocol.tool_calls(&[("set_tempo", json!({"tempo": 111}))]),
            protocol.text("Done."),
        ]);
        let out = sonic_with(
            &sandbox,
            &llm.env(protocol),
            &["--json", "chat", &id, "tempo 111"],
        )
        .json();
        assert_eq!(out["reply"], "Done.");
        assert_eq!(llm.received().len(), 3, "{protocol:?}");
        assert_eq!(show(&sandbox, &id)["tempo"], 111.0);
        // A rate limit that never lifts fails after the retries, changing nothing.
        fails_unchanged(
            protocol,
            vec![Reply::status(429, "{}")],
            &[("SONIC_LLM_MAX_RETRIES", "1")],
            "HTTP 429",
            2,
        );
    }
}

#[test]
fn a_malformed_answer_fails_without_changing_anything() {
    for protocol in Protocol::BOTH {
        // The first round's action ran on the working copy; the garbage second answer drops it.
        let replies = vec![
            protocol.tool_calls(&[("set_tempo", json!({"tempo": 99}))]),
            Reply::status(200, "{\"this is\": not json"),
        ];
        fails_unchanged(protocol, replies, &[], "unreadable answer", 2);
        let wrong_shape = vec![Reply::json(json!({"unexpected": true}))];
        fails_unchanged(protocol, wrong_shape, &[], "unreadable answer", 1);
    }
}

#[test]
fn a_provider_that_does_not_answer_in_time_fails_without_changing_anything() {
    for protocol in Protocol::BOTH {
        let slow = vec![protocol.text("too late").after(Duration::from_secs(5))];
        let env = [
            ("SONIC_LLM_TIMEOUT_SECS", "0.5"),
            ("SONIC_LLM_MAX_RETRIES", "0"),
        ];
        fails_unchanged(protocol, slow, &env, "did not answer within 0.5 s", 1);
    }
}

#[test]
fn without_a_provider_chat_fails_with_one_line_naming_the_variables_and_nothing_else_changes() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let before = files(&sandbox, &id);
    let run = sonic_with(&sandbox, &[], &["chat", &id, "hello"]);
    let line = run.fails_with(1);
    for name in [
        "SONIC_LLM_PROVIDER",
        "SONIC_LLM_MODEL",
        "SONIC_LLM_API_KEY",
        "SONIC_LLM_BASE_URL",
    ] {
        assert!(line.contains(name), "{line}");
    }
    assert!(files(&sandbox, &id) == before);
    // Everything else still works.
    sandbox.sonic(&["show", &id]).ok();
    let unreachable = [
        ("SONIC_LLM_PROVIDER".to_string(), "openai".to_string()),
        ("SONIC_LLM_MODEL".into(), "m".into()),
        ("SONIC_LLM_BASE_URL".into(), "http://127.0.0.1:9/v1".into()),
        ("SONIC_LLM_MAX_RETRIES".into(), "0".into()),
    ];
    let line = sonic_with(&sandbox, &unreachable, &["chat", &id, "hello"])
        .fails_with(1)
        .to_string();
    assert!(line.contains("cannot reach the LLM provider"), "{line}");
    assert!(files(&sandbox, &id) == before);
}

#[test]
fn every_round_of_the_context_carries_the_summary_of_the_samples_in_use() {
    let protocol = Protocol::Anthropic;
    let sandbox = Sandbox::new();
    let tone = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/audio/tone.flac");
    let imported = sandbox
        .sonic(&["--json", "sample", "import", tone.to_str().unwrap()])
        .json();
    let sample_id = imported["imported"][0]["id"].as_str().unwrap().to_string();
    let analysed = sandbox.sonic(&["--json", "analyze", &sample_id]).json();
    let summary = analysed[0]["analysis"]["summary"]
        .as_str()
        .unwrap_or_else(|| panic!("no summary in {analysed}"))
        .to_string();

    // An audio track playing the sample (no action assigns samples: write it in the file).
    let id = new_composition(&sandbox);
    let batch = sandbox.path().join("vox.json");
    let track = json!([{"action": "create_track", "id": "vox", "name": "Vox", "type": "audio"}]);
    std::fs::write(&batch, track.to_string()).unwrap();
    sandbox.sonic(&["apply", &id, batch.to_str().unwrap()]).ok();
    let current = sandbox
        .data_dir()
        .join("compositions")
        .join(&id)
        .join("current.json");
    let mut song: Value = serde_json::from_slice(&std::fs::read(&current).unwrap()).unwrap();
    song["tracks"][0]["sample_id"] = json!(sample_id);
    std::fs::write(&current, song.to_string()).unwrap();

    let llm = MockLlm::start(vec![
        protocol.tool_calls(&[("rename_composition", json!({"name": "With a tone"}))]),
        protocol.text("Renamed."),
    ]);
    sonic_with(&sandbox, &llm.env(protocol), &["chat", &id, "name it"]).ok();
    let received = llm.received();
    assert_eq!(received.len(), 2);
    for request in &received {
        let system = request.body["system"].as_str().unwrap();
        assert!(
            system.contains(&format!("   sample: {summary}")),
            "{system}"
        );
    }
    assert!(received[1].body["system"]
        .as_str()
        .unwrap()
        .contains("With a tone"));
}
