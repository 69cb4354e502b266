//! What a process costs: state that stays behind, the price of a message, and a copy of
//! everything per worker.
//!
//! * **State does not cross.** A worker is a separate program with its own copy of every
//!   `static`. A worker that adds to a global counter moves *its* counter; the parent's
//!   stays where it was. Whatever the parent needs must come back as a result:
//!   [`count_primes_in_workers`].
//! * **The overhead trap.** Every message costs the same whatever the task does: encoding,
//!   two system calls, two context switches, decoding. A task shorter than that is cheaper
//!   in a loop. [`measure_overhead`] measures the price of a message on a pool,
//!   [`break_even_chunksize`] turns it into the chunk size that makes it negligible, and
//!   [`min_task_seconds`] into the shortest task worth a message of its own.
//! * **Memory.** Each worker holds its own copy of its inputs (and its own copy of the
//!   program). [`worker_peak_rss`] reads each worker's peak resident memory from outside,
//!   in `/proc/<pid>/status`.

use crate::pool::{PoolError, ProcessPool};
// BEGIN SOLUTION
use crate::task::{Output, Task};
use std::hint::black_box;
// END SOLUTION use crate::task::Task;
use std::io;
// BEGIN SOLUTION
use std::time::{Duration, Instant};
// END SOLUTION

/// Counts the primes among `numbers` on the pool: one [`Task::CountPrimes`] per run of
/// `per_task` consecutive numbers (the last run may be shorter), mapped with chunk size 1,
/// and the counts the workers *return* summed in this process. Equals the count of a loop
/// over `numbers` for any pool and any `per_task`.
///
/// Each worker also adds its counts to its own [`PRIMES_FOUND`]; this process's stays as
/// it was. Reading it here, after the map, is the lecture's pitfall: it says 0.
///
/// Errors: [`PoolError::InvalidInput`] for `per_task` = 0; the pool's errors;
/// [`PoolError::Protocol`] if a result is not a count.
///
/// [`PRIMES_FOUND`]: crate::task::PRIMES_FOUND
pub fn count_primes_in_workers(
    pool: &mut ProcessPool,
    numbers: &[u64],
    per_task: usize,
) -> Result<u64, PoolError> {
    // BEGIN SOLUTION
    if per_task == 0 {
        return Err(PoolError::InvalidInput(
            "per_task must be at least 1 number per task".into(),
        ));
    }
    let tasks: Vec<Task> = numbers
        .chunks(per_task)
        .map(|run| Task::CountPrimes(run.to_vec()))
        .collect();
    let mut total = 0;
    for (task, output) in pool.map(&tasks, 1)?.into_iter().enumerate() {
        let Output::U64(count) = output else {
            return Err(PoolError::Protocol {
                task,
                message: format!("expected a count, got {output:?}"),
            });
        };
        total += count;
    }
    Ok(total)
    // STUB
    // todo!(
    //     "{} numbers in runs of {per_task}: one Task::CountPrimes per run, pool.map with chunk size 1, then add up the counts that come back (not PRIMES_FOUND: this process's copy never moves) on {} workers",
    //     numbers.len(),
    //     pool.workers()
    // )
    // END SOLUTION
}

/// Seconds per task of one kind of task, run in this process and through a pool.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overhead {
    /// Seconds per task run in this process ([`Task::run`]): the task's own work.
    pub in_process: f64,
    /// Seconds per task through the pool with chunk size 1, one message per task: the work,
    /// plus encoding, a pipe each way, the worker's wake-up, decoding, bookkeeping.
    pub via_pool: f64,
}

impl Overhead {
    /// What the pool adds per message: `via_pool − in_process`, in seconds.
    pub fn per_message(&self) -> f64 {
        self.via_pool - self.in_process
    }
}

/// How many times [`measure_overhead`] runs each of its two timings: it keeps the fastest
/// run of each. Other programs on the machine can only make a run slower, never faster.
pub const MEASURE_REPS: usize = 3;

/// Measures what a message through `pool` costs: `n` copies of `task`, run one after the
/// other in this process ([`Task::run`]), and through `pool.map` with chunk size 1 (one
/// message per task). Each timing is the fastest of [`MEASURE_REPS`] runs of all `n` tasks,
/// divided by `n` (an untimed warm-up before them is allowed).
///
/// Measure on a pool of **one** worker: with more, messages to different workers overlap
/// and the time per task is a throughput, not the price of one message. Give it a task that
/// does (almost) nothing, and `per_message` is the pool's overhead; give it a real task, and
/// `in_process` is that task's cost, for [`break_even_chunksize`].
///
/// Errors: [`PoolError::InvalidInput`] for `n` = 0; [`PoolError::TaskFailed`] if the task
/// fails in this process; the pool's errors.
pub fn measure_overhead(
    pool: &mut ProcessPool,
    task: &Task,
    n: usize,
) -> Result<Overhead, PoolError> {
    // BEGIN SOLUTION
    if n == 0 {
        return Err(PoolError::InvalidInput(
            "measure at least 1 task (n = 0)".into(),
        ));
    }
    let tasks = vec![task.clone(); n];
    let mut in_process = Duration::MAX;
    let mut via_pool = Duration::MAX;
    for _ in 0..MEASURE_REPS {
        let start = Instant::now();
        for (i, t) in tasks.iter().enumerate() {
            let output = t
                .run()
                .map_err(|message| PoolError::TaskFailed { task: i, message })?;
            black_box(output);
        }
        in_process = in_process.min(start.elapsed());
        let start = Instant::now();
        black_box(pool.map(&tasks, 1)?);
        via_pool = via_pool.min(start.elapsed());
    }
    Ok(Overhead {
        in_process: in_process.as_secs_f64() / n as f64,
        via_pool: via_pool.as_secs_f64() / n as f64,
    })
    // STUB
    // todo!(
    //     "time {n} x {task:?} in this process (Task::run) and through pool.map with chunk size 1 ({} workers), the fastest of MEASURE_REPS runs each, in seconds per task",
    //     pool.workers()
    // )
    // END SOLUTION
}

// BEGIN SOLUTION
/// `value`, if `ok(value)`; otherwise an error naming the argument.
fn checked(name: &str, value: f64, ok: bool, rule: &str) -> Result<f64, PoolError> {
    if ok {
        Ok(value)
    } else {
        Err(PoolError::InvalidInput(format!(
            "{name} must be {rule}, got {value}"
        )))
    }
}

/// The checks both break-even functions make.
fn check_message_and_fraction(per_message: f64, max_fraction: f64) -> Result<(), PoolError> {
    checked(
        "per_message",
        per_message,
        per_message.is_finite() && per_message >= 0.0,
        "finite and not negative",
    )?;
    checked(
        "max_fraction",
        max_fraction,
        max_fraction > 0.0 && max_fraction <= 1.0,
        "in (0, 1]",
    )?;
    Ok(())
}
// END SOLUTION

/// The smallest chunk size whose message costs at most `max_fraction` of the chunk's work:
/// the least `k ≥ 1` with `per_message ≤ max_fraction × k × per_task`, that is
/// `⌈per_message / (max_fraction × per_task)⌉` (computed in that order), or 1 if that is
/// less. Seconds in, a number of tasks out.
///
/// With 5.5 µs per message (the reference pool on one worker, on the course's machine) and
/// tasks of 70 ns (`is_prime` of a number below a million, on average), overhead ≤ 10%
/// needs chunks of ⌈5.5 / (0.1 × 0.07)⌉ = 786.
///
/// Errors: [`PoolError::InvalidInput`], naming the argument, for a `per_message` that is
/// negative or not finite, a `per_task` that is not positive and finite, a `max_fraction`
/// outside (0, 1], or a chunk size too large for a `usize`.
pub fn break_even_chunksize(
    per_message: f64,
    per_task: f64,
    max_fraction: f64,
) -> Result<usize, PoolError> {
    // BEGIN SOLUTION
    check_message_and_fraction(per_message, max_fraction)?;
    checked(
        "per_task",
        per_task,
        per_task.is_finite() && per_task > 0.0,
        "positive and finite",
    )?;
    let k = (per_message / (max_fraction * per_task)).ceil();
    if k >= usize::MAX as f64 {
        return Err(PoolError::InvalidInput(format!(
            "a chunk of {k} tasks does not fit in a usize: per_task is too small next to per_message"
        )));
    }
    Ok((k as usize).max(1))
    // END SOLUTION todo!("the least k >= 1 with {per_message} <= {max_fraction} * k * {per_task}: ceil(per_message / (max_fraction * per_task)); check the arguments first")
}

/// The shortest task worth a message of its own (chunk size 1), in seconds: the task length
/// at which `per_message` is `max_fraction` of the work, `per_message / max_fraction`.
///
/// The lecture's rule, "a task should take at least 10–100 ms to be worth a process", is
/// this with Python's costs; the handout computes it with yours.
///
/// Errors: [`PoolError::InvalidInput`], naming the argument, for a `per_message` that is
/// negative or not finite, or a `max_fraction` outside (0, 1].
pub fn min_task_seconds(per_message: f64, max_fraction: f64) -> Result<f64, PoolError> {
    // BEGIN SOLUTION
    check_message_and_fraction(per_message, max_fraction)?;
    Ok(per_message / max_fraction)
    // END SOLUTION todo!("{per_message} / {max_fraction}, after checking both")
}

/// The peak resident set size of process `pid`, in bytes: the `VmHWM` line ("high water
/// mark") of `/proc/<pid>/status`, which the kernel gives in kB (kibibytes: × 1024). Unlike
/// `VmRSS`, what is resident *now*, the peak survives the memory being freed.
///
/// Errors: the process does not exist (`ErrorKind::NotFound`), or its status has no
/// `VmHWM` line or an unreadable one (`ErrorKind::InvalidData`, naming the file).
pub fn peak_rss_of(pid: u32) -> io::Result<u64> {
    // BEGIN SOLUTION
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("no readable VmHWM line in {path}"),
            )
        })?;
    Ok(kib * 1024)
    // END SOLUTION todo!("read /proc/{pid}/status, find the line that starts with VmHWM:, parse its number of kB, times 1024")
}

/// Each live worker's peak resident set size in bytes ([`peak_rss_of`]), in the order of
/// [`ProcessPool::pids`]: read from outside, no task sent, so it works on a busy worker too.
///
/// Errors: the first worker whose status cannot be read.
pub fn worker_peak_rss(pool: &ProcessPool) -> io::Result<Vec<u64>> {
    // BEGIN SOLUTION
    pool.pids().into_iter().map(peak_rss_of).collect()
    // END SOLUTION todo!("peak_rss_of each of pool.pids() ({} workers)", pool.workers())
}
