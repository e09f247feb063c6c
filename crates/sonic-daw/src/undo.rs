//! Undo and redo: bounded stacks of snapshots, and the [`Scope`] that keeps them cheap.
//!
//! A snapshot always copies the small part of a composition (tracks, mixer, effects, scenes,
//! settings) and copies the clips (the bulk: every note) only when the edit may touch them.
//! Restoring a snapshot never touches the transport's playhead (`is_playing`,
//! `current_position`): playing and seeking are live state, not edits.

use std::collections::VecDeque;

use sonic_model::{Clip, Composition};

/// Undo steps kept per composition unless configured otherwise.
pub const DEFAULT_UNDO_LIMIT: usize = 100;

/// What an edit may change, so that its undo snapshot copies only that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything but the clips: tracks, mixer, effects, scenes, tempo, loop, names. A track's
    /// clips are clips: deleting a track is [`Scope::Everything`].
    Settings,
    /// Settings and the one clip at this index, changed in place (not added, removed or
    /// moved in the list): a clip edit copies that clip, not every note of the composition.
    Clip(usize),
    /// Anything, clips included.
    Everything,
}

/// A copy of a composition taken before an edit.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The composition with an empty clip list.
    rest: Composition,
    /// The clips the scope covers.
    clips: Clips,
}

/// The part of the clip list a snapshot holds.
#[derive(Debug, Clone)]
enum Clips {
    /// None ([`Scope::Settings`]).
    Untouched,
    /// One clip and its index ([`Scope::Clip`]).
    One(usize, Box<Clip>),
    /// All of them ([`Scope::Everything`]).
    All(Vec<Clip>),
}

impl Snapshot {
    /// Copies what `scope` covers.
    pub(crate) fn take(composition: &mut Composition, scope: Scope) -> Self {
        let clips = std::mem::take(&mut composition.clips);
        let rest = composition.clone();
        composition.clips = clips;
        let clips = match scope {
            Scope::Settings => Clips::Untouched,
            Scope::Clip(index) => match composition.clips.get(index) {
                Some(clip) => Clips::One(index, Box::new(clip.clone())),
                None => Clips::All(composition.clips.clone()),
            },
            Scope::Everything => Clips::All(composition.clips.clone()),
        };
        Snapshot { rest, clips }
    }

    /// The scope this snapshot covers.
    pub(crate) fn scope(&self) -> Scope {
        match self.clips {
            Clips::Untouched => Scope::Settings,
            Clips::One(index, _) => Scope::Clip(index),
            Clips::All(_) => Scope::Everything,
        }
    }

    /// How `composition` differs from the snapshot. The clips are compared only where the
    /// scope lets an edit change them (a [`Scope::Settings`] edit leaves them alone).
    pub(crate) fn compare(&self, composition: &mut Composition) -> Change {
        let clips_same = match &self.clips {
            Clips::Untouched => true,
            Clips::One(index, clip) => composition.clips.get(*index) == Some(clip.as_ref()),
            Clips::All(clips) => *clips == composition.clips,
        };
        // Compare the rest without copying it: lend it the snapshot's clip-less list and
        // playhead, then give everything back.
        let clips = std::mem::take(&mut composition.clips);
        let playhead = (composition.is_playing, composition.current_position);
        composition.is_playing = self.rest.is_playing;
        composition.current_position = self.rest.current_position;
        let rest_same = *composition == self.rest;
        (composition.is_playing, composition.current_position) = playhead;
        composition.clips = clips;
        let playhead_same = playhead == (self.rest.is_playing, self.rest.current_position);
        match (clips_same && rest_same, playhead_same) {
            (false, _) => Change::Edit,
            (true, false) => Change::Live,
            (true, true) => Change::None,
        }
    }

    /// Puts the snapshot back exactly, playhead included (a rolled-back edit).
    pub(crate) fn restore(self, composition: &mut Composition) {
        let clips = match self.clips {
            Clips::All(clips) => clips,
            Clips::Untouched => std::mem::take(&mut composition.clips),
            Clips::One(index, clip) => {
                let mut clips = std::mem::take(&mut composition.clips);
                if let Some(slot) = clips.get_mut(index) {
                    *slot = *clip;
                }
                clips
            }
        };
        *composition = self.rest;
        composition.clips = clips;
    }

    /// Puts the snapshot back but keeps the current playhead (an undo or redo).
    pub(crate) fn restore_keeping_playhead(self, composition: &mut Composition) {
        let playing = composition.is_playing;
        let position = composition.current_position;
        self.restore(composition);
        composition.is_playing = playing;
        composition.current_position = position;
    }
}

/// What changed since a [`Snapshot`] was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing at all.
    None,
    /// Only the transport's playhead (`is_playing`, `current_position`).
    Live,
    /// Something an undo step covers.
    Edit,
}

/// Bounded undo and redo stacks of one composition.
#[derive(Debug)]
pub(crate) struct UndoStack {
    undo: VecDeque<Snapshot>,
    redo: Vec<Snapshot>,
    limit: usize,
}

impl UndoStack {
    /// Empty stacks keeping at most `limit` undo steps.
    pub(crate) fn new(limit: usize) -> Self {
        UndoStack {
            undo: VecDeque::new(),
            redo: Vec::new(),
            limit,
        }
    }

    /// Records the state before a new edit; the redo stack is cleared.
    pub(crate) fn push(&mut self, before: Snapshot) {
        self.redo.clear();
        if self.limit == 0 {
            return;
        }
        if self.undo.len() == self.limit {
            self.undo.pop_front();
        }
        self.undo.push_back(before);
    }

    /// Steps back: returns false when there is nothing to undo.
    pub(crate) fn undo(&mut self, composition: &mut Composition) -> bool {
        let Some(before) = self.undo.pop_back() else {
            return false;
        };
        self.redo.push(Snapshot::take(composition, before.scope()));
        before.restore_keeping_playhead(composition);
        true
    }

    /// Steps forward again: returns false when there is nothing to redo.
    pub(crate) fn redo(&mut self, composition: &mut Composition) -> bool {
        let Some(after) = self.redo.pop() else {
            return false;
        };
        self.undo
            .push_back(Snapshot::take(composition, after.scope()));
        after.restore_keeping_playhead(composition);
        true
    }

    /// Undo steps available.
    pub(crate) fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Redo steps available.
    pub(crate) fn redo_len(&self) -> usize {
        self.redo.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonic_model::{MidiNote, Track, TrackType};

    fn song() -> Composition {
        let mut song = Composition::new("Undo");
        let track = Track::new(song.id.clone(), "Lead", TrackType::Midi);
        let notes = vec![MidiNote::new(60, 0.0, 1.0, 100)];
        song.clips
            .push(Clip::midi(track.id.clone(), "A", 0.0, 4.0, notes));
        song.tracks.push(track);
        song
    }

    #[test]
    fn undo_then_redo_round_trips_both_scopes() {
        let mut song = song();
        let start = song.clone();
        let mut stack = UndoStack::new(10);
        stack.push(Snapshot::take(&mut song, Scope::Settings));
        song.tempo = 90.0;
        stack.push(Snapshot::take(&mut song, Scope::Everything));
        song.clips.clear();
        let edited = song.clone();
        assert!(stack.undo(&mut song) && stack.undo(&mut song));
        assert_eq!(song, start);
        assert!(!stack.undo(&mut song));
        assert!(stack.redo(&mut song) && stack.redo(&mut song));
        assert_eq!(song, edited);
    }

    #[test]
    fn a_clip_scoped_step_restores_that_clip_and_copies_no_other() {
        let mut song = song();
        let track = song.tracks[0].id.clone();
        song.clips.push(Clip::midi(track, "B", 4.0, 4.0, vec![]));
        let start = song.clone();
        let mut stack = UndoStack::new(10);
        let before = Snapshot::take(&mut song, Scope::Clip(1));
        assert!(matches!(&before.clips, Clips::One(1, clip) if clip.name == "B"));
        stack.push(before);
        song.clips[1].gain = 0.25;
        song.clips[1].midi_events = Some(vec![MidiNote::new(64, 0.0, 1.0, 90)]);
        song.tempo = 100.0;
        let edited = song.clone();
        assert!(stack.undo(&mut song));
        assert_eq!(song, start);
        assert!(stack.redo(&mut song));
        assert_eq!(song, edited);
    }

    #[test]
    fn the_oldest_step_is_dropped_at_the_limit_and_new_edits_clear_redo() {
        let mut song = song();
        let mut stack = UndoStack::new(2);
        for tempo in [100.0, 110.0, 130.0] {
            stack.push(Snapshot::take(&mut song, Scope::Settings));
            song.tempo = tempo;
        }
        assert_eq!(stack.undo_len(), 2);
        assert!(stack.undo(&mut song));
        assert_eq!(stack.redo_len(), 1);
        stack.push(Snapshot::take(&mut song, Scope::Settings));
        assert_eq!(stack.redo_len(), 0);
    }

    #[test]
    fn undo_keeps_the_playhead_where_it_is() {
        let mut song = song();
        let mut stack = UndoStack::new(5);
        stack.push(Snapshot::take(&mut song, Scope::Settings));
        song.tempo = 99.0;
        song.is_playing = true;
        song.current_position = 7.5;
        assert!(stack.undo(&mut song));
        assert_eq!(song.tempo, 120.0);
        assert!(song.is_playing);
        assert_eq!(song.current_position, 7.5);
    }
}
