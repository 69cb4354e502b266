//! What a process costs, measured with your `lab03::costs` (task 6).
//!
//! ```sh
//! cargo run --release -p lab03 --example costs      # a few seconds
//! ```
//!
//! 1. State: primes counted by the workers, and this process's own `PRIMES_FOUND`.
//! 2. The overhead trap: the price of one message on a pool of one worker, the chunk sizes
//!    that make it 10% and 1% of the work, and the shortest task worth a message of its own.
//! 3. Memory: each worker's peak resident memory before and after it receives its own copy
//!    of a 1e7-float (76 MiB) input, read from outside in `/proc/<pid>/status`.
//!
//! This program is also its own worker (see the guard at the top of `main`).

use lab03::costs::{
    break_even_chunksize, count_primes_in_workers, measure_overhead, min_task_seconds, peak_rss_of,
    worker_peak_rss,
};
use lab03::pool::{ProcessPool, WorkerCommand};
use lab03::task::{PRIMES_FOUND, Task};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

const MIB: f64 = (1 << 20) as f64;

fn micros(s: f64) -> String {
    format!("{:.2} µs", s * 1e6)
}

fn main() -> ExitCode {
    if lab03::worker::is_worker_invocation() {
        return lab03::worker::worker_main();
    }
    let worker = WorkerCommand::current_exe().expect("the path of this program");
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!("1. State does not cross processes ({workers} workers)");
    let mut pool = ProcessPool::new(workers, worker.clone()).expect("workers start");
    let numbers: Vec<u64> = (0..1_000_000).collect();
    let total = count_primes_in_workers(&mut pool, &numbers, 10_000).expect("the count");
    let counters: Vec<u64> = pool
        .map_static(&vec![Task::PrimesFound; workers], 1)
        .expect("the workers' counters")
        .iter()
        .filter_map(|o| o.as_u64())
        .collect();
    println!("   primes below 1,000,000, the counts returned: {total}");
    println!("   PRIMES_FOUND in each worker:                 {counters:?}");
    println!(
        "   PRIMES_FOUND in this process:                {}",
        PRIMES_FOUND.load(Ordering::Relaxed)
    );
    drop(pool);

    println!("\n2. The overhead trap (one worker, chunk size 1)");
    let mut one = ProcessPool::new(1, worker.clone()).expect("a worker starts");
    let o = measure_overhead(&mut one, &Task::IsPrime(1), 20_000).expect("the measurement");
    println!(
        "   a task that does nothing: {} in this process, {} through the pool: {} per message",
        micros(o.in_process),
        micros(o.via_pool),
        micros(o.per_message())
    );
    for (name, task) in [
        ("is 9,999,991 prime?", Task::IsPrime(9_999_991)),
        ("spin 10 µs", Task::Spin { micros: 10 }),
    ] {
        let work = measure_overhead(&mut one, &task, 2_000)
            .expect("the measurement")
            .in_process;
        let chunk = |f| break_even_chunksize(o.per_message(), work, f).expect("a chunk size");
        println!(
            "   {name:<20} {} each: chunks of {} for overhead <= 10%, {} for <= 1%",
            micros(work),
            chunk(0.1),
            chunk(0.01)
        );
    }
    for f in [0.1, 0.01] {
        println!(
            "   the shortest task worth its own message at overhead <= {:.0}%: {}",
            f * 100.0,
            micros(min_task_seconds(o.per_message(), f).expect("a length"))
        );
    }
    drop(one);

    println!("\n3. Memory: one copy of the input per worker");
    const FLOATS: usize = 10_000_000;
    let data: Vec<f64> = (0..FLOATS).map(|i| i as f64).collect();
    let mut pool = ProcessPool::new(workers, worker).expect("workers start");
    // One task each first: a worker read the instant it was spawned may not have loaded its
    // libraries yet.
    pool.map_static(&vec![Task::Pid; workers], 1)
        .expect("the pids");
    let before = worker_peak_rss(&pool).expect("/proc/<pid>/status");
    pool.map_static(&vec![Task::Mean(data); workers], 1)
        .expect("the means");
    let after = worker_peak_rss(&pool).expect("/proc/<pid>/status");
    println!(
        "   an input of {:.1} MiB (1e7 floats) to each of {workers} workers",
        (FLOATS * 8) as f64 / MIB
    );
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        println!(
            "   worker {i}: peak {:.1} MiB before, {:.1} MiB after",
            *b as f64 / MIB,
            *a as f64 / MIB
        );
    }
    let parent = peak_rss_of(std::process::id()).expect("/proc/self/status");
    println!(
        "   this process: peak {:.1} MiB (the input, the tasks' copies, the frames)",
        parent as f64 / MIB
    );
    ExitCode::SUCCESS
}
