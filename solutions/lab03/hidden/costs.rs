//! Hidden tests of lab 03: the break-even formulas at their edges, the measurement on a
//! pool of two, and peak memory read from outside.

use lab03::costs::{
    MEASURE_REPS, break_even_chunksize, measure_overhead, min_task_seconds, peak_rss_of,
    worker_peak_rss,
};
use lab03::pool::{PoolError, ProcessPool, WorkerCommand};
use lab03::task::{Output, Task, peak_rss_bytes};

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

const MIB: u64 = 1 << 20;

fn invalid_naming<T: std::fmt::Debug>(r: Result<T, PoolError>, name: &str) {
    match r {
        Err(PoolError::InvalidInput(m)) => assert!(m.contains(name), "{m} should name {name}"),
        other => panic!("expected InvalidInput naming {name}, got {other:?}"),
    }
}

#[test]
fn break_even_edges_and_bad_arguments() {
    // A message that costs nothing: any chunk will do, the smallest is 1.
    assert_eq!(break_even_chunksize(0.0, 1e-6, 0.1), Ok(1));
    // At the shortest task worth a message of its own, chunk size 1; at half of it, 2.
    let (m, f) = (2f64.powi(-16), 0.125);
    let t = min_task_seconds(m, f).unwrap();
    assert_eq!(t, 2f64.powi(-13));
    assert_eq!(break_even_chunksize(m, t, f), Ok(1));
    assert_eq!(break_even_chunksize(m, t / 2.0, f), Ok(2));
    assert_eq!(break_even_chunksize(m, t / 1024.0, f), Ok(1024));
    // 100% is allowed: the message may cost as much as the work.
    assert_eq!(
        break_even_chunksize(2f64.powi(-10), 2f64.powi(-13), 1.0),
        Ok(8)
    );
    // Python's concurrent.futures, 67 µs per task, at 1%: 6.7 ms.
    let py = min_task_seconds(67e-6, 0.01).unwrap();
    assert!((py - 6.7e-3).abs() < 1e-15, "{py}");

    invalid_naming(break_even_chunksize(-1e-6, 1e-6, 0.1), "per_message");
    invalid_naming(
        break_even_chunksize(f64::INFINITY, 1e-6, 0.1),
        "per_message",
    );
    invalid_naming(break_even_chunksize(1e-6, -1e-6, 0.1), "per_task");
    invalid_naming(break_even_chunksize(1e-6, f64::NAN, 0.1), "per_task");
    invalid_naming(break_even_chunksize(1e-6, f64::INFINITY, 0.1), "per_task");
    invalid_naming(break_even_chunksize(1e-6, 1e-6, 1.5), "max_fraction");
    invalid_naming(break_even_chunksize(1e-6, 1e-6, -0.1), "max_fraction");
    invalid_naming(break_even_chunksize(1e-6, 1e-6, f64::NAN), "max_fraction");
    // 1 s per message, 1e-300 s per task: a chunk size no usize holds.
    assert!(matches!(
        break_even_chunksize(1.0, 1e-300, 1.0),
        Err(PoolError::InvalidInput(_))
    ));
    invalid_naming(min_task_seconds(f64::NAN, 0.1), "per_message");
    invalid_naming(min_task_seconds(1e-6, 0.0), "max_fraction");
}

#[test]
fn measure_overhead_sends_every_task_through_the_pool() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let n = 300;
    let o = measure_overhead(&mut pool, &Task::CountPrimes(vec![2, 3]), n).unwrap();
    assert!(o.in_process.is_finite() && o.in_process > 0.0, "{o:?}");
    assert!(o.via_pool.is_finite() && o.via_pool > 0.0, "{o:?}");
    // Each of the MEASURE_REPS timed runs sends all n probes, whichever worker gets them:
    // 2 primes each (more if a warm-up run went through the pool too).
    let counted: u64 = pool
        .map_static(&[Task::PrimesFound, Task::PrimesFound], 1)
        .unwrap()
        .iter()
        .map(|o| o.as_u64().unwrap())
        .sum();
    assert!(
        counted >= 2 * (n * MEASURE_REPS) as u64,
        "the workers counted {counted} primes: fewer than MEASURE_REPS runs of {n} probes"
    );

    assert!(matches!(
        measure_overhead(&mut pool, &Task::Pid, 0),
        Err(PoolError::InvalidInput(_))
    ));
    assert!(matches!(
        measure_overhead(&mut pool, &Task::Fail("no".into()), 3),
        Err(PoolError::TaskFailed { .. })
    ));
}

#[test]
fn peak_rss_of_reads_that_very_process() {
    // This process: between two readings of its own VmHWM (which never falls).
    let a = peak_rss_bytes().unwrap();
    let b = peak_rss_of(std::process::id()).unwrap();
    let c = peak_rss_bytes().unwrap();
    assert!(a <= b && b <= c, "{a} <= {b} <= {c}");
    // A worker: between two readings from outside, its own report.
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    let outside_before = worker_peak_rss(&pool).unwrap()[0];
    let inside = pool.map(&[Task::PeakRss], 1).unwrap()[0].as_u64().unwrap();
    let outside_after = worker_peak_rss(&pool).unwrap()[0];
    assert!(
        outside_before <= inside && inside <= outside_after,
        "{outside_before} <= {inside} <= {outside_after}"
    );
    // No such process (pids stop far below 4e9).
    let err = peak_rss_of(4_000_000_000).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
}

#[test]
fn each_worker_holds_its_own_copy_of_its_input() {
    // 32 MiB of floats to each worker: each must have held at least that, at once (the
    // frame it read, then the decoded vector), with the margin of the visible test.
    const X: u64 = 32 * MIB;
    let data: Vec<f64> = (0..X / 8).map(|i| i as f64).collect();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let before = worker_peak_rss(&pool).unwrap();
    let tasks = vec![Task::Mean(data); 2];
    let out = pool.map_static(&tasks, 1).unwrap();
    assert!(matches!(out[0], Output::F64(_)));
    let after = worker_peak_rss(&pool).unwrap();
    for w in 0..2 {
        assert!(
            after[w] >= before[w] + X - 8 * MIB,
            "worker {w}: peak {} -> {} bytes",
            before[w],
            after[w]
        );
    }
}

#[test]
fn a_freed_allocation_stays_in_the_peak_and_peaks_do_not_add_up() {
    // One worker allocates, touches and frees 48 MiB, twice. Its peak rises by the first
    // (less the visible test's 8 MiB margin), and not by the second: a peak is a maximum,
    // not a total, and what is freed is no longer resident (VmRSS) but stays in VmHWM.
    const X: u64 = 48 * MIB;
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    pool.map(&[Task::Pid], 1).unwrap();
    let before = worker_peak_rss(&pool).unwrap()[0];
    pool.map(&[Task::Allocate { bytes: X }], 1).unwrap();
    let once = worker_peak_rss(&pool).unwrap()[0];
    assert!(once >= before + X - 8 * MIB, "{before} -> {once}");
    pool.map(&[Task::Allocate { bytes: X }], 1).unwrap();
    let twice = worker_peak_rss(&pool).unwrap()[0];
    assert!(twice < once + X / 2, "{once} -> {twice}");
}
