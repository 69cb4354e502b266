//! Wall-clock timing for the labs' speed-up measurements, and CPU clocks to compare it with.
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

/// CPU time used so far by the whole process: every thread's, the finished ones' too, user
/// and kernel time together (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`, nanosecond
/// resolution on Linux).
///
/// The difference of two readings is the CPU time a piece of code cost, whatever threads
/// it started. Compared with the wall-clock time of the same piece of code it says whether
/// the code waited or computed: waiting (for I/O, a lock, a reply) costs no CPU time. It
/// counts the other threads of the process as well, busy or not with that code.
///
/// # Panics
/// On a platform without the POSIX CPU-time clocks (not Unix), where it has nothing to
/// read.
///
/// ```
/// use finance::timing::process_cpu_time;
/// let before = process_cpu_time();
/// std::thread::sleep(std::time::Duration::from_millis(20)); // waiting: no CPU time
/// let used = process_cpu_time() - before;
/// assert!(used < std::time::Duration::from_millis(20));
/// ```
pub fn process_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        cpu_clock(libc::CLOCK_PROCESS_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        panic!("process_cpu_time needs the POSIX CPU-time clocks (Linux, macOS)")
    }
}

/// CPU time used so far by the calling thread alone (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`).
///
/// The CPU time of a piece of code that runs other threads is **not** the difference of two
/// readings of this clock on the calling thread, which sees only its own share (nothing
/// while it waits in `join`): use [`process_cpu_time`] for that. This clock says what one
/// thread itself consumed, for example a worker measuring its own work.
///
/// # Panics
/// On a platform without the POSIX CPU-time clocks (not Unix).
///
/// ```
/// use finance::timing::thread_cpu_time;
/// let start = thread_cpu_time();
/// // Spin until this thread has had 5 ms of CPU time, however busy the machine is.
/// while thread_cpu_time() - start < std::time::Duration::from_millis(5) {}
/// assert!(thread_cpu_time() - start >= std::time::Duration::from_millis(5));
/// ```
pub fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        cpu_clock(libc::CLOCK_THREAD_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        panic!("thread_cpu_time needs the POSIX CPU-time clocks (Linux, macOS)")
    }
}

/// Reads one of the POSIX CPU-time clocks.
#[cfg(unix)]
fn cpu_clock(clock: libc::clockid_t) -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec, and clock_gettime writes nothing else.
    let rc = unsafe { libc::clock_gettime(clock, &mut now) };
    // These two clocks exist on every Linux since 2.6.12 and on macOS since 10.12; the
    // call can only fail for a clock the system does not have.
    assert_eq!(
        rc,
        0,
        "clock_gettime({clock}) failed: {}",
        std::io::Error::last_os_error()
    );
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
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
    fn a_busy_thread_uses_cpu_time_and_the_process_counts_it() {
        let process = process_cpu_time();
        let own = std::thread::spawn(|| {
            let start = thread_cpu_time();
            while thread_cpu_time() - start < Duration::from_millis(10) {}
            thread_cpu_time() - start
        })
        .join()
        .unwrap();
        assert!(own >= Duration::from_millis(10));
        // The spawned thread's CPU time is part of the process's.
        assert!(process_cpu_time() - process >= own);
    }

    #[test]
    fn at_least_one_core() {
        assert!(available_cores() >= 1);
    }
}
