//! Batches: many files analysed in parallel on rayon's pool (one worker per core).
//!
//! Jobs start largest first, each worker taking the next one as it comes free (the
//! longest-processing-time rule): a long file started last would otherwise run alone while
//! the other cores idle. On the 30-file set of `scripts/compare-librosa.sh` this took the
//! two-core wall time from 80 to 68 ms (docs/BENCHMARKS.md).

use std::cmp::Reverse;

use rayon::prelude::*;

/// Runs `analyse` on every job in parallel, largest `cost` first (e.g. file size), calling
/// `on_done` after each one finishes (for a progress bar), and returns the results in the
/// order of `jobs`.
///
/// ```
/// let jobs = [1usize, 30, 2];
/// let lengths = sonic_analyzer::analyze_all(&jobs, |&n| n as u64, |&n| n * 10, || {});
/// assert_eq!(lengths, [10, 300, 20]);
/// ```
pub fn analyze_all<J, R>(
    jobs: &[J],
    cost: impl Fn(&J) -> u64,
    analyse: impl Fn(&J) -> R + Sync,
    on_done: impl Fn() + Sync,
) -> Vec<R>
where
    J: Sync,
    R: Send,
{
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_cached_key(|&i| Reverse(cost(&jobs[i])));
    // par_bridge hands the jobs out one at a time, in this order, to whichever worker is
    // free; the results come back in any order and are put back in the jobs' order.
    let mut results: Vec<(usize, R)> = order
        .into_iter()
        .par_bridge()
        .map(|i| {
            let result = analyse(&jobs[i]);
            on_done();
            (i, result)
        })
        .collect();
    results.sort_unstable_by_key(|&(i, _)| i);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn jobs_start_largest_first_and_results_keep_the_input_order() {
        let jobs: Vec<u64> = (0..40).map(|n| (n * 37) % 41).collect();
        let started = Mutex::new(Vec::new());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let results = pool.install(|| {
            analyze_all(
                &jobs,
                |&n| n,
                |&n| {
                    started.lock().unwrap().push(n);
                    n * 2
                },
                || {},
            )
        });
        assert_eq!(results, jobs.iter().map(|n| n * 2).collect::<Vec<_>>());
        let started = started.into_inner().unwrap();
        let mut largest_first = jobs.clone();
        largest_first.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(started, largest_first);
    }
}
