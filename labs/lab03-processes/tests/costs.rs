//! Task 6, parts 2 and 3: what a message costs, and the chunk size that makes it
//! negligible; each worker's peak memory, read from outside in `/proc/<pid>/status`.
//!
//! No test here compares a time with a fixed threshold: the formulas are checked exactly on
//! made-up numbers, and the measurement only for what must hold on any machine.

use lab03::costs::{
    Overhead, break_even_chunksize, measure_overhead, min_task_seconds, peak_rss_of,
    worker_peak_rss,
};
use lab03::pool::{PoolError, ProcessPool, WorkerCommand};
use lab03::task::Task;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

const MIB: u64 = 1 << 20;

#[test]
fn break_even_chunksize_is_the_smallest_chunk_that_meets_the_target() {
    // Powers of two, so that the arithmetic is exact: 2^-17 s per message, 2^-24 s per
    // task, overhead at most 25%: 2^-17 / (2^-2 x 2^-24) = 512 exactly, and not 513.
    assert_eq!(
        break_even_chunksize(2f64.powi(-17), 2f64.powi(-24), 0.25),
        Ok(512)
    );
    // 3 µs per message, 70 ns per task, 5%: 857.14... tasks, so 858.
    assert_eq!(break_even_chunksize(3e-6, 70e-9, 0.05), Ok(858));
    // A task of 1 ms is worth a message of its own at 1%: chunk size 1, never 0.
    assert_eq!(break_even_chunksize(3e-6, 1e-3, 0.01), Ok(1));
    // The shortest task worth a message of its own: 2^-16 / 2^-3 = 2^-13 s.
    assert_eq!(min_task_seconds(2f64.powi(-16), 0.125), Ok(2f64.powi(-13)));
    for bad in [
        break_even_chunksize(3e-6, 0.0, 0.1),
        break_even_chunksize(f64::NAN, 1e-6, 0.1),
        break_even_chunksize(3e-6, 1e-6, 0.0),
    ] {
        assert!(matches!(bad, Err(PoolError::InvalidInput(_))), "{bad:?}");
    }
}

#[test]
fn measured_overhead_goes_through_the_pool_and_sizes_its_chunks() {
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    // A task that does almost nothing and leaves a trace where it runs: 3 primes counted.
    let probe = Task::CountPrimes(vec![2, 3, 4, 5]);
    let n = 500;
    let o: Overhead = measure_overhead(&mut pool, &probe, n).unwrap();
    assert!(o.in_process.is_finite() && o.in_process > 0.0, "{o:?}");
    assert!(o.via_pool.is_finite() && o.per_message() > 0.0, "{o:?}");
    // The pool really ran the probe, n times at least: its worker counted 3 primes each time.
    let found = pool.map(&[Task::PrimesFound], 1).unwrap()[0]
        .as_u64()
        .unwrap();
    assert!(
        found >= 3 * n as u64 && found.is_multiple_of(3),
        "the worker counted {found} primes: the probe did not go through the pool {n} times"
    );

    // The work of a real task, measured in this process, and the chunk size that keeps the
    // messages under 10% of it: it meets that target on these very numbers, one less does
    // not.
    let work = measure_overhead(&mut pool, &Task::IsPrime(9_999_991), 50)
        .unwrap()
        .in_process;
    let k = break_even_chunksize(o.per_message(), work, 0.1).unwrap();
    let tasks_needed = o.per_message() / (0.1 * work);
    assert!(
        tasks_needed <= k as f64,
        "{o:?}, {work} s per task: chunks of {k} miss the target"
    );
    assert!(
        k == 1 || ((k - 1) as f64) < tasks_needed,
        "{o:?}, {work} s per task: chunks of {k} are not the smallest that meet the target"
    );
    let shortest = min_task_seconds(o.per_message(), 0.1).unwrap();
    assert_eq!(
        break_even_chunksize(o.per_message(), shortest * 2.0, 0.1),
        Ok(1),
        "a task twice the shortest is worth its own message"
    );
}

#[test]
fn worker_peak_rss_sees_an_allocation_in_that_worker_only() {
    // Worker 0 allocates and touches 64 MiB, then frees them; worker 1 does next to nothing.
    // Worker 0's peak must rise by at least 56 MiB: 64 MiB, less an 8 MiB margin for what
    // the kernel counts differently (its per-CPU counters lag by a few hundred kB, and part
    // of the worker's few MiB from before may no longer be resident). Neither worker 1's
    // peak nor this process's may rise by half of it: a copy of 64 MiB was never there.
    const X: u64 = 64 * MIB;
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    // One task each first, so that both have finished starting: a worker read the instant
    // it was spawned may not have loaded its libraries yet.
    pool.map_static(&[Task::Pid, Task::Pid], 1).unwrap();
    let before = worker_peak_rss(&pool).unwrap();
    let parent_before = peak_rss_of(std::process::id()).unwrap();
    assert_eq!(before.len(), 2);
    // Static chunks of one: task 0 on worker 0, task 1 on worker 1.
    pool.map_static(&[Task::Allocate { bytes: X }, Task::IsPrime(2)], 1)
        .unwrap();
    let after = worker_peak_rss(&pool).unwrap();
    let parent_after = peak_rss_of(std::process::id()).unwrap();
    let rise = |a: u64, b: u64| a.saturating_sub(b) as f64 / MIB as f64;
    assert!(
        after[0] >= before[0] + X - 8 * MIB,
        "worker 0 touched 64 MiB, its peak rose by {:.1} MiB",
        rise(after[0], before[0])
    );
    assert!(
        after[1] < before[1] + X / 2,
        "worker 1 allocated nothing, its peak rose by {:.1} MiB",
        rise(after[1], before[1])
    );
    assert!(
        parent_after < parent_before + X / 2,
        "the parent allocated nothing, its peak rose by {:.1} MiB",
        rise(parent_after, parent_before)
    );
}
