//! Process-wide FFT plans. Planning a transform (choosing the algorithm, computing its
//! twiddle tables) costs more than analysing a one-second file, so every analysis in the
//! process shares one plan per length and direction: the planners keep the plans they have
//! made, and these keep the planners.

use std::sync::{Arc, Mutex, OnceLock};

use rustfft::{Fft, FftPlanner};

static COMPLEX_F32: OnceLock<Mutex<FftPlanner<f32>>> = OnceLock::new();
static COMPLEX_F64: OnceLock<Mutex<FftPlanner<f64>>> = OnceLock::new();

/// Runs `plan` with the shared planner of `cell` (made by `new` on first use). A planner
/// poisoned by a panic elsewhere only holds finished plans, so it is used as it is.
fn with_planner<P, R>(
    cell: &OnceLock<Mutex<P>>,
    new: impl FnOnce() -> P,
    plan: impl FnOnce(&mut P) -> R,
) -> R {
    let planner = cell.get_or_init(|| Mutex::new(new()));
    let mut planner = planner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    plan(&mut planner)
}

/// The shared forward complex FFT of `len` points, in f64.
pub(crate) fn complex_forward_f64(len: usize) -> Arc<dyn Fft<f64>> {
    with_planner(&COMPLEX_F64, FftPlanner::new, |p| p.plan_fft_forward(len))
}

/// The shared forward complex FFT of `len` points, in f32.
pub(crate) fn complex_forward_f32(len: usize) -> Arc<dyn Fft<f32>> {
    with_planner(&COMPLEX_F32, FftPlanner::new, |p| p.plan_fft_forward(len))
}

/// The shared inverse complex FFT of `len` points, in f32 (unnormalised).
pub(crate) fn complex_inverse_f32(len: usize) -> Arc<dyn Fft<f32>> {
    with_planner(&COMPLEX_F32, FftPlanner::new, |p| p.plan_fft_inverse(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_is_planned_once_and_shared() {
        assert!(Arc::ptr_eq(
            &complex_forward_f64(2048),
            &complex_forward_f64(2048)
        ));
        assert!(Arc::ptr_eq(
            &complex_inverse_f32(3072),
            &complex_inverse_f32(3072)
        ));
        assert_eq!(complex_forward_f32(1024).len(), 1024);
    }
}
