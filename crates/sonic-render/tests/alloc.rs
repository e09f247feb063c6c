//! Nothing is allocated per block: once a render is planned, running it allocates the same
//! number of times whatever its length (a counting global allocator; its own test binary so
//! no other test's allocations are counted). A per-block allocation would show as thousands.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use sonic_render::testing;
use sonic_render::{AudioSink, RenderRange, RenderSettings, Renderer};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counts frames, keeps nothing.
struct Discard(u64);

impl AudioSink for Discard {
    fn write(&mut self, left: &[f32], _right: &[f32]) -> sonic_render::Result<()> {
        self.0 += left.len() as u64;
        Ok(())
    }
}

/// A song of `bars` bars: chords on three voices and a kick on every beat.
fn song(bars: usize) -> sonic_model::Composition {
    let mut song = testing::song(120.0);
    let beats = 4.0 * bars as f64;
    for name in ["sine", "pluck", "strings"] {
        let track = testing::add_track(&mut song, name);
        let notes: Vec<_> = (0..bars * 2)
            .flat_map(|k| [57, 60, 64].map(|n| (n, 2.0 * k as f64, 1.5, 90)))
            .collect();
        testing::add_clip(&mut song, &track, 0.0, beats, &notes);
    }
    let kit = testing::add_kit_track(&mut song, "808-core");
    let kicks: Vec<_> = (0..bars * 4).map(|k| (36, k as f64, 0.25, 100)).collect();
    testing::add_clip(&mut song, &kit, 0.0, beats, &kicks);
    song
}

/// Allocations made by `render` alone (planning excluded), and frames written.
fn allocations_of_render(bars: usize, threads: usize) -> (usize, u64) {
    let song = song(bars);
    let settings = RenderSettings {
        threads,
        range: RenderRange::Song,
        ..RenderSettings::default()
    };
    let renderer = Renderer::new(&song, &settings).unwrap();
    let mut sink = Discard(0);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    renderer.render(&mut sink).unwrap();
    (ALLOCATIONS.load(Ordering::Relaxed) - before, sink.0)
}

#[test]
fn a_ten_times_longer_render_allocates_no_more() {
    for threads in [1, 2] {
        let (short, short_frames) = allocations_of_render(1, threads);
        let (long, long_frames) = allocations_of_render(10, threads);
        // 2 s and 20 s of song, each with the strings' 1 s release after it.
        assert!(long_frames > 6 * short_frames);
        // With a worker thread, the first time a thread waits on a channel it may allocate
        // its wait entry, as timing has it: a count of one or two, never one per block
        // (the long render has 13,000 more blocks).
        let jitter = if threads == 1 { 0 } else { 2 };
        assert!(
            long <= short + jitter && short <= long + jitter,
            "{threads} thread(s): {short} allocations for {short_frames} frames, {long} for {long_frames}"
        );
    }
}
