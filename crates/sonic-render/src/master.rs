//! The master stage: the summed tracks × the master gain, through the master chain (the
//! limiter, when `limiter_enabled`), measured and written; and the render's length: the whole
//! range, then a tail while anything still sounds.
//!
//! The tail ends when no voice or clip is left and the mix has stayed below −90 dBFS for the
//! longest silence an effect's tail may hold (`hold`), or at the cap. Tail blocks under the
//! threshold are held back (in a buffer of `hold` + 1 s) until louder sound follows; the ones
//! still held at the end are dropped, so a render ends on its last audible block. (A quiet
//! stretch longer than the buffer inside a tail that is still sounding is written as it is.)

use crate::dsp::BLOCK;
use crate::effects::chain::InsertChain;
use crate::effects::StereoBlock;
use crate::output::AudioSink;
use crate::report::Meter;
use crate::Result;

/// −90 dBFS: the level under which a tail counts as silence.
pub(crate) const TAIL_THRESHOLD: f32 = 3.162_277_7e-5;

/// See the module documentation.
pub(crate) struct Master<'s> {
    gain: f32,
    chain: InsertChain,
    block: StereoBlock,
    meter: Meter,
    sink: &'s mut dyn AudioSink,
    range_frames: u64,
    cap_frames: u64,
    hold: u64,
    frame: u64,
    silent_run: u64,
    pending_left: Vec<f32>,
    pending_right: Vec<f32>,
}

impl<'s> Master<'s> {
    /// A master stage writing to `sink`: the range is `range_frames` long, the whole render
    /// at most `cap_frames`, and a silent tail must last `hold` frames before it ends.
    pub(crate) fn new(
        gain: f32,
        chain: InsertChain,
        sink: &'s mut dyn AudioSink,
        rate: u32,
        range_frames: u64,
        cap_frames: u64,
        hold: u64,
    ) -> Self {
        let pending = usize::try_from(hold)
            .unwrap_or(usize::MAX / 8)
            .saturating_add(rate as usize + BLOCK);
        Master {
            gain,
            chain,
            block: StereoBlock::default(),
            meter: Meter::new(rate, cap_frames),
            sink,
            range_frames,
            cap_frames,
            hold,
            frame: 0,
            silent_run: 0,
            pending_left: Vec::with_capacity(pending),
            pending_right: Vec::with_capacity(pending),
        }
    }

    /// Takes the next chunk of the summed tracks (a multiple of [`BLOCK`] frames); `idle` says
    /// that no track will make another sound. Returns false when the render is complete.
    pub(crate) fn push(&mut self, left: &[f32], right: &[f32], idle: bool) -> Result<bool> {
        for (l, r) in left.chunks_exact(BLOCK).zip(right.chunks_exact(BLOCK)) {
            if self.frame >= self.cap_frames {
                return Ok(false);
            }
            for (out, x) in self.block.left.iter_mut().zip(l) {
                *out = x * self.gain;
            }
            for (out, x) in self.block.right.iter_mut().zip(r) {
                *out = x * self.gain;
            }
            self.chain.process(&mut self.block);
            self.take_block()?;
        }
        let in_tail = self.frame >= self.range_frames;
        let quiet = idle && self.silent_run >= self.hold;
        Ok(self.frame < self.cap_frames && !(in_tail && quiet))
    }

    /// Routes the processed block: the range part is written, the tail part written or held.
    fn take_block(&mut self) -> Result<()> {
        let in_range = self
            .range_frames
            .saturating_sub(self.frame)
            .min(BLOCK as u64) as usize;
        let block = std::mem::take(&mut self.block);
        let result = self.route(&block, in_range);
        self.block = block;
        self.frame += BLOCK as u64;
        result
    }

    fn route(&mut self, block: &StereoBlock, in_range: usize) -> Result<()> {
        if in_range > 0 {
            self.write(&block.left[..in_range], &block.right[..in_range])?;
        }
        if in_range == BLOCK {
            return Ok(());
        }
        let (left, right) = (&block.left[in_range..], &block.right[in_range..]);
        let loud = left.iter().chain(right).any(|x| x.abs() >= TAIL_THRESHOLD);
        if loud {
            self.flush_pending()?;
            self.silent_run = 0;
            return self.write(left, right);
        }
        if self.pending_left.len() + left.len() > self.pending_left.capacity() {
            self.flush_pending()?;
        }
        self.pending_left.extend_from_slice(left);
        self.pending_right.extend_from_slice(right);
        self.silent_run += left.len() as u64;
        Ok(())
    }

    fn flush_pending(&mut self) -> Result<()> {
        if self.pending_left.is_empty() {
            return Ok(());
        }
        let (left, right) = (
            std::mem::take(&mut self.pending_left),
            std::mem::take(&mut self.pending_right),
        );
        let result = self.write(&left, &right);
        self.pending_left = left;
        self.pending_right = right;
        self.pending_left.clear();
        self.pending_right.clear();
        result
    }

    fn write(&mut self, left: &[f32], right: &[f32]) -> Result<()> {
        self.meter.add(left, right);
        self.sink.write(left, right)
    }

    /// Finishes the sink; returns frames written, peak dBFS, over-range count and LUFS.
    pub(crate) fn finish(self) -> Result<(u64, f64, u64, Option<f64>)> {
        self.sink.finish()?;
        let (peak, over, lufs) = self.meter.finish();
        Ok((self.meter.frames(), peak, over, lufs))
    }
}
