//! End-to-end: `sonic mcp` driven by the official Python MCP client (tests/mcp_client.py)
//! over stdio; then the composition on disk must reflect the calls.
//!
//! The interpreter is `$SONIC_TEST_PYTHON` (scripts/test points it at a venv with `mcp`).
//! Without it the test prints a notice and passes, unless `SONIC_REQUIRE_PYTHON_TESTS=1`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sonic_e2e::{sonic_bin, Sandbox};

/// The Python interpreter to use, or `None` (after a notice) when the test should be skipped.
fn python() -> Option<String> {
    match std::env::var("SONIC_TEST_PYTHON") {
        Ok(python) if !python.is_empty() => Some(python),
        _ => {
            let required = std::env::var("SONIC_REQUIRE_PYTHON_TESTS").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "SONIC_REQUIRE_PYTHON_TESTS=1 but SONIC_TEST_PYTHON is not set: run scripts/test"
            );
            eprintln!(
                "notice: SONIC_TEST_PYTHON is not set; skipping the MCP client test (run scripts/test)"
            );
            None
        }
    }
}

#[test]
fn the_python_mcp_client_edits_a_composition_through_sonic_mcp() {
    let Some(python) = python() else { return };
    let sandbox = Sandbox::new();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("mcp_client.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(sonic_bin())
        .arg(sandbox.data_dir())
        .env_remove("SONIC_DATA_DIR")
        .output()
        .expect("run the Python MCP client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "client failed:\n{stdout}\n{stderr}"
    );
    let seen: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("client output is not JSON ({e}):\n{stdout}\n{stderr}"));

    // The tools: every action, the batch tool, compositions, history, samples.
    let tools: Vec<&str> = seen["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for name in [
        "create_track",
        "create_midi_clip",
        "set_tempo",
        "stop_playback",
        "apply_actions",
        "list_compositions",
        "create_composition",
        "open_composition",
        "get_composition_state",
        "list_history",
        "restore_version",
        "list_samples",
        "analyse_sample",
    ] {
        assert!(tools.contains(&name), "missing tool {name}: {tools:?}");
    }
    assert_eq!(tools.len(), 27 + 9);
    assert_eq!(seen["create_track_required"][0], "composition_id");
    assert_eq!(seen["server_name"], "sonic");

    // One action, then a batch with an invalid action: a tool error naming the problem.
    assert_eq!(seen["track_error"], false);
    assert_eq!(seen["track_result"]["version"], 1);
    assert_eq!(seen["bad_batch_error"], true);
    let bad = seen["bad_batch_text"].as_str().unwrap();
    assert!(
        bad.contains("OUT_OF_RANGE") && bad.contains("ROLLED_BACK"),
        "{bad}"
    );
    assert_eq!(seen["missing_field_error"], true);
    assert_eq!(seen["good_batch_version"], 2);
    assert!(
        seen["unknown_tool"]
            .as_str()
            .unwrap()
            .starts_with("protocol error"),
        "{}",
        seen["unknown_tool"]
    );

    // Reading the state shows the calls.
    let state = seen["state"].as_str().unwrap();
    assert!(
        state.contains("128 BPM")
            && state.contains("\"Lead\" (id lead)")
            && state.contains("2 notes"),
        "{state}"
    );
    let history = seen["history"].as_array().unwrap();
    let sources: Vec<&str> = history
        .iter()
        .map(|h| h["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["original", "ai", "ai"]);
    assert_eq!(seen["samples_total"], 0);

    // The server held the data-directory lock: a writing CLI command was refused.
    assert_eq!(seen["cli_while_serving"]["code"], 1);
    assert!(seen["cli_while_serving"]["stderr"]
        .as_str()
        .unwrap()
        .contains("locked"));

    // On disk, after the server stopped.
    let id = seen["composition_id"].as_str().unwrap();
    let shown = sandbox.sonic(&["--json", "show", id]).json();
    let song = if shown["composition"].is_object() {
        &shown["composition"]
    } else {
        &shown
    };
    assert_eq!(song["name"], "MCP song");
    assert_eq!(song["tempo"], 128.0);
    assert_eq!(song["tracks"][0]["id"], "lead");
    assert_eq!(song["clips"][0]["id"], "riff");
    assert_eq!(song["clips"][0]["midi_events"].as_array().unwrap().len(), 2);
    let versions = sandbox.sonic(&["--json", "history", id]).json();
    let versions = versions
        .as_array()
        .or_else(|| versions["history"].as_array())
        .unwrap()
        .clone();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[2]["message"], "riff [create_midi_clip, set_tempo]");
    // Nothing but the protocol went to stdout, and the lock is free again.
    sandbox.sonic(&["new", "After"]).ok();
}
