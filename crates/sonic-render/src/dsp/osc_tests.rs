use super::*;

const RATE: f64 = 48_000.0;

fn run(seconds: f64, mut fill: impl FnMut(&mut [f32])) -> Vec<f32> {
    let mut out = vec![0.0f32; (seconds * RATE) as usize];
    for chunk in out.chunks_mut(64) {
        fill(chunk);
    }
    out
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Frequency from the number of upward zero crossings over the signal.
fn crossings_hz(x: &[f32]) -> f64 {
    let ups: Vec<usize> = (1..x.len())
        .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
        .collect();
    (ups.len() - 1) as f64 * RATE / (ups[ups.len() - 1] - ups[0]) as f64
}

#[test]
fn sin_starts_at_zero_and_is_accurate_to_the_table() {
    let mut osc = Sin::new(RATE);
    let x = run(0.1, |b| osc.fill(b, 440.0));
    assert_eq!(x[0], 0.0);
    let worst = x
        .iter()
        .enumerate()
        .map(|(n, &v)| (f64::from(v) - (TAU * 440.0 * n as f64 / RATE).sin()).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "{worst}");
    assert!((crossings_hz(&x) - 440.0).abs() < 0.5);
}

#[test]
fn saw_peaks_near_half_with_rms_029_and_falls() {
    // At 55 Hz a period (873 samples) is near the integrator's leak time (1000 samples),
    // which bends the ramp: its peak rises past the Gibbs ripple, as SC's does.
    // At 3520 Hz (6 harmonics) the integrator's gain near Nyquist lifts the top ones, and
    // the RMS with them.
    for (freq, most, loudest) in [
        (55.0, 0.75, 0.31),
        (440.0, 0.66, 0.31),
        (3520.0, 0.66, 0.34),
    ] {
        let mut saw = Saw::new(RATE);
        let x = run(0.5, |b| saw.fill(b, freq));
        let steady = &x[4_800..];
        let (rms, peak) = (rms(steady), peak(steady));
        assert!((0.27..loudest).contains(&rms), "{freq} Hz: rms {rms}");
        assert!((0.45..most).contains(&peak), "{freq} Hz: peak {peak}");
        let mean = steady.iter().map(|&v| f64::from(v)).sum::<f64>() / steady.len() as f64;
        assert!(mean.abs() < 0.02, "{freq} Hz: mean {mean}");
    }
    // A falling ramp: most steps go down (near each jump the Gibbs ripple goes both ways).
    let mut saw = Saw::new(RATE);
    let x = run(0.1, |b| saw.fill(b, 110.0));
    let down = x.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(down > x.len() * 6 / 10, "{down} of {}", x.len());
    assert!(x[0] > 0.4, "starts near +0.5: {}", x[0]);
}

#[test]
fn pulse_is_dc_free_with_peak_to_peak_one() {
    for width in [0.5, 0.25] {
        let mut pulse = Pulse::new(RATE, width);
        let x = run(0.5, |b| pulse.fill(b, 220.0));
        let steady = &x[4_800..];
        let mean = steady.iter().map(|&v| f64::from(v)).sum::<f64>() / steady.len() as f64;
        assert!(mean.abs() < 0.02, "width {width}: mean {mean}");
        let (lo, hi) = steady
            .iter()
            .fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        // Flat parts ±0.5 at width 0.5 (1 - w and -w), Gibbs peaks to about ±0.7.
        assert!(
            (0.95..1.45).contains(&(hi - lo)),
            "width {width}: {lo}..{hi}"
        );
    }
    let mut square = Pulse::new(RATE, 0.5);
    let x = run(0.5, |b| square.fill(b, 220.0));
    assert!((rms(&x[4_800..]) - 0.5).abs() < 0.03);
}

#[test]
fn blip_peaks_at_one_and_keeps_its_harmonics_below_nyquist() {
    let mut blip = Blip::new(RATE);
    let mut x = run(0.05, |b| blip.add(b, 100.0, 8, 1.0));
    assert!((x[0] - 1.0).abs() < 1e-6);
    // Past the main lobe (480 / 8.5 samples wide) only side lobes remain.
    assert!(peak(&x[60..420]) < 0.3);
    // 100 harmonics of 1 kHz would pass Nyquist: only 24 are kept, still peak 1.
    let mut high = Blip::new(RATE);
    x.fill(0.0);
    high.add(&mut x, 1_000.0, 100, 1.0);
    assert!((x[0] - 1.0).abs() < 1e-6);
}

#[test]
fn lftri_is_a_unit_triangle_rising_from_zero() {
    let mut tri = LfTri::new(RATE);
    let x = run(0.1, |b| tri.add(b, 100.0, 1.0));
    assert_eq!(x[0], 0.0);
    assert!(x[1] > 0.0);
    // A quarter period (120 samples at 100 Hz) reaches the peak.
    assert!((x[120] - 1.0).abs() < 1e-4);
    assert!((x[360] + 1.0).abs() < 1e-4);
    assert!((rms(&x) - 1.0 / 3f64.sqrt()).abs() < 0.01);
}

#[test]
fn impulse_fires_once() {
    let mut imp = Impulse::new();
    let mut a = [0.0f32; 4];
    let mut b = [0.0f32; 4];
    imp.add(&mut a, 1.0);
    imp.add(&mut b, 1.0);
    assert_eq!((a, b), ([1.0, 0.0, 0.0, 0.0], [0.0; 4]));
    imp.reset();
    imp.add(&mut b, 0.5);
    assert_eq!(b[0], 0.5);
}

#[test]
fn the_lfo_is_exact_at_block_boundaries() {
    let mut lfo = Lfo::new(1.0, 0.0);
    let first = lfo.next(0.25);
    assert_eq!(first.from, 0.0);
    assert!((first.to - 1.0).abs() < 1e-6);
    let second = lfo.next(0.25);
    assert!(second.to.abs() < 1e-6);
}

#[test]
fn phase_modulation_shifts_the_sine() {
    let mut a = Sin::new(RATE);
    assert!((a.next_pm(440.0, std::f64::consts::FRAC_PI_2) - 1.0).abs() < 1e-6);
}
