//! The hook audio clips plug into (sound.md §1.6; a later stage implements it over the sample
//! library): a [`ClipAudio`] gives, at plan time, a [`ClipSource`] for each audio clip that
//! sounds in the render; the track renders it between the clip's first and last frame, into
//! its bus, before the inserts. Without a `ClipAudio`, audio clips are silent and the report
//! counts them (`skipped_audio_clips`).

use sonic_model::{Clip, Composition, Track};

use crate::Result;

/// Where and how long an audio clip plays in a render.
#[derive(Debug, Clone, Copy)]
pub struct ClipPlacement<'a> {
    /// The composition.
    pub composition: &'a Composition,
    /// The clip's track.
    pub track: &'a Track,
    /// The clip.
    pub clip: &'a Clip,
    /// The render's sample rate, Hz.
    pub rate: u32,
    /// Seconds from the clip's start to where the render enters it: 0 when the clip starts
    /// inside the range, more when the range starts in the middle of it.
    pub entry_seconds: f64,
    /// How many frames of the clip the render plays (from the entry to the clip's or the
    /// range's end).
    pub frames: u64,
}

/// Provides the audio of clips (decoded samples, resampled to the render's rate).
pub trait ClipAudio: Sync {
    /// The source that plays `placement`'s clip, or `None` when it plays nothing. Called
    /// before the render starts, so it may decode and allocate.
    fn source(&self, placement: &ClipPlacement) -> Result<Option<Box<dyn ClipSource>>>;
}

/// An audio clip playing into its track's bus.
pub trait ClipSource: Send {
    /// Adds the clip's next `left.len()` frames (the same as `right.len()`) into the bus. The
    /// first call is the clip's first frame in the render; calls follow one another without
    /// gaps until its last frame. It must not allocate.
    fn render(&mut self, left: &mut [f32], right: &mut [f32]);
}

/// An audio clip scheduled on a track: frames from the render's start.
pub(crate) struct PlannedClip {
    pub start: u64,
    pub end: u64,
    pub source: Box<dyn ClipSource>,
}
