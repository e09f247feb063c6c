//! Sonic's AI action layer: the 27 [`DawAction`]s an assistant (or a script) can run on a
//! composition, each validated before anything changes; [`execute_batch`] (atomic batches
//! really roll back, every batch is one undo step) and [`apply_batch`] (one history version of
//! source `ai` per batch that changed something); LLM [`tools`](tool_definitions) generated
//! from the Rust types; and [`build_context`], a compact text rendering of a composition.
//!
//! It never touches files itself (saving goes through `sonic-daw` and `sonic-store`). The
//! [`chat`] agent is the one part that calls a model: over HTTP, through an [`llm`] provider
//! (Anthropic or OpenAI-compatible) configured from the environment.
//!
//! ```
//! use sonic_ai::{execute_batch, DawAction};
//! use sonic_daw::OpenComposition;
//! use sonic_model::Composition;
//!
//! let mut open = OpenComposition::new(Composition::new("Demo"), 100);
//! let actions: Vec<DawAction> = serde_json::from_str(r#"[
//!     {"action": "create_track", "id": "bass", "name": "Bass", "type": "midi", "instrument": "sine"},
//!     {"action": "create_midi_clip", "track_id": "bass", "start_time": 0, "duration": 4,
//!      "notes": [{"n": 40, "s": 0, "d": 1}, {"n": 43, "s": 1, "d": 1, "v": 90}]},
//!     {"action": "set_tempo", "parameters": {"tempo": 96}}
//! ]"#).unwrap();
//! let report = execute_batch(&mut open, &actions, true);
//! assert!(report.all_succeeded);
//! assert_eq!(open.composition().note_count(), 2);
//! open.undo().unwrap(); // the whole batch is one undo step
//! assert!(open.composition().tracks.is_empty());
//! ```

mod action;
mod batch;
mod chat;
mod context;
mod execute;
pub mod llm;
pub mod params;
mod tools;

pub use action::{DawAction, ParseError, ACTION_NAMES};
pub use batch::{
    apply_batch, execute_batch, execute_parsed, parse_actions, ActionResult, AppliedBatch,
    BatchReport,
};
pub use chat::{chat, chat_tools, system_prompt, ChatError, ChatOptions, ChatOutcome};
pub use context::{build_context, ContextOptions};
pub use execute::{execute, expand_notes, ActionError, Done};
pub use tools::{tool_definitions, tools, Tool, ToolFormat};
