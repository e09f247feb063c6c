//! Sonic's in-memory DAW services (to come): the `Studio` of open compositions, each behind
//! its own lock; sequencer, mixer, effects, transport state, bounded undo/redo, and the
//! background autosave of changed compositions.
//!
//! It never creates top-level data folders and never plays audio.
