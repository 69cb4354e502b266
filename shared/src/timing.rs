//! Wall-clock timing for the labs' speed-up measurements.
//!
//! One run of a parallel kernel is noisy (other processes, frequency scaling, page faults on
//! first touch), so the labs report the *median* of several runs: unlike the mean it ignores
//! the occasional slow outlier, and unlike the minimum it is not an optimistic extreme.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` once and returns its result with the elapsed wall-clock time.
///
/// ```
/// let (sum, elapsed) = finance::timing::time(|| (1..=1000u64).sum::<u64>());
/// assert_eq!(sum, 500_500);
/// assert!(elapsed.as_secs() < 1);
/// ```
pub fn time<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let result = f();
    (result, start.elapsed())
}

/// Summary of repeated runs of the same closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Median wall-clock time (mean of the two middle runs when `runs` is even).
    pub median: Duration,
    /// Fastest run.
    pub min: Duration,
    /// Number of runs measured.
    pub runs: usize,
}

/// Runs `f` `k` times and summarises the wall-clock times.
///
/// Each result is passed through [`std::hint::black_box`] so the optimiser cannot delete a
/// computation whose result is unused.
///
/// # Panics
/// If `k == 0`.
///
/// ```
/// let t = finance::timing::measure(5, || (0..10_000u64).map(|x| x * x).sum::<u64>());
/// assert_eq!(t.runs, 5);
/// assert!(t.min <= t.median);
/// ```
pub fn measure<R>(k: usize, mut f: impl FnMut() -> R) -> Timing {
    assert!(k > 0, "measure needs at least one run");
    let mut times: Vec<Duration> = (0..k).map(|_| time(|| black_box(f())).1).collect();
    times.sort_unstable();
    let median = if k % 2 == 1 {
        times[k / 2]
    } else {
        (times[k / 2 - 1] + times[k / 2]) / 2
    };
    Timing {
        median,
        min: times[0],
        runs: k,
    }
}

/// Runs `f` `k` times and returns the median wall-clock time (see [`measure`]).
///
/// # Panics
/// If `k == 0`.
///
/// ```
/// let median = finance::timing::median_of(3, || std::hint::black_box(2 + 2));
/// assert!(median.as_secs() < 1);
/// ```
pub fn median_of<R>(k: usize, f: impl FnMut() -> R) -> Duration {
    measure(k, f).median
}

/// Number of cores this process may use, or 1 if that cannot be determined.
///
/// [`std::thread::available_parallelism`] honours CPU affinity masks and cgroup quotas (a
/// container limited to 2 CPUs reports 2, not the host's 64), which is what a thread pool
/// should be sized by.
///
/// ```
/// assert!(finance::timing::available_cores() >= 1);
/// ```
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_returns_the_result() {
        let (v, _) = time(|| vec![1, 2, 3]);
        assert_eq!(v, [1, 2, 3]);
    }

    #[test]
    fn measure_counts_every_run_and_orders_min_and_median() {
        let mut calls = 0;
        let t = measure(4, || calls += 1);
        assert_eq!(calls, 4);
        assert_eq!(t.runs, 4);
        assert!(t.min <= t.median);
    }

    #[test]
    #[should_panic(expected = "at least one run")]
    fn zero_runs_panics() {
        median_of(0, || ());
    }

    #[test]
    fn at_least_one_core() {
        assert!(available_cores() >= 1);
    }
}
