//! [`Renderer`]: plans a render of a composition, then runs it: the audible tracks on worker
//! threads, chunk by chunk, summed in track order by the calling thread, which also renders
//! its own share (docs/ARCHITECTURE.md, "The sound engine").

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use sonic_model::Composition;

use crate::clips::ClipAudio;
use crate::dsp::BLOCK;
use crate::effects::chain::InsertChain;
use crate::master::Master;
use crate::mixer;
use crate::output::AudioSink;
use crate::plan::{plan_track, Gaps, PlanContext};
use crate::report::RenderReport;
use crate::settings::RenderSettings;
use crate::track::TrackRender;
use crate::{registry, RenderError, Result};

/// Frames a track renders before it hands them to the mix: 16 blocks.
pub(crate) const CHUNK: usize = 16 * BLOCK;

/// Chunks a worker may be ahead of the mix.
const AHEAD: usize = 4;

/// A planned render; see the module documentation.
///
/// ```
/// use sonic_model::{Clip, Composition, MidiNote, Track, TrackType};
/// use sonic_render::{BufferSink, RenderSettings, Renderer};
///
/// let mut song = Composition::new("Beep");
/// let mut track = Track::new(song.id.clone(), "Lead", TrackType::Midi);
/// track.instrument = Some("sine".into());
/// song.clips.push(Clip::midi(track.id.clone(), "A", 0.0, 4.0, vec![MidiNote::new(69, 0.0, 2.0, 100)]));
/// song.tracks.push(track);
///
/// let renderer = Renderer::new(&song, &RenderSettings::default())?;
/// assert_eq!(renderer.range_frames(), 96_000); // 4 beats at 120 BPM, 48 kHz
/// let mut audio = BufferSink::default();
/// let report = renderer.render(&mut audio)?;
/// // amp 100/127 × 0.8, times 0.7071 for a centred track: -7.0 dBFS.
/// assert!((report.peak_dbfs + 7.03).abs() < 0.05);
/// assert_eq!(report.frames, audio.left.len() as u64);
/// # Ok::<(), sonic_render::RenderError>(())
/// ```
pub struct Renderer {
    tracks: Vec<TrackRender>,
    costs: Vec<f64>,
    master_gain: f32,
    master_chain: InsertChain,
    rate: u32,
    from: f64,
    to: f64,
    range_frames: u64,
    tail_frames: u64,
    threads: usize,
    gaps: Gaps,
}

impl Renderer {
    /// Plans a render of `composition` (validated first). Audio clips stay silent (counted
    /// in the report's `skipped_audio_clips`).
    pub fn new(composition: &Composition, settings: &RenderSettings) -> Result<Self> {
        Self::plan(composition, settings, None)
    }

    /// Plans a render whose audio clips come from `clips`.
    pub fn with_clips(
        composition: &Composition,
        settings: &RenderSettings,
        clips: &dyn ClipAudio,
    ) -> Result<Self> {
        Self::plan(composition, settings, Some(clips))
    }

    fn plan(
        composition: &Composition,
        settings: &RenderSettings,
        clips: Option<&dyn ClipAudio>,
    ) -> Result<Self> {
        settings.validate()?;
        composition.validate()?;
        let (from, to) = settings.range.beats(composition)?;
        let ctx = PlanContext {
            composition,
            rate: settings.sample_rate,
            from,
            to: to.max(from),
            effects: registry::effect,
            clips,
        };
        let mut gaps = Gaps::default();
        let mut tracks = Vec::new();
        let mut costs = Vec::new();
        for index in mixer::audible_tracks(composition) {
            let planned = plan_track(&ctx, &composition.tracks[index], &mut gaps)?;
            tracks.push(planned.render);
            costs.push(planned.cost);
        }
        let mut master_chain = InsertChain::empty();
        let master = &composition.mixer_state.master;
        if master.limiter_enabled {
            // B16, fixed: the stored limiter runs on the master.
            let values = BTreeMap::from([("threshold".to_string(), master.limiter_threshold)]);
            let rate = f64::from(settings.sample_rate);
            master_chain.add_named(
                "limiter",
                &values,
                false,
                rate,
                registry::effect,
                &mut gaps.effects,
            );
        }
        let threads = settings.thread_count(tracks.len());
        Ok(Renderer {
            range_frames: ctx.range_frames(),
            tail_frames: (settings.max_tail_seconds * f64::from(settings.sample_rate)).ceil()
                as u64,
            tracks,
            costs,
            master_gain: mixer::master_gain(composition),
            master_chain,
            rate: settings.sample_rate,
            from,
            to: ctx.to,
            threads,
            gaps,
        })
    }

    /// Frames of the range (the render adds a tail after them).
    pub fn range_frames(&self) -> u64 {
        self.range_frames
    }

    /// The sample rate, Hz.
    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// Runs the render into `sink` and reports what it made.
    pub fn render(self, sink: &mut dyn AudioSink) -> Result<RenderReport> {
        let Renderer {
            mut tracks,
            costs,
            master_gain,
            master_chain,
            rate,
            from,
            to,
            range_frames,
            tail_frames,
            threads,
            gaps,
        } = self;
        let gap = tracks
            .iter()
            .map(|t| t.chain.tail_gap())
            .fold(master_chain.tail_gap(), f64::max);
        let hold = (gap * f64::from(rate)).ceil() as u64;
        let cap = range_frames + tail_frames;
        let mut master = Master::new(
            master_gain,
            master_chain,
            sink,
            rate,
            range_frames,
            cap,
            hold,
        );
        let chunks = cap.div_ceil(CHUNK as u64) + 1;
        let groups = share(&costs, threads);
        let mut slots: Vec<Option<TrackRender>> = tracks.drain(..).map(Some).collect();
        let mut locate = vec![(0, 0); slots.len()];
        let mut owned: Vec<Vec<TrackRender>> = Vec::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            let mut mine = Vec::with_capacity(group.len());
            for &index in group {
                locate[index] = (g, mine.len());
                mine.push(slots[index].take().expect("each track is in one group"));
            }
            owned.push(mine);
        }
        mix(owned, &locate, &mut master, chunks)?;
        let (frames, peak_dbfs, over_range, lufs) = master.finish()?;
        Ok(RenderReport {
            sample_rate: rate,
            frames,
            seconds: frames as f64 / f64::from(rate),
            from_beat: from,
            to_beat: to,
            range_frames,
            tail_frames: frames.saturating_sub(range_frames),
            peak_dbfs,
            over_range,
            lufs,
            missing_voices: gaps.voices.into_iter().collect(),
            missing_effects: gaps.effects.into_iter().collect(),
            skipped_audio_clips: gaps.skipped_audio_clips,
        })
    }
}

/// Splits tracks into `threads` groups of about equal cost (largest first, each to the
/// lightest group). Group 0 is the calling thread's.
fn share(costs: &[f64], threads: usize) -> Vec<Vec<usize>> {
    let threads = threads.clamp(1, costs.len().max(1));
    let mut groups = vec![Vec::new(); threads];
    let mut load = vec![0.0f64; threads];
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]).then(a.cmp(&b)));
    for index in order {
        let lightest = (0..threads)
            .min_by(|&a, &b| load[a].total_cmp(&load[b]))
            .unwrap_or(0);
        load[lightest] += costs[index];
        groups[lightest].push(index);
    }
    for group in &mut groups {
        group.sort_unstable();
    }
    groups
}

/// One chunk of every track of a group.
struct ChunkSet {
    left: Vec<Vec<f32>>,
    right: Vec<Vec<f32>>,
    idle: bool,
}

impl ChunkSet {
    fn new(tracks: usize) -> Self {
        ChunkSet {
            left: (0..tracks).map(|_| vec![0.0; CHUNK]).collect(),
            right: (0..tracks).map(|_| vec![0.0; CHUNK]).collect(),
            idle: true,
        }
    }

    fn render(&mut self, tracks: &mut [TrackRender]) {
        let mut idle = true;
        for ((track, left), right) in tracks.iter_mut().zip(&mut self.left).zip(&mut self.right) {
            track.render(left, right);
            idle &= track.is_idle();
        }
        self.idle = idle;
    }
}

/// A worker's ends of its two channels, seen from the mix.
struct Worker {
    full: Receiver<ChunkSet>,
    free: SyncSender<ChunkSet>,
}

/// Renders and mixes until the master says the render is complete.
fn mix(
    mut groups: Vec<Vec<TrackRender>>,
    locate: &[(usize, usize)],
    master: &mut Master,
    chunks: u64,
) -> Result<()> {
    let mut own_tracks = std::mem::take(&mut groups[0]);
    let mut own = ChunkSet::new(own_tracks.len());
    let mut sum_left = vec![0.0f32; CHUNK];
    let mut sum_right = vec![0.0f32; CHUNK];
    std::thread::scope(|scope| {
        let mut workers = Vec::new();
        let mut handles = Vec::new();
        for mut tracks in groups.drain(1..) {
            let (full_tx, full_rx) = sync_channel(AHEAD);
            let (free_tx, free_rx) = sync_channel::<ChunkSet>(AHEAD);
            for _ in 0..AHEAD {
                free_tx
                    .send(ChunkSet::new(tracks.len()))
                    .expect("the channel has room for its first chunks");
            }
            handles.push(scope.spawn(move || {
                for _ in 0..chunks {
                    let Ok(mut set) = free_rx.recv() else { break };
                    set.render(&mut tracks);
                    if full_tx.send(set).is_err() {
                        break;
                    }
                }
            }));
            workers.push(Worker {
                full: full_rx,
                free: free_tx,
            });
        }
        let result = run_mix(
            &mut own_tracks,
            &mut own,
            &workers,
            locate,
            master,
            chunks,
            [&mut sum_left, &mut sum_right],
        );
        // Dropping the mix's ends stops the workers wherever they wait.
        drop(workers);
        let panicked = handles.into_iter().any(|h| h.join().is_err());
        match (result, panicked) {
            (_, true) => Err(RenderError::Engine("a track worker panicked".into())),
            (result, false) => result,
        }
    })
}

fn run_mix(
    own_tracks: &mut [TrackRender],
    own: &mut ChunkSet,
    workers: &[Worker],
    locate: &[(usize, usize)],
    master: &mut Master,
    chunks: u64,
    [sum_left, sum_right]: [&mut Vec<f32>; 2],
) -> Result<()> {
    let mut sets: Vec<Option<ChunkSet>> = workers.iter().map(|_| None).collect();
    for _ in 0..chunks {
        own.render(own_tracks);
        let mut idle = own.idle;
        for (worker, slot) in workers.iter().zip(&mut sets) {
            let set = worker
                .full
                .recv()
                .map_err(|_| RenderError::Engine("a track worker stopped".into()))?;
            idle &= set.idle;
            *slot = Some(set);
        }
        sum_left.fill(0.0);
        sum_right.fill(0.0);
        for &(group, slot) in locate {
            let set = if group == 0 {
                &*own
            } else {
                sets[group - 1]
                    .as_ref()
                    .expect("every worker sent its chunk")
            };
            for (s, x) in sum_left.iter_mut().zip(&set.left[slot]) {
                *s += x;
            }
            for (s, x) in sum_right.iter_mut().zip(&set.right[slot]) {
                *s += x;
            }
        }
        let more = master.push(sum_left, sum_right, idle)?;
        for (worker, slot) in workers.iter().zip(&mut sets) {
            if let Some(set) = slot.take() {
                // A worker that already stopped needs no more buffers.
                let _ = worker.free.send(set);
            }
        }
        if !more {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_are_shared_by_cost_and_every_track_is_in_one_group() {
        // 10 -> A, 8 -> B, 2 -> B (10 each), 1 -> A (the first of equals), 1 -> B.
        let groups = share(&[10.0, 1.0, 1.0, 8.0, 2.0], 2);
        assert_eq!(groups, [vec![0, 1], vec![2, 3, 4]]);
        assert_eq!(share(&[1.0, 1.0], 8).len(), 2);
        assert_eq!(share(&[], 2), [Vec::<usize>::new()]);
    }
}
