//! End-to-end: the REST routes area by area, on the real `sonic-server`, checked against
//! the shapes of the original web client's contract (../shared/reference/original-api.md).

use serde_json::{json, Value};
use sonic_e2e::{call, create, err, form, multipart, ok, sine_wav, upload, Part, Sandbox, Server};

fn versions(s: &Server, base: &str) -> Vec<u64> {
    ok(call(s, "GET", &format!("{base}/history"), None, None))["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect()
}

#[test]
fn saves_snapshots_autosaves_recovery_and_history_answer_as_the_original() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &["--autosave-secs", "3600"], &[]);
    let s = &server;
    let (id, base) = create(s, "Saves");
    let dir = sandbox.data_dir().join("compositions").join(&id);
    ok(call(s, "PUT", &base, Some(json!({"tempo": 90})), None));

    // The original client's autosave hook: `create_history: false` writes no version.
    let saved = ok(call(
        s,
        "POST",
        &format!("{base}/save"),
        Some(json!({"composition_id": id, "create_history": false, "is_autosave": false})),
        None,
    ));
    assert_eq!(
        (
            &saved["status"],
            &saved["history_created"],
            &saved["version"]
        ),
        (&json!("ok"), &json!(false), &Value::Null)
    );
    assert_eq!(versions(s, &base), [0]);
    let autosaved: Value =
        serde_json::from_slice(&std::fs::read(dir.join("autosave.json")).unwrap()).unwrap();
    assert_eq!(autosaved["tempo"], 90.0);

    // A snapshot is a save with a history entry.
    let snapshot = ok(call(
        s,
        "POST",
        &format!("{base}/snapshot"),
        Some(json!({})),
        None,
    ));
    assert_eq!(
        (&snapshot["status"], &snapshot["composition_id"]),
        (&json!("ok"), &json!(id))
    );
    assert!(snapshot["message"].is_string());
    assert_eq!(versions(s, &base), [0, 1]);
    assert_eq!(
        ok(call(s, "GET", &format!("{base}/history/1"), None, None))["tempo"],
        90.0
    );
    assert_eq!(
        ok(call(s, "GET", &format!("{base}/history/0"), None, None))["tempo"],
        120.0
    );

    // Autosave over HTTP, then recover it: a new version, `status: ok` like a save.
    ok(call(
        s,
        "PUT",
        &base,
        Some(json!({"name": "Saves 2"})),
        None,
    ));
    let autosave = ok(call(s, "POST", &format!("{base}/autosave"), None, None));
    assert_eq!(
        (&autosave["status"], &autosave["history_created"]),
        (&json!("ok"), &json!(false))
    );
    assert!(dir.join("autosave.json").exists());
    ok(call(
        s,
        "PUT",
        &base,
        Some(json!({"name": "Saves 3"})),
        None,
    ));
    let recovered = ok(call(
        s,
        "POST",
        &format!("{base}/recover-autosave"),
        None,
        None,
    ));
    assert_eq!(
        (
            &recovered["status"],
            &recovered["composition_id"],
            &recovered["version"]
        ),
        (&json!("ok"), &json!(id), &json!(2))
    );
    assert_eq!(ok(call(s, "GET", &base, None, None))["name"], "Saves 2");

    // Restore: `version` is the version restored, `new_version` the one written.
    let restored = ok(call(
        s,
        "POST",
        &format!("{base}/history/0/restore"),
        None,
        None,
    ));
    assert_eq!(
        (
            &restored["status"],
            &restored["version"],
            &restored["new_version"]
        ),
        (&json!("ok"), &json!(0), &json!(3))
    );
    assert_eq!(ok(call(s, "GET", &base, None, None))["tempo"], 120.0);
}

#[test]
fn load_all_opens_every_composition_and_a_sample_rename_relabels_open_tracks() {
    let sandbox = Sandbox::new();
    let mut ids = Vec::new();
    let sample_id;
    {
        let server = Server::start(&sandbox.data_dir(), &[], &[]);
        let s = &server;
        let sample = ok(upload(s, "tone.wav", &sine_wav(330.0, 0.2), "Tone", None));
        sample_id = sample["sample"]["id"].as_str().unwrap().to_string();
        for name in ["A", "B", "Broken"] {
            let (id, base) = create(s, name);
            ok(call(
                s,
                "POST",
                &format!("{base}/tracks"),
                Some(json!({"id": "vox", "name": "Vox", "type": "audio",
                            "sample_id": sample_id, "sample_name": "Tone"})),
                None,
            ));
            ok(call(s, "POST", &format!("{base}/save"), None, None));
            ids.push(id);
        }
        assert_eq!(server.terminate(), Some(0));
    }
    // One composition that can no longer be read at all.
    let broken = sandbox.data_dir().join("compositions").join(&ids[2]);
    std::fs::write(broken.join("current.json"), "{ not json").unwrap();
    for entry in std::fs::read_dir(broken.join("history")).unwrap() {
        std::fs::write(entry.unwrap().path(), "{ not json").unwrap();
    }

    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    let rename = |name: &str| {
        ok(call(
            s,
            "PATCH",
            &format!("/api/samples/{sample_id}?name={name}"),
            Some(json!({})),
            None,
        ))
    };
    let label = |id: &str| {
        ok(call(
            s,
            "GET",
            &format!("/api/compositions/{id}"),
            None,
            None,
        ))["tracks"][0]["sample_name"]
            .clone()
    };
    // Nothing is open: stored compositions keep their label.
    assert_eq!(rename("First")["sample"]["name"], "First");
    assert_eq!(label(&ids[0]), "Tone");

    let loaded = ok(call(
        s,
        "POST",
        "/api/compositions/load-all",
        Some(json!({})),
        None,
    ));
    assert_eq!(
        (&loaded["status"], &loaded["total"], &loaded["loaded"]),
        (&json!("ok"), &json!(3), &json!(2)),
        "{loaded}"
    );
    assert!(loaded["message"].as_str().unwrap().contains(&ids[2]));

    // Now both are open: a rename relabels their tracks (B was opened only by load-all).
    let renamed = rename("Second");
    assert!(
        renamed["message"].as_str().unwrap().contains("2 track"),
        "{renamed}"
    );
    assert_eq!(label(&ids[1]), "Second");
    assert_eq!(label(&ids[0]), "Second");
    // As an edit: undoable.
    ok(call(
        s,
        "POST",
        &format!("/api/compositions/{}/undo", ids[1]),
        None,
        None,
    ));
    assert_eq!(label(&ids[1]), "Tone");
}

#[test]
fn sample_routes_answer_as_the_original() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    let wav = sine_wav(440.0, 0.25);
    let uploaded = ok(upload(s, "tone.wav", &wav, "Tone", None));
    let sample_id = uploaded["sample"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/samples/{sample_id}");

    let got = ok(call(s, "GET", &path, None, None));
    assert_eq!(
        (&got["success"], &got["sample"]["name"]),
        (&json!(true), &json!("Tone"))
    );
    // Fields may come after the file too.
    let late = ok(multipart(
        s,
        "/api/samples/upload",
        &[
            Part::File("late.wav", &wav),
            Part::Field("name", "Late"),
            Part::Field("category", "After"),
        ],
        None,
    ));
    assert_eq!(
        (&late["sample"]["name"], &late["sample"]["category"]),
        (&json!("Late"), &json!("After"))
    );
    assert!(got["message"].is_string());
    let patched = ok(call(
        s,
        "PATCH",
        &format!("{path}?name=Beep&category=Synth"),
        Some(json!({})),
        None,
    ));
    assert_eq!(
        (&patched["sample"]["name"], &patched["sample"]["category"]),
        (&json!("Beep"), &json!("Synth"))
    );

    // The duration the client decoded (multipart form, as the original client sends it).
    let timed = ok(form(s, &format!("{path}/duration"), &[("duration", "1.5")]));
    assert_eq!(
        (&timed["success"], &timed["sample"]["duration"]),
        (&json!(true), &json!(1.5))
    );
    assert_eq!(
        ok(call(s, "GET", &path, None, None))["sample"]["duration"],
        1.5
    );
    assert_eq!(
        err(
            form(s, &format!("{path}/duration"), &[("duration", "soon")]),
            400
        ),
        "INVALID_VALUE"
    );
    assert_eq!(
        err(
            form(s, &format!("{path}/duration"), &[("duration", "-1")]),
            400
        ),
        "OUT_OF_RANGE"
    );
    assert_eq!(
        err(form(s, &format!("{path}/duration"), &[("other", "1")]), 400),
        "MISSING_FIELD"
    );

    // A range outside the file: 416 as JSON (not audio), saying the size.
    let beyond = ureq::get(&s.url(&format!("{path}/download")))
        .set("Range", &format!("bytes={}-", wav.len() + 10))
        .call();
    let Err(ureq::Error::Status(416, response)) = beyond else {
        panic!("expected 416, got {beyond:?}");
    };
    assert_eq!(response.content_type(), "application/json");
    assert_eq!(
        response.header("Content-Range"),
        Some(format!("bytes */{}", wav.len()).as_str())
    );
    let body: Value = serde_json::from_str(&response.into_string().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "RANGE_NOT_SATISFIABLE");

    // Delete: `{success: true, message}`, and it is gone.
    let deleted = ok(call(s, "DELETE", &path, None, None));
    assert_eq!(deleted["success"], true, "{deleted}");
    assert!(deleted["message"].is_string());
    assert_eq!(
        err(call(s, "GET", &path, None, None), 404),
        "SAMPLE_NOT_FOUND"
    );
    assert_eq!(
        err(
            form(s, &format!("{path}/duration"), &[("duration", "2")]),
            404
        ),
        "SAMPLE_NOT_FOUND"
    );
}

#[test]
fn tracks_clips_and_effect_chains_over_http() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    let (_, base) = create(s, "Edits");
    for id in ["bass", "keys"] {
        ok(call(
            s,
            "POST",
            &format!("{base}/tracks"),
            Some(json!({"id": id, "name": id, "type": "midi"})),
            None,
        ));
    }
    let muted = ok(call(
        s,
        "PUT",
        &format!("{base}/tracks/bass/mute"),
        Some(json!({"is_muted": true})),
        None,
    ));
    assert_eq!(muted, json!({"status": "success", "is_muted": true}));
    let soloed = ok(call(
        s,
        "PUT",
        &format!("{base}/tracks/keys/solo"),
        Some(json!({"is_solo": true})),
        None,
    ));
    assert_eq!(soloed, json!({"status": "success", "is_solo": true}));
    let tracks = ok(call(s, "GET", &format!("{base}/tracks"), None, None));
    assert_eq!(
        (&tracks[0]["is_muted"], &tracks[1]["is_solo"]),
        (&json!(true), &json!(true))
    );

    // Clips: add two, delete one.
    for (id, start) in [("c1", 0), ("c2", 4)] {
        ok(call(
            s,
            "POST",
            &format!("{base}/clips"),
            Some(json!({"id": id, "clip_type": "midi", "track_id": "bass",
                        "start_time": start, "duration": 4})),
            None,
        ));
    }
    let deleted = ok(call(s, "DELETE", &format!("{base}/clips/c1"), None, None));
    assert_eq!(deleted["status"], "success");
    let clips = ok(call(s, "GET", &format!("{base}/clips"), None, None));
    assert_eq!(clips.as_array().unwrap().len(), 1);
    assert_eq!(clips[0]["id"], "c2");
    assert_eq!(
        err(
            call(s, "DELETE", &format!("{base}/clips/c1"), None, None),
            404
        ),
        "CLIP_NOT_FOUND"
    );

    // Effects: the catalogue at both paths, then a chain: add, move, remove, clear.
    let categories = ok(call(s, "GET", "/api/effects/categories", None, None));
    assert_eq!(
        ok(call(
            s,
            "GET",
            "/api/compositions/effects/categories",
            None,
            None
        )),
        categories
    );
    assert!(categories
        .as_array()
        .unwrap()
        .contains(&json!("Time-Based")));
    let definitions = ok(call(
        s,
        "GET",
        "/api/compositions/effects/definitions",
        None,
        None,
    ));
    assert_eq!(definitions["effects"].as_array().unwrap().len(), 15);
    let filters = ok(call(
        s,
        "GET",
        "/api/compositions/effects/categories/Filter",
        None,
        None,
    ));
    assert_eq!(
        ok(call(s, "GET", "/api/effects/categories/Filter", None, None)),
        filters
    );
    let names: Vec<&str> = filters["effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lpf", "hpf", "bpf"]);

    let chain = format!("{base}/tracks/bass/effects");
    for (id, name) in [("rev", "reverb"), ("dly", "delay"), ("cmp", "compressor")] {
        ok(call(
            s,
            "POST",
            &chain,
            Some(json!({"id": id, "effect_name": name})),
            None,
        ));
    }
    let moved = ok(call(
        s,
        "POST",
        &format!("{base}/effects/rev/move"),
        Some(json!({"new_slot_index": 5})),
        None,
    ));
    assert_eq!(moved["slot_index"], 5);
    assert_eq!(
        err(
            call(
                s,
                "POST",
                &format!("{base}/effects/dly/move"),
                Some(json!({"new_slot_index": 2})),
                None
            ),
            409
        ),
        "SLOT_OCCUPIED"
    );
    let removed = ok(call(
        s,
        "DELETE",
        &format!("{base}/effects/dly"),
        None,
        None,
    ));
    assert_eq!(removed["status"], "success");
    let order: Vec<(String, u64)> = ok(call(s, "GET", &chain, None, None))["effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["slot_index"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(order, [("cmp".to_string(), 2), ("rev".to_string(), 5)]);
    let cleared = ok(call(s, "DELETE", &chain, None, None));
    assert_eq!(cleared["status"], "success");
    assert!(ok(call(s, "GET", &chain, None, None))["effects"]
        .as_array()
        .unwrap()
        .is_empty());

    // Deleting a track takes its clips and its chain with it.
    ok(call(
        s,
        "POST",
        &chain,
        Some(json!({"id": "rev2", "effect_name": "reverb"})),
        None,
    ));
    let gone = ok(call(
        s,
        "DELETE",
        &format!("{base}/tracks/bass"),
        None,
        None,
    ));
    assert_eq!(gone["status"], "success");
    let after = ok(call(s, "GET", &base, None, None));
    assert_eq!(after["tracks"].as_array().unwrap().len(), 1);
    assert!(after["clips"].as_array().unwrap().is_empty());
    assert!(after["track_effects"].as_array().unwrap().is_empty());
    assert_eq!(
        err(
            call(
                s,
                "PUT",
                &format!("{base}/tracks/bass/mute"),
                Some(json!({"is_muted": false})),
                None
            ),
            404
        ),
        "TRACK_NOT_FOUND"
    );
}

#[test]
fn transport_states_and_answers_match_the_original() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    let (id, base) = create(s, "Transport");
    let t = |method: &str, action: &str, body: Option<Value>| {
        ok(call(
            s,
            method,
            &format!("{base}/transport{action}"),
            body,
            None,
        ))
    };
    let stopped = t("GET", "", None);
    assert_eq!(
        (&stopped["status"], &stopped["state"]),
        (&json!("stopped"), &json!("stopped"))
    );

    let playing = t("POST", "/play", Some(json!({"position": 0})));
    assert_eq!(
        (
            &playing["status"],
            &playing["composition_id"],
            &playing["position"]
        ),
        (&json!("playing"), &json!(id), &json!(0.0))
    );
    // Paused at beat 0 is still paused, not stopped.
    let paused = t("POST", "/pause", None);
    assert_eq!(
        (&paused["status"], &paused["is_paused"], &paused["position"]),
        (&json!("paused"), &json!(true), &json!(0.0))
    );
    assert_eq!(t("GET", "", None)["status"], "paused");
    // Seek keeps the pause; its answer is `success` as in the original.
    let sought = t("POST", "/seek", Some(json!({"position": 6})));
    assert_eq!(
        (&sought["status"], &sought["state"], &sought["position"]),
        (&json!("success"), &json!("paused"), &json!(6.0))
    );
    let resumed = t("POST", "/resume", None);
    assert_eq!(
        (&resumed["status"], &resumed["position"]),
        (&json!("playing"), &json!(6.0))
    );
    let tempo = t("PUT", "/tempo", Some(json!({"tempo": 100})));
    assert_eq!(
        (&tempo["status"], &tempo["tempo"], &tempo["state"]),
        (&json!("success"), &json!(100.0), &json!("playing"))
    );
    let looped = t(
        "PUT",
        "/loop",
        Some(json!({"enabled": true, "start": 4, "end": 12})),
    );
    assert_eq!(
        (
            &looped["status"],
            &looped["loop_enabled"],
            &looped["loop_start"],
            &looped["loop_end"]
        ),
        (&json!("success"), &json!(true), &json!(4.0), &json!(12.0))
    );
    let stopped = t("POST", "/stop", None);
    assert_eq!(
        (
            &stopped["status"],
            &stopped["position"],
            &stopped["is_paused"]
        ),
        (&json!("stopped"), &json!(0.0), &json!(false))
    );
    // With the loop on, play without a position starts at the loop start.
    assert_eq!(t("POST", "/play", Some(json!({})))["position"], 4.0);
    assert_eq!(
        err(
            call(
                s,
                "POST",
                &format!("{base}/transport/seek"),
                Some(json!({"position": -1})),
                None
            ),
            400
        ),
        "OUT_OF_RANGE"
    );
}

#[test]
fn assistant_action_state_and_tools_over_http() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    let (id, base) = create(s, "Assist");

    // One action, in the original envelope: an ActionResult, saved as an `ai` version.
    let result = ok(call(
        s,
        "POST",
        "/api/assistant/action",
        Some(json!({"composition_id": id, "action": "create_track",
                    "parameters": {"id": "lead", "name": "Lead", "type": "midi", "instrument": "sine"}})),
        None,
    ));
    assert_eq!(
        (
            &result["success"],
            &result["action"],
            &result["data"]["track_id"]
        ),
        (&json!(true), &json!("create_track"), &json!("lead"))
    );
    assert!(result["error"].is_null());
    ok(call(
        s,
        "POST",
        "/api/assistant/action",
        Some(
            json!({"composition_id": id, "action": "create_midi_clip", "track_id": "lead",
                    "start_time": 0, "duration": 4, "notes": [{"n": 60, "s": 0, "d": 1, "v": 90}, {"n": 64, "s": 1, "d": 1}]}),
        ),
        None,
    ));
    assert_eq!(versions(s, &base).len(), 3);

    // The state in the original's snapshot shape.
    let state = |body: Value| ok(call(s, "POST", "/api/assistant/state", Some(body), None));
    let full = state(json!({"composition_id": id}));
    assert_eq!(
        (&full["is_diff"], &full["diff"]),
        (&json!(false), &Value::Null)
    );
    let snapshot = &full["full_state"];
    let hash = snapshot["state_hash"].as_str().unwrap().to_string();
    assert_eq!(full["state_hash"], hash.as_str());
    assert_eq!(
        (
            &snapshot["playing"],
            &snapshot["position"],
            &snapshot["tempo"]
        ),
        (&json!(false), &json!(0.0), &json!(120.0))
    );
    assert!(snapshot["timestamp"].is_string());
    assert!(snapshot.as_object().unwrap().contains_key("audio"));
    let sequence = &snapshot["sequence"];
    assert_eq!(
        (&sequence["id"], &sequence["name"], &sequence["time_sig"]),
        (&json!(id), &json!("Assist"), &json!("4/4"))
    );
    assert_eq!(
        sequence["tracks"][0],
        json!({"id": "lead", "name": "Lead", "type": "midi", "instrument": "sine",
               "vol": 1.0, "pan": 0.0, "muted": false, "solo": false, "effects": []})
    );
    let clip = &sequence["clips"][0];
    assert_eq!(
        (&clip["track"], &clip["type"], &clip["start"], &clip["dur"]),
        (&json!("lead"), &json!("midi"), &json!(0.0), &json!(4.0))
    );
    assert_eq!(
        clip["notes"][1],
        json!({"n": 64, "s": 1.0, "d": 1.0, "v": 100})
    );

    // Unchanged: everything null. Changed since the hash last sent: a diff.
    let same = state(json!({"composition_id": id, "previous_hash": hash}));
    assert_eq!(
        (&same["full_state"], &same["diff"], &same["is_diff"]),
        (&Value::Null, &Value::Null, &json!(false))
    );
    ok(call(
        s,
        "PUT",
        &format!("{base}/transport/tempo"),
        Some(json!({"tempo": 98})),
        None,
    ));
    let diff = state(json!({"composition_id": id, "previous_hash": hash}));
    assert_eq!(
        (&diff["is_diff"], &diff["full_state"]),
        (&json!(true), &Value::Null)
    );
    assert_eq!(
        diff["diff"]["changed_fields"],
        json!(["sequence", "tempo"]),
        "{diff}"
    );
    assert_eq!(diff["diff"]["changes"]["tempo"], 98.0);
    assert_ne!(diff["state_hash"], hash.as_str());
    // A hash this server does not know: the full state again.
    let unknown = state(json!({"composition_id": id, "previous_hash": "0123"}));
    assert!(unknown["full_state"].is_object());
    // Less detail: no clips, or no notes.
    let no_clips = state(json!({"composition_id": id, "detail": {"include_clips": false}}));
    assert!(no_clips["full_state"]["sequence"]["clips"]
        .as_array()
        .unwrap()
        .is_empty());
    let no_notes = state(json!({"composition_id": id, "detail": {"include_notes": false}}));
    assert!(no_notes["full_state"]["sequence"]["clips"][0]["notes"].is_null());

    // Tools in the three formats.
    let anthropic = ok(call(s, "GET", "/api/assistant/tools", None, None));
    assert!(anthropic
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "create_midi_clip" && t["input_schema"].is_object()));
    let openai = ok(call(
        s,
        "GET",
        "/api/assistant/tools?format=openai",
        None,
        None,
    ));
    assert_eq!(openai[0]["type"], "function");
    assert!(ok(call(
        s,
        "GET",
        "/api/assistant/tools?format=schema",
        None,
        None
    ))
    .is_object());
    assert_eq!(
        err(
            call(s, "GET", "/api/assistant/tools?format=yaml", None, None),
            400
        ),
        "INVALID_FORMAT"
    );
}
