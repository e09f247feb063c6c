//! Batches: many files analysed in parallel on rayon's pool (one worker per core).
//!
//! rayon rather than hand-made threads: its work stealing keeps both cores busy when a long
//! file and many short ones are mixed, and results come back in input order.

use rayon::prelude::*;

/// Runs `analyse` on every job in parallel, calling `on_done` after each one finishes (for
/// a progress bar), and returns the results in the order of `jobs`.
///
/// ```
/// let lengths = sonic_analyzer::analyze_all(&[1usize, 2, 3], |&n| n * 10, || {});
/// assert_eq!(lengths, [10, 20, 30]);
/// ```
pub fn analyze_all<J, R>(
    jobs: &[J],
    analyse: impl Fn(&J) -> R + Sync,
    on_done: impl Fn() + Sync,
) -> Vec<R>
where
    J: Sync,
    R: Send,
{
    jobs.par_iter()
        .map(|job| {
            let result = analyse(job);
            on_done();
            result
        })
        .collect()
}
