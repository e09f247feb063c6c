//! Sonic's sound engine: a [`Composition`](sonic_model::Composition) to stereo audio, as
//! `../shared/reference/sound.md` specifies the original Sonic Claude's sound, with its bugs
//! fixed as docs/SOUND.md lists.
//!
//! A [`Renderer`] plans a render (which notes play, on which voices, through which inserts
//! and faders; every allocation happens here), then streams it block by block (64 frames,
//! the original's control block) into an [`AudioSink`] ([`WavSink`], [`BufferSink`]) and
//! returns a [`RenderReport`] (length, peak, over-range count, LUFS). Tracks render in
//! parallel and are summed in a fixed order, and every random generator is seeded from the
//! composition's ids, so the same input gives the same bytes on any number of threads.
//!
//! The pieces others build on: the building blocks of sound.md Appendix A in [`dsp`], the
//! [`voice`] API with the instruments in [`instruments`] and the drum voices in [`drums`]
//! (their module docs hold the recipe for adding one), the [`effects`] API, the
//! [`registry`] from names to implementations, and the audio-clip hook in [`clips`].
//!
//! It never edits a composition, never opens a file (it writes to the writer it is given)
//! and, once a render runs, never allocates, locks or blocks in its block loop.
//!
//! ```
//! use sonic_model::{Clip, Composition, MidiNote, Track, TrackType};
//! use sonic_render::{RenderRange, RenderSettings, Renderer, WavFormat, WavSink};
//!
//! let mut song = Composition::new("Demo");
//! let mut bass = Track::new(song.id.clone(), "Bass", TrackType::Midi);
//! bass.instrument = Some("pluck".into());
//! let riff = vec![MidiNote::new(40, 0.0, 1.0, 100), MidiNote::new(43, 1.0, 1.0, 90)];
//! song.clips.push(Clip::midi(bass.id.clone(), "Riff", 0.0, 4.0, riff));
//! song.tracks.push(bass);
//!
//! let settings = RenderSettings {
//!     range: RenderRange::Beats { from: 0.0, to: 2.0 },
//!     ..RenderSettings::default()
//! };
//! let mut file = std::io::Cursor::new(Vec::new()); // a File in real use
//! let report = Renderer::new(&song, &settings)?
//!     .render(&mut WavSink::new(&mut file, WavFormat::Int24, settings.sample_rate)?)?;
//! assert_eq!(report.range_frames, 48_000); // 2 beats at 120 BPM
//! assert!(report.frames > report.range_frames); // the second note's release rings on
//! assert!(report.missing_voices.is_empty());
//! # Ok::<(), sonic_render::RenderError>(())
//! ```

pub mod clips;
pub mod drums;
pub mod dsp;
pub mod effects;
mod engine;
mod error;
pub mod instruments;
mod master;
mod mixer;
mod output;
mod plan;
pub mod registry;
mod report;
mod schedule;
pub mod seed;
mod settings;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod track;
pub mod voice;

pub use clips::{ClipAudio, ClipPlacement, ClipSource};
pub use engine::Renderer;
pub use error::{RenderError, Result};
pub use output::{AudioSink, BufferSink, WavFormat, WavSink};
pub use report::RenderReport;
pub use schedule::note_freq;
pub use settings::{
    RenderRange, RenderSettings, DEFAULT_MAX_TAIL_SECONDS, DEFAULT_SAMPLE_RATE, SAMPLE_RATES,
};
