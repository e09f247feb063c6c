//! [`OpenComposition`]: one composition being edited, with its undo history and whether it
//! has changes not yet written.

use sonic_model::Composition;

use crate::undo::{Change, Scope, Snapshot, UndoStack};
use crate::{song, DawError, Result};

/// How a [`OpenComposition::transaction`] ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Keep the changes as one undo step.
    Commit,
    /// Keep the changes without an undo step (live state such as the playhead).
    CommitLive,
    /// Put everything back as it was.
    Rollback,
    /// Nothing was changed.
    Unchanged,
    /// Compare with the state before: [`Outcome::Commit`] when anything an undo step covers
    /// changed, [`Outcome::CommitLive`] when only the playhead moved, [`Outcome::Unchanged`]
    /// when the composition is exactly as it was (setting a value to what it already is
    /// costs no undo step and no write).
    CommitIfChanged,
}

/// A composition open for editing: every change goes through [`OpenComposition::edit`] or
/// [`OpenComposition::transaction`], which keep the undo history and the dirty mark.
#[derive(Debug)]
pub struct OpenComposition {
    composition: Composition,
    undo: UndoStack,
    generation: u64,
    written: u64,
    /// The playhead where the transport was paused (kept in step by [`OpenComposition::seek`]);
    /// live state, never saved.
    paused_at: Option<f64>,
}

impl OpenComposition {
    /// Opens `composition` (taken as saved) keeping at most `undo_limit` undo steps.
    pub fn new(composition: Composition, undo_limit: usize) -> Self {
        OpenComposition {
            composition,
            undo: UndoStack::new(undo_limit),
            generation: 0,
            written: 0,
            paused_at: None,
        }
    }

    /// The composition as it is now.
    pub fn composition(&self) -> &Composition {
        &self.composition
    }

    /// Runs `change` as one undo step. When it fails, the composition is put back exactly as
    /// it was and the error returned.
    ///
    /// `scope` says what `change` may touch: [`Scope::Settings`] when it leaves the clips
    /// alone (cheap: the notes are not copied), [`Scope::Clip`] when it changes one clip in
    /// place, [`Scope::Everything`] otherwise. Debug builds check that an edit stayed in its
    /// scope.
    pub fn edit<T>(
        &mut self,
        scope: Scope,
        change: impl FnOnce(&mut Composition) -> Result<T>,
    ) -> Result<T> {
        self.transaction(scope, |composition| match change(composition) {
            Ok(value) => (Ok(value), Outcome::CommitIfChanged),
            Err(e) => (Err(e), Outcome::Rollback),
        })
    }

    /// Runs `work` and lets it decide how the change ends (see [`Outcome`]). This is how a
    /// batch of several changes becomes a single undo step, or nothing at all.
    pub fn transaction<T>(
        &mut self,
        scope: Scope,
        work: impl FnOnce(&mut Composition) -> (T, Outcome),
    ) -> T {
        let before = Snapshot::take(&mut self.composition, scope);
        #[cfg(debug_assertions)]
        let clips_before = (scope != Scope::Everything).then(|| self.composition.clips.clone());
        let (value, outcome) = work(&mut self.composition);
        #[cfg(debug_assertions)]
        if let Some(mut clips) = clips_before {
            if outcome != Outcome::Rollback {
                if let Scope::Clip(index) = scope {
                    // Only that clip may differ, in place.
                    if let (Some(old), Some(new)) =
                        (clips.get_mut(index), self.composition.clips.get(index))
                    {
                        *old = new.clone();
                    }
                }
                assert_eq!(
                    clips, self.composition.clips,
                    "a {scope:?} edit changed clips outside its scope"
                );
            }
        }
        let outcome = match outcome {
            Outcome::CommitIfChanged => match before.compare(&mut self.composition) {
                Change::Edit => Outcome::Commit,
                Change::Live => Outcome::CommitLive,
                Change::None => Outcome::Unchanged,
            },
            other => other,
        };
        match outcome {
            Outcome::Commit => {
                self.undo.push(before);
                self.generation += 1;
            }
            Outcome::CommitLive => self.generation += 1,
            Outcome::Rollback => before.restore(&mut self.composition),
            Outcome::Unchanged | Outcome::CommitIfChanged => {}
        }
        value
    }

    /// Starts playback (see [`song::play`]); not an undo step. Returns the start position.
    pub fn play(&mut self, from: Option<f64>) -> Result<f64> {
        let start = self.live(|c| song::play(c, from))?;
        self.paused_at = None;
        Ok(start)
    }

    /// Pauses, keeping the playhead; not an undo step.
    pub fn pause(&mut self) {
        self.live(|c| {
            song::pause(c);
            Ok(())
        })
        .expect("pausing cannot fail");
        self.paused_at = Some(self.composition.current_position);
    }

    /// Stops and rewinds; not an undo step.
    pub fn stop(&mut self) {
        self.live(|c| {
            song::stop(c);
            Ok(())
        })
        .expect("stopping cannot fail");
        self.paused_at = None;
    }

    /// Moves the playhead; not an undo step. A paused transport stays paused.
    pub fn seek(&mut self, position: f64) -> Result<()> {
        self.live(|c| song::seek(c, position))?;
        if self.paused_at.is_some() {
            self.paused_at = Some(position);
        }
        Ok(())
    }

    /// True when the transport was paused (even at beat 0) and has neither played nor moved
    /// since, other than by [`OpenComposition::seek`]. A stopped transport is not paused.
    /// A change made straight to the composition (an AI action) ends the pause when it starts
    /// playback or moves the playhead; one that ends where the pause was is not noticed.
    pub fn is_paused(&self) -> bool {
        !self.composition.is_playing && self.paused_at == Some(self.composition.current_position)
    }

    fn live<T>(&mut self, change: impl FnOnce(&mut Composition) -> Result<T>) -> Result<T> {
        self.transaction(Scope::Settings, |c| match change(c) {
            Ok(v) => (Ok(v), Outcome::CommitLive),
            Err(e) => (Err(e), Outcome::Rollback),
        })
    }

    /// Undoes the last edit (the playhead stays where it is).
    pub fn undo(&mut self) -> Result<()> {
        if !self.undo.undo(&mut self.composition) {
            return Err(DawError::NothingToUndo);
        }
        self.generation += 1;
        Ok(())
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) -> Result<()> {
        if !self.undo.redo(&mut self.composition) {
            return Err(DawError::NothingToRedo);
        }
        self.generation += 1;
        Ok(())
    }

    /// Undo steps available.
    pub fn undo_count(&self) -> usize {
        self.undo.undo_len()
    }

    /// Redo steps available.
    pub fn redo_count(&self) -> usize {
        self.undo.redo_len()
    }

    /// True when there are changes since the last write (save or autosave).
    pub fn is_dirty(&self) -> bool {
        self.generation != self.written
    }

    /// A counter that grows with every change; pass it to [`OpenComposition::mark_written`].
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Records that the state of `generation` was written to disk.
    pub fn mark_written(&mut self, generation: u64) {
        self.written = self.written.max(generation);
    }

    /// Mutable access for writers that must stamp the composition (the store's `save` sets
    /// `updated_at`). Not an edit: no undo step, no dirty mark.
    pub(crate) fn composition_for_write(&mut self) -> &mut Composition {
        &mut self.composition
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracks::{self, NewTrack};
    use sonic_model::TrackType;

    #[test]
    fn a_failed_edit_changes_nothing_and_leaves_no_undo_step() {
        let mut open = OpenComposition::new(Composition::new("E"), 10);
        let before = open.composition().clone();
        let err = open
            .edit(Scope::Settings, |c| {
                tracks::add_track(c, NewTrack::new("ok", TrackType::Midi))?;
                tracks::add_track(c, NewTrack::new("", TrackType::Midi))
            })
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_VALUE");
        assert_eq!(open.composition(), &before);
        assert_eq!(open.undo_count(), 0);
        assert!(!open.is_dirty());
    }

    #[test]
    fn edits_mark_dirty_until_written_and_undo_counts_as_a_change() {
        let mut open = OpenComposition::new(Composition::new("E"), 10);
        open.edit(Scope::Settings, |c| song::set_tempo(c, 90.0))
            .unwrap();
        assert!(open.is_dirty());
        open.mark_written(open.generation());
        assert!(!open.is_dirty());
        open.undo().unwrap();
        assert!(open.is_dirty());
        assert_eq!(open.composition().tempo, 120.0);
        open.redo().unwrap();
        assert_eq!(open.composition().tempo, 90.0);
        assert_eq!(open.redo().unwrap_err().code(), "NOTHING_TO_REDO");
    }

    #[test]
    fn commit_if_changed_costs_nothing_when_nothing_changed() {
        let mut open = OpenComposition::new(Composition::new("C"), 10);
        let before = open.composition().clone();
        let generation = open.generation();
        for scope in [Scope::Settings, Scope::Clip(0), Scope::Everything] {
            open.transaction(scope, |c| {
                song::set_tempo(c, 120.0).unwrap();
                ((), Outcome::CommitIfChanged)
            });
        }
        assert_eq!(open.composition(), &before);
        assert_eq!((open.undo_count(), open.generation()), (0, generation));
        assert!(!open.is_dirty());

        // Only the playhead moved: live state, written but not an undo step.
        open.transaction(Scope::Settings, |c| {
            song::seek(c, 4.0).unwrap();
            ((), Outcome::CommitIfChanged)
        });
        assert_eq!(open.undo_count(), 0);
        assert!(open.is_dirty());

        // A real change is one undo step, even when the playhead moved too.
        open.transaction(Scope::Everything, |c| {
            song::seek(c, 8.0).unwrap();
            song::set_tempo(c, 90.0).unwrap();
            ((), Outcome::CommitIfChanged)
        });
        assert_eq!(open.undo_count(), 1);
        open.undo().unwrap();
        assert_eq!(open.composition().tempo, 120.0);
    }

    #[test]
    fn commit_if_changed_sees_a_change_to_a_clip() {
        let mut song = Composition::new("C");
        let track = tracks::add_track(&mut song, NewTrack::new("T", TrackType::Midi)).unwrap();
        song.clips
            .push(sonic_model::Clip::midi(track, "A", 0.0, 4.0, vec![]));
        let mut open = OpenComposition::new(song, 10);
        open.transaction(Scope::Clip(0), |c| {
            c.clips[0].gain = 0.5;
            ((), Outcome::CommitIfChanged)
        });
        open.transaction(Scope::Everything, |c| {
            c.clips[0].is_muted = true;
            ((), Outcome::CommitIfChanged)
        });
        assert_eq!(open.undo_count(), 2);
    }

    #[test]
    fn transport_changes_are_live_state_not_undo_steps() {
        let mut open = OpenComposition::new(Composition::new("P"), 10);
        open.play(Some(2.0)).unwrap();
        open.seek(3.0).unwrap();
        assert_eq!(open.undo_count(), 0);
        assert!(open.is_dirty());
        assert!(open.seek(-1.0).is_err());
        assert_eq!(open.composition().current_position, 3.0);
        open.pause();
        open.stop();
        assert_eq!(open.composition().current_position, 0.0);
    }

    #[test]
    fn a_pause_is_remembered_even_at_beat_0_until_play_or_stop() {
        let mut open = OpenComposition::new(Composition::new("P"), 10);
        assert!(!open.is_paused());
        open.play(None).unwrap();
        open.pause();
        assert!(open.is_paused(), "paused at beat 0 is not stopped");
        open.seek(2.0).unwrap();
        assert!(open.is_paused(), "seeking keeps a pause");
        open.play(None).unwrap();
        assert!(!open.is_paused());
        open.pause();
        open.stop();
        assert!(!open.is_paused());
        open.pause();
        open.transaction(Scope::Settings, |c| {
            song::play(c, Some(1.0)).unwrap();
            song::stop(c);
            ((), Outcome::CommitLive)
        });
        assert!(
            open.is_paused(),
            "a stop back to the paused beat 0 is indistinguishable"
        );
        open.seek(3.0).unwrap();
        open.transaction(Scope::Settings, |c| {
            song::stop(c);
            ((), Outcome::CommitLive)
        });
        assert!(
            !open.is_paused(),
            "a stop made straight to the composition ends the pause"
        );
    }
}
