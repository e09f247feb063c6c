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
    let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tone = tests.join("fixtures/audio/tone.flac");
    let imported = sandbox
        .sonic(&["--json", "sample", "import", tone.to_str().unwrap()])
        .json();
    let sample_id = imported["imported"][0]["id"].as_str().unwrap().to_string();
    let output = Command::new(&python)
        .arg(tests.join("mcp_client.py"))
        .arg(sonic_bin())
        .arg(sandbox.data_dir())
        .arg(&sample_id)
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
    assert_eq!(seen["listed"], serde_json::json!([seen["composition_id"]]));
    assert_eq!(seen["open_has_autosave"], false);
    assert_eq!(seen["open_missing"]["error"], true);
    assert!(seen["open_missing"]["text"]
        .as_str()
        .unwrap()
        .contains("nope"));

    // Samples: listed, analysed, then served from the cache.
    assert_eq!(seen["samples"], serde_json::json!([sample_id]));
    assert!(seen["analysis"]["summary"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(seen["analysis"]["pitch"]["has_pitch"].is_boolean());
    assert_eq!(seen["analysis_cached"], true);
    assert!(sandbox
        .data_dir()
        .join(format!("samples/cache/{sample_id}.json"))
        .is_file());
    eprintln!(
        "MCP set_track_parameter round trip: {:.2} ms",
        seen["edit_ms"].as_f64().unwrap()
    );

    // Restoring version 1 (the track, before the clip and the tempo) is a new version.
    assert_eq!(seen["restored_version"], 23);
    let restored = seen["state_after_restore"].as_str().unwrap();
    assert!(
        restored.contains("100 BPM") && !restored.contains("riff"),
        "{restored}"
    );

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
    assert_eq!(song["tempo"], 100.0);
    assert_eq!(song["tracks"][0]["id"], "lead");
    assert_eq!(song["clips"].as_array().unwrap().len(), 0);
    let versions = sandbox.sonic(&["--json", "history", id]).json();
    let versions = versions
        .as_array()
        .or_else(|| versions["history"].as_array())
        .unwrap()
        .clone();
    // The original, the track, the batch, 20 edits, the restore.
    assert_eq!(versions.len(), 24);
    assert_eq!(versions[2]["message"], "riff [create_midi_clip, set_tempo]");
    assert_eq!(versions[23]["source"], "restore");
    let riff = sandbox
        .sonic(&["--json", "show", id, "--version", "2"])
        .json();
    let riff = if riff["composition"].is_object() {
        &riff["composition"]
    } else {
        &riff
    };
    assert_eq!(riff["tempo"], 128.0);
    assert_eq!(riff["clips"][0]["id"], "riff");
    assert_eq!(riff["clips"][0]["midi_events"].as_array().unwrap().len(), 2);
    // Nothing but the protocol went to stdout, and the lock is free again.
    sandbox.sonic(&["new", "After"]).ok();
}
