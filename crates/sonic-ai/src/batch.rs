//! Batches: [`execute_batch`] runs actions on an open composition as one undo step;
//! [`apply_batch`] does that in a [`Studio`] and saves the result as one history version of
//! source `ai`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sonic_daw::{OpenComposition, Outcome, Scope, Studio};
use sonic_model::{Composition, HistorySource, Id, ModelError};

use crate::execute::execute;
use crate::{DawAction, ParseError};

/// The answer to one action, with the original's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionResult {
    /// It took effect.
    pub success: bool,
    /// Action name.
    pub action: String,
    /// Human text.
    pub message: String,
    /// Ids and new values (on success).
    pub data: Option<Value>,
    /// A stable code on failure: `TRACK_NOT_FOUND`, `OUT_OF_RANGE`, `INVALID_PARAMETERS`,
    /// `ROLLED_BACK` (an atomic batch failed later), `NOT_EXECUTED` (after the failure), ...
    pub error: Option<String>,
}

impl ActionResult {
    fn failed(action: &str, code: &str, message: String) -> Self {
        ActionResult {
            success: false,
            action: action.into(),
            message,
            data: None,
            error: Some(code.into()),
        }
    }

    fn from_parse_error(e: &ParseError) -> Self {
        Self::failed(e.action(), e.code(), e.to_string())
    }
}

/// What a batch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchReport {
    /// One result per action, in order.
    pub results: Vec<ActionResult>,
    /// Every action succeeded.
    pub all_succeeded: bool,
    /// Actions that did not take effect.
    pub failed_count: usize,
    /// The composition changed.
    pub changed: bool,
}

impl BatchReport {
    /// `create_track, create_midi_clip ×3, set_tempo`: the actions that took effect, in the
    /// order they first appear, repeats counted.
    pub fn summary(&self) -> String {
        let mut names: Vec<(&str, usize)> = Vec::new();
        for result in self.results.iter().filter(|r| r.success) {
            match names.iter_mut().find(|(n, _)| *n == result.action) {
                Some((_, count)) => *count += 1,
                None => names.push((&result.action, 1)),
            }
        }
        names
            .iter()
            .map(|(name, count)| match count {
                1 => name.to_string(),
                n => format!("{name} ×{n}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Parses every value as an action; each bad one becomes an error for [`execute_parsed`].
pub fn parse_actions(values: Vec<Value>) -> Vec<Result<DawAction, ParseError>> {
    values.into_iter().map(DawAction::from_value).collect()
}

/// Runs `actions` on `open` as a single undo step.
///
/// Atomic: all or nothing. The first failure stops the batch and puts the composition back
/// exactly as it was (earlier results become `ROLLED_BACK`, later ones `NOT_EXECUTED`).
/// Non-atomic: every action runs; those that fail change nothing and are reported.
pub fn execute_batch(
    open: &mut OpenComposition,
    actions: &[DawAction],
    atomic: bool,
) -> BatchReport {
    let parsed = actions.iter().cloned().map(Ok).collect();
    execute_parsed(open, parsed, atomic)
}

/// [`execute_batch`] for actions that may have failed to parse (they count as failures).
pub fn execute_parsed(
    open: &mut OpenComposition,
    actions: Vec<Result<DawAction, ParseError>>,
    atomic: bool,
) -> BatchReport {
    let touches_clips = actions.iter().flatten().any(DawAction::touches_clips);
    let scope = if touches_clips {
        Scope::Everything
    } else {
        Scope::Settings
    };
    let generation = open.generation();
    let mut report = open.transaction(scope, |composition| {
        let mut results: Vec<ActionResult> = Vec::with_capacity(actions.len());
        // Some action took effect (it may still have changed nothing).
        let mut applied = false;
        let mut failed_at = None;
        if atomic {
            failed_at = actions.iter().position(Result::is_err);
        }
        for (i, action) in actions.iter().enumerate() {
            // An atomic batch that already failed (or holds an unreadable action) runs nothing more.
            if atomic && failed_at.is_some() {
                results.push(match action {
                    Ok(a) => ActionResult::failed(
                        a.name(),
                        "NOT_EXECUTED",
                        "not executed: the atomic batch failed".into(),
                    ),
                    Err(e) => ActionResult::from_parse_error(e),
                });
                continue;
            }
            let action = match action {
                Ok(action) => action,
                Err(e) => {
                    results.push(ActionResult::from_parse_error(e));
                    continue;
                }
            };
            match execute(composition, action) {
                Ok(done) => {
                    applied = true;
                    results.push(ActionResult {
                        success: true,
                        action: action.name().into(),
                        message: done.message,
                        data: done.data,
                        error: None,
                    });
                }
                Err(e) => {
                    results.push(ActionResult::failed(action.name(), e.code, e.message));
                    if atomic {
                        failed_at = Some(i);
                    }
                }
            }
        }
        // A safety net: whatever the actions did, the result must be a valid composition.
        // Notes are only re-checked when the batch could touch clips.
        let invalid = applied
            .then(|| validate(composition, touches_clips).err())
            .flatten();
        let rollback = (atomic && failed_at.is_some()) || invalid.is_some();
        if rollback {
            for result in results.iter_mut().filter(|r| r.success) {
                let (code, message) = match &invalid {
                    Some(e) => (
                        "INVALID_STATE",
                        format!("rolled back: the batch would leave an invalid composition ({e})"),
                    ),
                    None => (
                        "ROLLED_BACK",
                        "rolled back: a later action of the atomic batch failed".into(),
                    ),
                };
                *result = ActionResult::failed(&result.action, code, message);
            }
        }
        let failed_count = results.iter().filter(|r| !r.success).count();
        // Actions that succeeded may still have changed nothing (a tempo set to itself, an
        // empty chain reordered): the transaction compares with the state before, and only
        // a real change becomes an undo step (or, for the playhead alone, live state).
        let outcome = match (rollback, applied) {
            (true, _) => Outcome::Rollback,
            (false, true) => Outcome::CommitIfChanged,
            (false, false) => Outcome::Unchanged,
        };
        let report = BatchReport {
            all_succeeded: failed_count == 0,
            failed_count,
            changed: false,
            results,
        };
        (report, outcome)
    });
    report.changed = open.generation() != generation;
    report
}

/// `composition.validate()`, skipping the notes (the bulk of the work) when the batch left
/// the clips alone: a batch in [`Scope::Settings`] cannot have changed them.
fn validate(composition: &mut Composition, notes_may_have_changed: bool) -> Result<(), ModelError> {
    if notes_may_have_changed {
        return composition.validate();
    }
    let notes: Vec<_> = composition
        .clips
        .iter_mut()
        .map(|clip| clip.midi_events.as_mut().map(std::mem::take))
        .collect();
    let result = composition.validate();
    for (clip, notes) in composition.clips.iter_mut().zip(notes) {
        if let (Some(slot), Some(notes)) = (clip.midi_events.as_mut(), notes) {
            *slot = notes;
        }
    }
    result
}

/// A batch applied in a studio, and the history version it was saved as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedBatch {
    /// Per-action results.
    #[serde(flatten)]
    pub report: BatchReport,
    /// The history version written (none when nothing changed).
    pub version: Option<u32>,
}

/// Runs a batch on composition `id` of `studio` and, when it changed anything, saves it as
/// one history version of source `ai` whose message names the actions (prefixed by
/// `message` when given).
pub fn apply_batch(
    studio: &Studio,
    id: &Id,
    actions: Vec<Result<DawAction, ParseError>>,
    atomic: bool,
    message: Option<&str>,
) -> Result<AppliedBatch, sonic_daw::DawError> {
    let (report, version) = studio.edit_and_save(id, |open| {
        let report = execute_parsed(open, actions, atomic);
        let save = report.changed.then(|| {
            let names = report.summary();
            let text = match message {
                Some(m) => format!("{m} [{names}]"),
                None => format!("AI: {names}"),
            };
            (HistorySource::Ai, text)
        });
        (report, save)
    })?;
    Ok(AppliedBatch { report, version })
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
