//! End-to-end: `sonic apply` and `sonic tools` with the real binary.

use serde_json::{json, Value};
use sonic_e2e::Sandbox;

fn new_composition(sandbox: &Sandbox) -> String {
    sandbox.sonic(&["new", "Apply me"]).ok().trim().to_string()
}

fn write(sandbox: &Sandbox, name: &str, value: &Value) -> String {
    let path = sandbox.path().join(name);
    std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn apply_runs_a_batch_and_saves_one_ai_version() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let batch = json!([
        {"action": "create_track", "id": "drums", "name": "Drums"},
        {"action": "set_drum_kit", "parameters": {"track_id": "drums", "kit_id": "808-core"}},
        {"action": "create_midi_clip", "track_id": "drums", "start_time": 0, "duration": 4,
         "notes": [{"n": 36, "s": 0, "d": 0.5}, {"n": 38, "s": 1, "d": 0.5, "v": 90}]},
        {"action": "add_effect", "track_id": "drums", "effect_name": "compressor", "parameters": {"ratio": 4}},
        {"action": "set_tempo", "tempo": 124}
    ]);
    let file = write(&sandbox, "batch.json", &batch);
    let out = sandbox
        .sonic(&[
            "--json",
            "apply",
            &id,
            &file,
            "--atomic",
            "--message",
            "beat",
        ])
        .json();
    assert_eq!(out["all_succeeded"], true);
    assert_eq!(out["version"], 1);
    assert_eq!(out["results"].as_array().unwrap().len(), 5);

    let history = sandbox.sonic(&["--json", "history", &id]).json();
    let entries = history
        .as_array()
        .or_else(|| history["history"].as_array())
        .unwrap()
        .clone();
    let last = entries.last().unwrap();
    assert_eq!(last["source"], "ai");
    assert_eq!(
        last["message"],
        "beat [create_track, set_drum_kit, create_midi_clip, add_effect, set_tempo]"
    );

    let shown = sandbox.sonic(&["--json", "show", &id]).json();
    let song = if shown["composition"].is_object() {
        &shown["composition"]
    } else {
        &shown
    };
    assert_eq!(song["tempo"], 124.0);
    assert_eq!(song["tracks"][0]["kit_id"], "808-core");
    assert_eq!(song["clips"][0]["midi_events"].as_array().unwrap().len(), 2);

    let text = sandbox.sonic(&[
        "apply",
        &id,
        &write(&sandbox, "one.json", &json!([{"action": "stop_playback"}])),
    ]);
    assert!(text.ok().contains("ok     1  stop_playback"), "{text:?}");
}

#[test]
fn a_batch_that_changes_nothing_writes_no_version() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let folder = sandbox.data_dir().join("compositions").join(&id);
    let before = std::fs::read(folder.join("current.json")).unwrap();
    // Every action succeeds, yet each sets a value to what it already is.
    let file = write(
        &sandbox,
        "same.json",
        &json!([
            {"action": "set_tempo", "tempo": 120},
            {"action": "rename_composition", "parameters": {"name": "Apply me"}},
            {"action": "clear_composition"},
            {"action": "stop_playback"}
        ]),
    );
    let out = sandbox.sonic(&["--json", "apply", &id, &file]).json();
    assert_eq!(out["all_succeeded"], true);
    assert_eq!(out["changed"], false);
    assert_eq!(out["version"], Value::Null);
    let text = sandbox.sonic(&["apply", &id, &file]);
    assert!(text.ok().contains("nothing changed"), "{text:?}");
    assert_eq!(std::fs::read(folder.join("current.json")).unwrap(), before);
    let history = sandbox.sonic(&["--json", "history", &id]).json();
    let entries = history
        .as_array()
        .or_else(|| history["history"].as_array())
        .unwrap()
        .len();
    assert_eq!(entries, 1);
}

#[test]
fn a_failing_atomic_batch_exits_2_and_changes_no_file() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let folder = sandbox.data_dir().join("compositions").join(&id);
    let before = std::fs::read(folder.join("current.json")).unwrap();
    let file = write(
        &sandbox,
        "bad.json",
        &json!({"atomic": true, "actions": [
            {"action": "create_track", "id": "keys"},
            {"action": "set_tempo", "tempo": 1000}
        ]}),
    );
    let run = sandbox.sonic(&["--json", "apply", &id, &file]);
    let line = run.fails_with(2);
    assert!(line.contains("2 of 2 actions failed"), "{line}");
    let out: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON value");
    assert_eq!(out["results"][0]["error"], "ROLLED_BACK");
    assert_eq!(out["results"][1]["error"], "OUT_OF_RANGE");
    assert_eq!(std::fs::read(folder.join("current.json")).unwrap(), before);
    assert_eq!(
        std::fs::read_dir(folder.join("history")).unwrap().count(),
        1
    );
}

#[test]
fn a_non_atomic_batch_keeps_what_worked_but_still_exits_2() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let file = write(
        &sandbox,
        "mixed.json",
        &json!([
            {"action": "rename_composition", "name": "Renamed"},
            {"action": "teleport"}
        ]),
    );
    let run = sandbox.sonic(&["apply", &id, &file]);
    run.fails_with(2);
    assert!(run.stdout.contains("[UNKNOWN_ACTION]"), "{run:?}");
    let shown = sandbox.sonic(&["--json", "show", &id]).json();
    let song = if shown["composition"].is_object() {
        &shown["composition"]
    } else {
        &shown
    };
    assert_eq!(song["name"], "Renamed");
}

#[test]
fn bad_inputs_exit_2_with_one_line() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let file = write(&sandbox, "ok.json", &json!([{"action": "stop_playback"}]));
    sandbox.sonic(&["apply", "../etc", &file]).fails_with(2);
    sandbox
        .sonic(&["apply", "0b7e0c4e-5d7a-4d5e-9f1a-0c4f9b6f2a11", &file])
        .fails_with(2);
    let missing = sandbox.path().join("missing.json").display().to_string();
    sandbox.sonic(&["apply", &id, &missing]).fails_with(2);
    let not_json = sandbox.path().join("x.json");
    std::fs::write(&not_json, "{oops").unwrap();
    sandbox
        .sonic(&["apply", &id, &not_json.display().to_string()])
        .fails_with(2);
}

#[test]
fn tools_prints_generated_definitions_in_three_formats() {
    let sandbox = Sandbox::new();
    let anthropic = sandbox.sonic(&["tools"]).json();
    assert_eq!(anthropic.as_array().unwrap().len(), 27);
    assert!(anthropic[0]["input_schema"]["properties"].is_object());
    let openai = sandbox.sonic(&["tools", "--format", "openai"]).json();
    assert_eq!(openai[0]["type"], "function");
    let schema = sandbox
        .sonic(&["--json", "tools", "--format", "schema"])
        .json();
    assert_eq!(schema["oneOf"].as_array().unwrap().len(), 27);
    // clap rejects the unknown format (its own multi-line usage error) with exit code 2.
    assert_eq!(sandbox.sonic(&["tools", "--format", "xml"]).code, 2);
}

/// The example batch of the README's `sonic apply` section: the first `json` block after
/// its heading.
fn readme_example() -> Value {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split("### Scripted edits: `sonic apply`")
        .nth(1)
        .expect("the sonic apply section");
    let block = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a json block in the section");
    serde_json::from_str(block).expect("the README example is JSON")
}

#[test]
fn the_readme_example_batch_really_works() {
    let sandbox = Sandbox::new();
    let id = new_composition(&sandbox);
    let file = write(&sandbox, "bass.json", &readme_example());
    let out = sandbox
        .sonic(&["--json", "apply", &id, &file, "--message", "bass riff"])
        .json();
    assert_eq!(out["all_succeeded"], true, "{out}");
    assert_eq!(
        (out["atomic"].clone(), out["version"].clone()),
        (json!(true), json!(1))
    );
    let shown = sandbox.sonic(&["--json", "show", &id]).json();
    let song = if shown["composition"].is_object() {
        &shown["composition"]
    } else {
        &shown
    };
    assert_eq!(song["tempo"], 96.0);
    assert_eq!(song["tracks"][0]["id"], "bass");
    assert_eq!(song["clips"][0]["name"], "Riff");
    assert_eq!(song["clips"][0]["midi_events"].as_array().unwrap().len(), 3);
    assert_eq!(
        song["track_effects"][0]["effects"][0]["parameters"]["cutoff"],
        800.0
    );
    // Run again, it fails as a whole (the ids are taken): exit 2, nothing written.
    let again = sandbox.sonic(&["apply", &id, &file]);
    assert!(again.fails_with(2).contains("5 of 5 actions failed"));
    assert!(again.stdout.contains("[DUPLICATE_ID]"), "{again:?}");
}
