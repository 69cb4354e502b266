//! Task 7: I/O-bound or CPU-bound? Measure before you parallelise.
//!
//! A stage that waits (for the network, a disk, another thread) leaves its threads idle:
//! its CPU time is a small part of its wall time, and more threads than cores help. A stage
//! that computes keeps every thread busy: its CPU time is about its wall time times its
//! threads, and threads beyond the cores only queue for them. [`profile`] measures both
//! around a stage, and [`classify`] turns the measurement into a [`Bound`].
//!
//! The CPU clock is [`finance::timing::process_cpu_time`] (given): the CPU time of the
//! whole process, every thread included.

use std::fmt;
use std::time::Duration;
// BEGIN SOLUTION
use std::time::Instant;

use finance::timing::process_cpu_time;
// END SOLUTION

/// What one run of a stage cost: the time on the clock on the wall, the CPU time its
/// threads used, and how many threads it ran at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageProfile {
    /// Wall-clock time from the start of the stage to its end.
    pub wall: Duration,
    /// CPU time the process used during the stage, summed over all its threads (user and
    /// kernel time).
    pub cpu: Duration,
    /// The number of threads the stage runs at once (1 for a stage on the calling thread,
    /// `W` for a pool of `W` workers): the stage can use at most `wall × threads` of CPU.
    pub threads: usize,
}

/// What bounds a stage, by the fraction of its threads' time they spent on a CPU:
/// `busy = cpu / (wall × threads)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `busy < 1/4`: the threads wait most of the time (for I/O, a lock, a reply). More
    /// threads than cores help, up to the number of requests that can wait at once.
    IoBound,
    /// `1/4 <= busy < 3/4`: partly waiting, partly computing; or a CPU-bound stage that ran
    /// more threads than the machine has free cores, so that its threads queued for them.
    Mixed,
    /// `busy >= 3/4`: the threads compute nearly all the time. More threads help only up
    /// to the number of cores.
    CpuBound,
}

/// Why a stage cannot be profiled or classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileError {
    /// `threads` is 0: a stage runs on at least one thread.
    NoThreads,
    /// `wall` is zero: no time passed, so there is no fraction of it to compare with.
    NoWallTime,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoThreads => write!(f, "a stage profile needs at least one thread, not 0"),
            Self::NoWallTime => write!(f, "a stage profile needs a wall time above zero"),
        }
    }
}

impl std::error::Error for ProfileError {}

/// Runs `stage` once and returns its result with its [`StageProfile`]: the wall-clock time
/// it took, the CPU time the process used meanwhile ([`finance::timing::process_cpu_time`]
/// after the stage minus before it, so that the threads the stage starts count too, and
/// the CPU the process used before the stage does not), and `threads` as given.
///
/// The process's CPU clock counts every thread of the process, also threads that have
/// nothing to do with the stage: measure a stage while the rest of the program is idle.
///
/// # Errors
/// [`ProfileError::NoThreads`] if `threads == 0`; the stage is then not run.
pub fn profile<R>(
    threads: usize,
    stage: impl FnOnce() -> R,
) -> Result<(R, StageProfile), ProfileError> {
    // BEGIN SOLUTION
    if threads == 0 {
        return Err(ProfileError::NoThreads);
    }
    // The CPU readings sit inside the wall-clock interval, so a stage on one thread never
    // measures more CPU than wall time (up to other threads of the process).
    let start = Instant::now();
    let cpu_start = process_cpu_time();
    let result = stage();
    let cpu = process_cpu_time().saturating_sub(cpu_start);
    let wall = start.elapsed();
    Ok((result, StageProfile { wall, cpu, threads }))
    // STUB
    // let _ = stage;
    // todo!(
    //     "profile(threads = {threads}): refuse 0 threads, then read Instant::now() and finance::timing::process_cpu_time() before and after the stage"
    // )
    // END SOLUTION
}

/// What bounds the stage `profile` describes, compared exactly:
///
/// - [`Bound::IoBound`] if `4 × cpu < wall × threads` (busy less than a quarter of the time),
/// - [`Bound::CpuBound`] if `4 × cpu >= 3 × wall × threads` (busy three quarters of the time
///   or more, also when `cpu` exceeds `wall × threads`),
/// - [`Bound::Mixed`] otherwise.
///
/// Compare whole nanoseconds (`Duration::as_nanos`, a `u128`), not a floating-point ratio,
/// which can land on either side of a boundary; and a product that does not fit in a `u128`
/// (`threads` near `usize::MAX`) is larger than any `4 × cpu`, so saturate it rather than
/// overflow.
///
/// # Errors
/// [`ProfileError::NoThreads`] if `threads == 0` (checked first), else
/// [`ProfileError::NoWallTime`] if `wall` is zero.
pub fn classify(profile: &StageProfile) -> Result<Bound, ProfileError> {
    // BEGIN SOLUTION
    if profile.threads == 0 {
        return Err(ProfileError::NoThreads);
    }
    if profile.wall.is_zero() {
        return Err(ProfileError::NoWallTime);
    }
    // 4 × cpu fits: a Duration is below 2^64 s, about 1.8e28 ns, and 4 × that is far below
    // u128::MAX (3.4e38). wall × threads may not, and saturating keeps the comparison right.
    let cpu4 = 4 * profile.cpu.as_nanos();
    let (wall, threads) = (profile.wall.as_nanos(), profile.threads as u128);
    let capacity = wall.saturating_mul(threads);
    if cpu4 < capacity {
        Ok(Bound::IoBound)
    } else if cpu4 >= capacity.saturating_mul(3) {
        Ok(Bound::CpuBound)
    } else {
        Ok(Bound::Mixed)
    }
    // END SOLUTION todo!("classify({profile:?}): busy = cpu / (wall × threads), compared exactly in nanoseconds: IoBound below 1/4, CpuBound from 3/4")
}
