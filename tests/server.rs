//! End-to-end: the real `sonic-server` on an ephemeral port of 127.0.0.1, driven over HTTP.

#[allow(dead_code)] // shared with tests/chat_cli.rs, which uses all of it
mod mock_llm;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sonic_e2e::{call, create, err, ok, sine_wav, upload, Sandbox, Server};

#[test]
fn a_full_session_over_http() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    assert_eq!(ok(call(s, "GET", "/health", None, None))["status"], "ok");

    // Create (with the original client's trailing slash) and fill.
    let created = ok(call(
        s,
        "POST",
        "/api/compositions/",
        Some(json!({"name": "Session", "tempo": 110})),
        None,
    ));
    let id = created["composition_id"].as_str().unwrap().to_string();
    let base = format!("/api/compositions/{id}");
    let bass = ok(call(
        s,
        "POST",
        &format!("{base}/tracks"),
        Some(json!({"name": "Bass", "type": "midi", "instrument": "sine"})),
        None,
    ));
    let bass_id = bass["id"].as_str().unwrap().to_string();
    let clip = ok(call(
        s,
        "POST",
        &format!("{base}/clips"),
        Some(json!({
            "clip_type": "midi", "track_id": bass_id, "start_time": 0, "duration": 4,
            "midi_events": [{"note": 40, "note_name": "E2", "start_time": 0, "duration": 1, "velocity": 100}]
        })),
        None,
    ));
    let clip_id = clip["id"].as_str().unwrap().to_string();
    ok(call(
        s,
        "PUT",
        &format!("{base}/clips/{clip_id}"),
        Some(json!({"gain": 0.5, "fade_in": 0.1})),
        None,
    ));

    // Mixer and effects, scoped to this composition.
    let channel = ok(call(
        s,
        "PATCH",
        &format!("{base}/mixer/tracks/{bass_id}"),
        Some(json!({"fader": -6.0, "pan": -0.5})),
        None,
    ));
    assert_eq!(channel["fader"], -6.0);
    ok(call(
        s,
        "PATCH",
        &format!("{base}/mixer/master"),
        Some(json!({"fader": -1.5, "limiter_enabled": true})),
        None,
    ));
    let effect = ok(call(
        s,
        "POST",
        &format!("{base}/tracks/{bass_id}/effects"),
        Some(json!({"effect_name": "reverb"})),
        None,
    ));
    let effect_id = effect["id"].as_str().unwrap().to_string();
    let updated = ok(call(
        s,
        "PATCH",
        &format!("{base}/effects/{effect_id}"),
        Some(json!({"bypassed": true})),
        None,
    ));
    assert_eq!(
        updated["is_bypassed"], true,
        "the original client's `bypassed` works"
    );
    assert_eq!(
        ok(call(s, "GET", "/api/effects/definitions", None, None))["effects"]
            .as_array()
            .unwrap()
            .len(),
        15
    );

    // Transport.
    let playing = ok(call(
        s,
        "POST",
        &format!("{base}/transport/play"),
        Some(json!({})),
        None,
    ));
    assert_eq!(playing["is_playing"], true);
    ok(call(
        s,
        "POST",
        &format!("{base}/transport/seek"),
        Some(json!({"position": 8})),
        None,
    ));
    ok(call(
        s,
        "PUT",
        &format!("{base}/transport/loop"),
        Some(json!({"enabled": true, "start": 0, "end": 8})),
        None,
    ));

    // Save, history, diff.
    let saved = ok(call(
        s,
        "POST",
        &format!("{base}/save"),
        Some(json!({"composition_id": id})),
        None,
    ));
    assert_eq!(saved["version"], 1);
    let history = ok(call(s, "GET", &format!("{base}/history"), None, None));
    assert_eq!(history["history"].as_array().unwrap().len(), 2);
    let diff = ok(call(
        s,
        "GET",
        &format!("{base}/diff?from=0&to=1"),
        None,
        None,
    ));
    assert_eq!(diff["tracks"]["added"][0]["name"], "Bass");
    assert_eq!(diff["effects"]["added"].as_array().unwrap().len(), 1);

    // Restore version 0 (a new version), then undo it and redo it.
    let restored = ok(call(
        s,
        "POST",
        &format!("{base}/history/0/restore"),
        None,
        None,
    ));
    assert_eq!(
        (&restored["version"], &restored["new_version"]),
        (&json!(0), &json!(2))
    );
    assert!(ok(call(s, "GET", &base, None, None))["tracks"]
        .as_array()
        .unwrap()
        .is_empty());
    let undone = ok(call(
        s,
        "POST",
        &format!("{base}/undo"),
        Some(json!({})),
        None,
    ));
    assert_eq!(undone["composition"]["tracks"][0]["name"], "Bass");
    assert_eq!(undone["can_redo"], true);
    ok(call(s, "POST", &format!("{base}/redo"), None, None));
    ok(call(s, "POST", &format!("{base}/undo"), None, None));
    let status = ok(call(
        s,
        "GET",
        &format!("{base}/undo-redo-status"),
        None,
        None,
    ));
    assert_eq!(status["redo_stack_size"], 1);

    // A sample: upload, use in an audio clip, analyse, download with a Range.
    let sample = ok(upload(s, "tone.wav", &sine_wav(440.0, 1.0), "Tone", None));
    let sample_id = sample["sample"]["id"].as_str().unwrap().to_string();
    assert_eq!(sample["sample"]["name"], "Tone");
    let audio = ok(call(
        s,
        "POST",
        &format!("{base}/tracks"),
        Some(json!({"name": "Vox", "type": "audio", "sample_id": sample_id})),
        None,
    ));
    let audio_id = audio["id"].as_str().unwrap();
    ok(call(
        s,
        "POST",
        &format!("{base}/clips"),
        Some(json!({
            "clip_type": "audio", "track_id": audio_id, "start_time": 0, "duration": 2, "sample_id": sample_id
        })),
        None,
    ));
    let analysis = ok(call(
        s,
        "GET",
        &format!("/api/samples/{sample_id}/analysis"),
        None,
        None,
    ));
    assert_eq!(analysis["analysis"]["pitch"]["midi_note"], 69);
    let again = ok(call(
        s,
        "GET",
        &format!("/api/samples/{sample_id}/analysis"),
        None,
        None,
    ));
    assert_eq!(again["from_cache"], true);
    let ranged = ureq::get(&s.url(&format!("/api/samples/{sample_id}/download")))
        .set("Range", "bytes=0-3")
        .call()
        .unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(ranged.header("Content-Type"), Some("audio/wav"));
    let mut head = Vec::new();
    std::io::Read::read_to_end(&mut ranged.into_reader(), &mut head).unwrap();
    assert_eq!(head, b"RIFF");
    // In use by the open composition: refused unless forced.
    assert_eq!(
        err(
            call(
                s,
                "DELETE",
                &format!("/api/samples/{sample_id}"),
                None,
                None
            ),
            409
        ),
        "SAMPLE_IN_USE"
    );

    // An AI batch: one history version of source ai.
    let batch = ok(call(
        s,
        "POST",
        "/api/assistant/actions/batch",
        Some(json!({
            "composition_id": id, "atomic": true,
            "actions": [{"action": "set_tempo", "tempo": 96}, {"action": "rename_composition", "parameters": {"name": "Renamed"}}]
        })),
        None,
    ));
    assert_eq!(batch["all_succeeded"], true);
    let version = batch["version"].as_u64().unwrap();
    let history = ok(call(s, "GET", &format!("{base}/history"), None, None));
    let last = history["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            last["version"].as_u64().unwrap(),
            last["source"].as_str().unwrap()
        ),
        (version, "ai")
    );
    let context = ok(call(
        s,
        "GET",
        &format!("/api/assistant/context?composition_id={id}"),
        None,
        None,
    ));
    assert!(context["context"].as_str().unwrap().contains("Renamed"));

    // The listing sees it all.
    let list = ok(call(s, "GET", "/api/compositions", None, None));
    assert_eq!(list["compositions"][0]["name"], "Renamed");
    assert_eq!(list["compositions"][0]["track_count"], 2);
}

#[test]
fn every_error_status_has_the_json_shape() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &["--upload-limit-mb", "1"], &[]);
    let s = &server;
    let (id, base) = create(s, "Errors");

    // 400: invalid id, bad values, malformed bodies.
    assert_eq!(
        err(
            call(s, "GET", "/api/compositions/bad%20id", None, None),
            400
        ),
        "INVALID_ID"
    );
    assert_eq!(
        err(
            call(
                s,
                "POST",
                "/api/compositions",
                Some(json!({"name": "x", "tempo": 0})),
                None
            ),
            400
        ),
        "OUT_OF_RANGE"
    );
    assert_eq!(
        err(
            call(
                s,
                "POST",
                "/api/compositions",
                Some(json!({"nom": "x"})),
                None
            ),
            400
        ),
        "INVALID_BODY"
    );
    assert_eq!(
        err(
            call(
                s,
                "PUT",
                &base,
                Some(json!({"time_signature": "4/3"})),
                None
            ),
            400
        ),
        "INVALID_VALUE"
    );
    assert_eq!(
        err(
            call(s, "GET", &format!("{base}/history/notanumber"), None, None),
            400
        ),
        "INVALID_PATH"
    );
    // 404: unknown composition, track, version, route.
    assert_eq!(
        err(
            call(
                s,
                "GET",
                "/api/compositions/0b7e0c4e-5d7a-4d5e-9f1a-0c4f9b6f2a11",
                None,
                None
            ),
            404
        ),
        "COMPOSITION_NOT_FOUND"
    );
    assert_eq!(
        err(
            call(
                s,
                "PUT",
                &format!("{base}/tracks/nope"),
                Some(json!({"volume": 1})),
                None
            ),
            404
        ),
        "TRACK_NOT_FOUND"
    );
    assert_eq!(
        err(
            call(s, "GET", &format!("{base}/history/7"), None, None),
            404
        ),
        "VERSION_NOT_FOUND"
    );
    assert_eq!(
        err(call(s, "GET", "/api/nothing", None, None), 404),
        "NOT_FOUND"
    );
    // 409: nothing to undo.
    assert_eq!(
        err(call(s, "POST", &format!("{base}/undo"), None, None), 409),
        "NOTHING_TO_UNDO"
    );
    // 413 and 415: uploads.
    assert_eq!(
        err(
            upload(s, "big.wav", &sine_wav(440.0, 13.0), "Big", None),
            413
        ),
        "TOO_LARGE"
    );
    assert_eq!(
        err(
            upload(s, "notes.txt", b"just some text, not audio", "Text", None),
            415
        ),
        "NOT_AUDIO"
    );
    assert!(ok(call(s, "GET", "/api/samples", None, None))["samples"]
        .as_array()
        .unwrap()
        .is_empty());
    // 422: an invalid action changes nothing.
    let code = err(
        call(
            s,
            "POST",
            "/api/assistant/action",
            Some(json!({"composition_id": id, "action": "set_tempo", "tempo": 900})),
            None,
        ),
        422,
    );
    assert_eq!(code, "INVALID_ACTION");
    assert_eq!(ok(call(s, "GET", &base, None, None))["tempo"], 120.0);
    // 503: no LLM configured (the message names the variables).
    let reply = call(
        s,
        "POST",
        "/api/assistant/chat",
        Some(json!({"composition_id": id, "message": "hi"})),
        None,
    );
    assert_eq!(err(reply, 503), "NO_LLM");
    let reply = call(
        s,
        "POST",
        "/api/assistant/contextual-chat",
        Some(
            json!({"composition_id": id, "message": "hi", "entity_type": "composition", "entity_id": id}),
        ),
        None,
    );
    assert_eq!(err(reply, 503), "NO_LLM");
    // A second server on the same data directory refuses to start.
    let second =
        std::process::Command::new(sonic_e2e::workspace_bin("sonic-server", "sonic-server"))
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(sandbox.data_dir())
            .output()
            .unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("locked"),
        "{second:?}"
    );
}

#[test]
fn a_token_guards_every_route_but_health() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[("SONIC_API_TOKEN", "s3cret")]);
    let s = &server;
    assert_eq!(ok(call(s, "GET", "/health", None, None))["status"], "ok");
    assert_eq!(
        err(call(s, "GET", "/api/compositions", None, None), 401),
        "UNAUTHORIZED"
    );
    assert_eq!(
        err(
            call(s, "GET", "/api/compositions", None, Some("wrong")),
            401
        ),
        "UNAUTHORIZED"
    );
    assert_eq!(
        err(call(s, "GET", "/api/openapi.json", None, None), 401),
        "UNAUTHORIZED"
    );
    ok(call(s, "GET", "/api/compositions", None, Some("s3cret")));
    ok(call(
        s,
        "POST",
        "/api/compositions",
        Some(json!({"name": "Mine"})),
        Some("s3cret"),
    ));
    let spec = ok(call(s, "GET", "/api/openapi.json", None, Some("s3cret")));
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    // The scheme is case-insensitive (RFC 9110); the token is not.
    for (header, status) in [
        ("bearer s3cret", 200),
        ("BEARER  s3cret", 200),
        ("bearer S3CRET", 401),
        ("Basic s3cret", 401),
        ("s3cret", 401),
    ] {
        let reply = ureq::get(&s.url("/api/compositions"))
            .set("Authorization", header)
            .call();
        let got = match reply {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(got, status, "Authorization: {header}");
    }
}

/// Starts a server that autosaves only at shutdown, makes an unsaved edit, sends `signal`
/// and checks that it exited 0 having flushed the edit. Returns the sandbox and the id.
fn a_signal_flushes_an_unsaved_edit(signal: &str) -> (Sandbox, String) {
    let sandbox = Sandbox::new();
    // Autosave far in the future: only the shutdown flush can write the edit.
    let mut server = Server::start(&sandbox.data_dir(), &["--autosave-secs", "3600"], &[]);
    let (id, _) = create(&server, "Unsaved");
    ok(call(
        &server,
        "PUT",
        &format!("/api/compositions/{id}"),
        Some(json!({"tempo": 77})),
        None,
    ));
    let autosave = sandbox
        .data_dir()
        .join("compositions")
        .join(&id)
        .join("autosave.json");
    assert!(!autosave.exists());
    server.signal(signal);
    assert_eq!(server.wait_for_exit(Duration::from_secs(20)), Some(0));
    let saved: Value = serde_json::from_slice(&std::fs::read(&autosave).unwrap()).unwrap();
    assert_eq!(saved["tempo"], 77.0);
    (sandbox, id)
}

#[test]
fn sigterm_flushes_an_unsaved_edit_and_exits_0() {
    let (sandbox, id) = a_signal_flushes_an_unsaved_edit("TERM");
    // The lock is released: the CLI can recover the autosave.
    sandbox.sonic(&["recover", &id]).ok();
    assert_eq!(
        sandbox.sonic(&["show", &id, "--json"]).json()["tempo"],
        77.0
    );
}

#[test]
fn sigint_flushes_an_unsaved_edit_and_exits_0() {
    a_signal_flushes_an_unsaved_edit("INT");
}

/// Opens a connection and sends a request whose body stops after its first bytes.
fn stall_mid_body(server: &Server, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"tempo\":",
        server.addr()
    )
    .unwrap();
    stream.flush().unwrap();
    stream
}

#[test]
fn a_body_that_stops_arriving_gets_408() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &["--body-timeout-secs", "1"], &[]);
    let (id, _) = create(&server, "Stalled");
    let started = Instant::now();
    let mut stream = stall_mid_body(&server, &format!("/api/compositions/{id}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&answer).contains("BODY_TIMEOUT") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => panic!("no answer within 10 s: {e}"),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("BODY_TIMEOUT"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(8));
    // Nothing changed.
    assert_eq!(
        ok(call(
            &server,
            "GET",
            &format!("/api/compositions/{id}"),
            None,
            None
        ))["tempo"],
        120.0
    );
}

#[test]
fn a_stalled_client_cannot_keep_the_server_from_exiting() {
    let sandbox = Sandbox::new();
    // The body timeout (30 s) is far away: only the grace period can end the wait.
    let mut server = Server::start(
        &sandbox.data_dir(),
        &["--autosave-secs", "3600", "--shutdown-grace-secs", "1"],
        &[],
    );
    let (id, path) = create(&server, "Held");
    ok(call(
        &server,
        "PUT",
        &path,
        Some(json!({"tempo": 91})),
        None,
    ));
    let _stalled = stall_mid_body(&server, &path);
    // Let the request reach its handler before the signal.
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    server.signal("TERM");
    let exit = server.wait_for_exit(Duration::from_secs(15));
    assert_eq!(exit, Some(0), "still running 15 s after SIGTERM");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // The unsaved edit was flushed on the way out.
    let autosave = sandbox
        .data_dir()
        .join("compositions")
        .join(&id)
        .join("autosave.json");
    let saved: Value = serde_json::from_slice(&std::fs::read(autosave).unwrap()).unwrap();
    assert_eq!(saved["tempo"], 91.0);
}

#[test]
fn cors_answers_preflights_for_allowed_origins_only() {
    let sandbox = Sandbox::new();
    // With a token: a browser's preflight carries none and must still pass.
    let server = Server::start(&sandbox.data_dir(), &[], &[("SONIC_API_TOKEN", "tok")]);
    let s = &server;
    let allowed = "http://localhost:5173";
    let preflight = ureq::request("OPTIONS", &s.url("/api/compositions"))
        .set("Origin", allowed)
        .set("Access-Control-Request-Method", "POST")
        .set(
            "Access-Control-Request-Headers",
            "content-type,authorization",
        )
        .call()
        .expect("preflight");
    assert_eq!(preflight.status(), 200);
    assert_eq!(
        preflight.header("Access-Control-Allow-Origin"),
        Some(allowed)
    );
    let methods = preflight
        .header("Access-Control-Allow-Methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );
    let headers = preflight
        .header("Access-Control-Allow-Headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );

    let get = ureq::get(&s.url("/api/compositions"))
        .set("Origin", allowed)
        .set("Authorization", "Bearer tok")
        .call()
        .unwrap();
    assert_eq!(get.header("Access-Control-Allow-Origin"), Some(allowed));

    // Another origin gets no CORS headers (the browser then refuses the answer).
    let other = ureq::request("OPTIONS", &s.url("/api/compositions"))
        .set("Origin", "http://evil.example")
        .set("Access-Control-Request-Method", "POST")
        .call();
    let other = match other {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(other.header("Access-Control-Allow-Origin"), None);

    // `*` allows any origin.
    let sandbox = Sandbox::new();
    let any = Server::start(&sandbox.data_dir(), &["--cors-origins", "*"], &[]);
    let get = ureq::get(&any.url("/api/compositions"))
        .set("Origin", "http://elsewhere.example:3000")
        .call()
        .unwrap();
    assert_eq!(get.header("Access-Control-Allow-Origin"), Some("*"));
}

#[test]
fn background_autosave_writes_edits_within_the_interval() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &["--autosave-secs", "0.2"], &[]);
    let (id, _) = create(&server, "Auto");
    ok(call(
        &server,
        "PUT",
        &format!("/api/compositions/{id}"),
        Some(json!({"name": "Auto 2"})),
        None,
    ));
    let autosave = sandbox
        .data_dir()
        .join("compositions")
        .join(&id)
        .join("autosave.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !autosave.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no autosave after 5 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let saved: Value = serde_json::from_slice(&std::fs::read(&autosave).unwrap()).unwrap();
    assert_eq!(saved["name"], "Auto 2");
}

#[test]
fn a_cached_composition_is_never_served_stale() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &[]);
    let s = &server;
    let (_, path) = create(s, "Cache");
    let first = ok(call(s, "GET", &path, None, None));
    assert_eq!(ok(call(s, "GET", &path, None, None)), first);
    ok(call(s, "PUT", &path, Some(json!({"tempo": 140})), None));
    assert_eq!(ok(call(s, "GET", &path, None, None))["tempo"], 140.0);
    ok(call(s, "POST", &format!("{path}/undo"), None, None));
    assert_eq!(ok(call(s, "GET", &path, None, None))["tempo"], 120.0);
    ok(call(
        s,
        "POST",
        &format!("{path}/transport/seek"),
        Some(json!({"position": 3})),
        None,
    ));
    assert_eq!(
        ok(call(s, "GET", &path, None, None))["current_position"],
        3.0
    );
    ok(call(s, "POST", &format!("{path}/save"), None, None));
    let saved = ok(call(s, "GET", &path, None, None));
    assert_ne!(saved["updated_at"], first["updated_at"]);
    ok(call(s, "DELETE", &path, None, None));
    assert_eq!(
        err(call(s, "GET", &path, None, None), 404),
        "COMPOSITION_NOT_FOUND"
    );
}

#[test]
fn chat_runs_the_models_tool_calls_and_saves_one_ai_version() {
    use mock_llm::{MockLlm, Protocol};
    let protocol = Protocol::OpenAi;
    let mock = MockLlm::start(vec![
        protocol.tool_calls(&[(
            "create_track",
            json!({"id": "drums", "name": "Drums", "type": "midi"}),
        )]),
        protocol.text("I added a drum track."),
        protocol.tool_calls(&[(
            "set_track_parameter",
            json!({"track_id": "drums", "parameter": "volume", "value": 0.5}),
        )]),
        protocol.text("Turned the drums down."),
    ]);
    let env = mock.env(protocol);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox.data_dir(), &[], &env);
    let s = &server;
    let (id, _) = create(s, "Chatty");
    let reply = ok(call(
        s,
        "POST",
        "/api/assistant/chat",
        Some(json!({"composition_id": id, "message": "add drums"})),
        None,
    ));
    assert_eq!(reply["response"], "I added a drum track.");
    // The original's fields, null in Sonic.
    assert!(reply["musical_context"].is_null() && reply["routing_intent"].is_null());
    assert!(reply.as_object().unwrap().contains_key("routing_intent"));
    assert_eq!(reply["actions_executed"][0]["success"], true);
    let base = format!("/api/compositions/{id}");
    assert_eq!(
        ok(call(s, "GET", &base, None, None))["tracks"][0]["id"],
        "drums"
    );
    let history = ok(call(s, "GET", &format!("{base}/history"), None, None));
    let last = history["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["source"].as_str(), last["message"].as_str()),
        (Some("ai"), Some("add drums"))
    );
    let chat = ok(call(s, "GET", &format!("{base}/chat-history"), None, None));
    assert_eq!(chat["chat_history"].as_array().unwrap().len(), 2);

    // Contextual chat: about one track, in the original's answer shape.
    let about_drums = |entity_id: &str| {
        call(
            s,
            "POST",
            "/api/assistant/contextual-chat",
            Some(json!({"composition_id": id, "message": "quieter please",
                        "entity_type": "track", "entity_id": entity_id,
                        "additional_context": {"volume": 1.0}, "response_style": "concise"})),
            None,
        )
    };
    assert_eq!(err(about_drums("nope"), 404), "ENTITY_NOT_FOUND");
    let reply = ok(about_drums("drums"));
    assert_eq!(reply["response"], "Turned the drums down.");
    assert_eq!(
        (&reply["entity_type"], &reply["entity_id"]),
        (&json!("track"), &json!("drums"))
    );
    assert_eq!(
        reply["affected_entities"],
        json!([{"type": "track", "id": "drums"}])
    );
    assert_eq!(
        reply["actions_executed"][0]["action"],
        "set_track_parameter"
    );
    assert!(reply["musical_context"].is_null() && reply["routing_intent"].is_null());
    assert_eq!(
        ok(call(s, "GET", &base, None, None))["tracks"][0]["volume"],
        0.5
    );
    // The model was told what the request is about.
    let asked = mock.received()[2].body.to_string();
    assert!(
        asked.contains(
            r#"[About track \"Drums\" (drums); context: {\"volume\":1.0}] quieter please"#
        ),
        "{asked}"
    );
}
