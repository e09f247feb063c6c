//! Chat agent benchmark (docs/BENCHMARKS.md): what an exchange costs besides the model, on a
//! 4,096-note composition. The model is a script answering at once: one round of 10 tool
//! calls, then the final text. Measured: two system prompts with the context, the tool
//! definitions, the 10 actions on the working copy, and the commit (one undo step, one `ai`
//! history version written with fsync).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::json;
use sonic_ai::llm::{LlmError, LlmProvider, LlmRequest, LlmResponse, StopReason, ToolCall};
use sonic_ai::{build_context, chat, chat_tools, ChatOptions, ContextOptions};
use sonic_daw::{tracks, Outcome, Scope, Studio, StudioConfig};
use sonic_model::{Clip, Composition, Id, MidiNote, TrackType};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

/// 16 tracks `t0..t15` × 8 MIDI clips × 32 notes = 4,096 notes.
fn big_composition() -> Composition {
    let mut song = Composition::new("Benchmark");
    for t in 0..16 {
        let mut new = tracks::NewTrack::new(format!("Track {t}"), TrackType::Midi);
        new.id = Some(Id::parse(&format!("t{t}")).unwrap());
        new.instrument = Some("sine".into());
        let track = tracks::add_track(&mut song, new).unwrap();
        for c in 0..8 {
            let notes = (0..32)
                .map(|n| MidiNote::new(36 + (n * 7 % 48) as u8, f64::from(n) * 0.125, 0.25, 90))
                .collect();
            let mut clip = Clip::midi(
                track.clone(),
                format!("Clip {c}"),
                f64::from(c) * 4.0,
                4.0,
                notes,
            );
            clip.id = Id::parse(&format!("t{t}c{c}")).unwrap();
            song.clips.push(clip);
        }
    }
    song
}

/// Even calls: 10 tool calls; odd calls: the final text.
struct Script {
    calls: AtomicUsize,
    /// False: always the final text.
    tool_rounds: bool,
}

impl LlmProvider for Script {
    fn describe(&self) -> String {
        "script".into()
    }

    async fn complete(&self, _request: &LlmRequest) -> Result<LlmResponse, LlmError> {
        let n = self.calls.fetch_add(1, Ordering::Relaxed);
        if n % 2 == 1 || !self.tool_rounds {
            return Ok(LlmResponse {
                text: "Done.".into(),
                tool_calls: Vec::new(),
                stop_reason: StopReason::EndTurn,
            });
        }
        let tool_calls = (0..10)
            .map(|i| ToolCall {
                id: format!("call_{i}"),
                name: "set_track_parameter".into(),
                arguments: Ok(json!({"track_id": format!("t{i}"), "parameter": "volume", "value": 0.5 + f64::from(i) / 100.0})),
            })
            .collect();
        Ok(LlmResponse {
            text: String::new(),
            tool_calls,
            stop_reason: StopReason::ToolUse,
        })
    }
}

fn clear_chat(studio: &Studio, id: &Id) {
    studio
        .with(id, |open| {
            open.transaction(Scope::Settings, |c| {
                c.chat_history.clear();
                ((), Outcome::Commit)
            })
        })
        .unwrap();
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let studio = Studio::new(
        CompositionStore::open(config, lock).unwrap(),
        StudioConfig::default(),
    );
    let id = studio.create(big_composition()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let model = Script {
        calls: AtomicUsize::new(0),
        tool_rounds: true,
    };
    let samples = BTreeMap::new();
    let options = ChatOptions::default();

    c.bench_function(
        "chat exchange (10 tool calls, 2 rounds) + history write, 4,096 notes",
        |b| {
            // Each exchange starts from an empty chat history, so the saved file stays the size
            // of the composition (clearing it is not measured).
            b.iter_batched(
                || clear_chat(&studio, &id),
                |()| {
                    runtime
                        .block_on(chat(&model, &studio, &id, "louder", &samples, &options))
                        .unwrap()
                },
                BatchSize::PerIteration,
            )
        },
    );
    let talk = Script {
        calls: AtomicUsize::new(1),
        tool_rounds: false,
    };
    c.bench_function(
        "chat exchange (text only, 1 round) + history write, 4,096 notes",
        |b| {
            b.iter_batched(
                || clear_chat(&studio, &id),
                |()| {
                    runtime
                        .block_on(chat(&talk, &studio, &id, "hello", &samples, &options))
                        .unwrap()
                },
                BatchSize::PerIteration,
            )
        },
    );
    let song = studio.snapshot(&id).unwrap();
    c.bench_function("context rendering, 4,096 notes", |b| {
        b.iter(|| build_context(&song, &samples, &ContextOptions::default()))
    });
    c.bench_function("chat tool definitions (27 schemas)", |b| b.iter(chat_tools));
}

criterion_group! {
    name = chat_benches;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(chat_benches);
