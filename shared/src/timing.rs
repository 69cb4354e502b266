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

/// Iterations of [`calibration_kernel`], shared out over its threads: the grader's figure.
pub const CALIBRATION_ITERS: u64 = 50_000_000;

/// The grader's calibration kernel, run once on `threads` threads (0 counts as 1): an
/// embarrassingly parallel floating-point loop with no memory traffic, split evenly over
/// scoped threads. Returns the loop's result, which means nothing (it only keeps the
/// optimiser from deleting the loop).
///
/// It is the loop `cargo xtask grade` times to calibrate a speedup check (the timing
/// harness runs this very function), and the labs' examples run it to show what the machine
/// delivers. Each thread runs eight independent multiply-add chains,
/// enough to keep a core's floating-point units busy, as a real kernel does. Its speedup is
/// what this machine can deliver right now: cores, CPU quota and other people's programs
/// included. See [`machine_speedup`].
///
/// ```
/// assert!(finance::timing::calibration_kernel(2).is_finite());
/// ```
pub fn calibration_kernel(threads: usize) -> f64 {
    let threads = threads.max(1) as u64;
    let per_thread = CALIBRATION_ITERS / threads;
    // Opaque constants: the compiler cannot fold the loop into a formula.
    let (a, b) = (black_box(0.999_999_9), black_box(1e-7));
    let total: f64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut x = [1.0 + t as f64 * 1e-9; 8];
                    for _ in 0..per_thread {
                        for v in &mut x {
                            *v = *v * a + b;
                        }
                    }
                    x.iter().sum::<f64>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    });
    black_box(total)
}

/// The speedup this machine delivers right now on `threads` threads: the time of
/// [`calibration_kernel`] on one thread divided by its time on `threads` threads, each the
/// median of `runs` runs.
///
/// The runs alternate (one thread, `threads` threads, one thread, ...) after one untimed run
/// of each, so that a burst of load elsewhere slows both sides. On an idle machine it is close
/// to the number of physical cores that `threads` can occupy; on a busy one it is lower, and
/// no program can be expected to scale better than it. A speedup measured beside it tells
/// load from a bug: 1.8x where the machine delivers 1.9x is good code, 1.1x where it delivers
/// 1.1x is a busy machine. (The grader takes the best of up to three such measurements, in
/// separate processes, and sets its speedup thresholds as a fraction of it.)
///
/// # Panics
/// If `runs == 0`.
///
/// ```
/// let s = finance::timing::machine_speedup(1, 1);
/// assert!(s > 0.0 && s.is_finite());
/// ```
pub fn machine_speedup(threads: usize, runs: usize) -> f64 {
    assert!(runs > 0, "machine_speedup needs at least one run");
    calibration_kernel(1);
    calibration_kernel(threads);
    let (mut one, mut many) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        one.push(time(|| calibration_kernel(1)).1);
        many.push(time(|| calibration_kernel(threads)).1);
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort_unstable();
        times[times.len() / 2]
            .max(Duration::from_nanos(1))
            .as_secs_f64()
    };
    median(&mut one) / median(&mut many)
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
    #[should_panic(expected = "at least one run")]
    fn machine_speedup_of_zero_runs_panics() {
        machine_speedup(2, 0);
    }

    #[test]
    fn at_least_one_core() {
        assert!(available_cores() >= 1);
    }
}
