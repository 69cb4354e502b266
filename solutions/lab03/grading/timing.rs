//! The grader's timing program for lab 03 (see docs/AUTHORING.md).
//!
//! Workers are this very program started again with `--lab03-worker`: an example target has
//! no `CARGO_BIN_EXE_lab03-worker` (Cargo builds bin targets only for tests and benches), and
//! re-running oneself is how Python's `spawn` start method works too. Hence the guard at the
//! top of `main`, before anything else runs.
//!
//! Pools are started in `prepare`, outside the timed closure: the checks time the work and
//! the per-task overhead, not process start-up.
//!
//! * `unequal` (speedup): the pool's `map` on 1 worker ("seq") and on all cores ("par"), on
//!   tasks whose costs are laid out so that any static split gives every heavy chunk to one
//!   worker. Dynamic scheduling scales (≈ 2x on 2 cores); static scheduling does not scale at
//!   all (≈ 1.0x, no credit). A speedup check compares the student's pool with itself, so it
//!   isolates scheduling from raw dispatch speed, which `dispatch` grades.
//! * `dispatch` (ratio): 5 x 400,000 trivial tasks in chunks of 1,000: the per-task
//!   overhead of the wire format, the pipes and the bookkeeping at a good chunk size,
//!   against the reference's.
//! * `equal_cpu` (speedup): the notes' equal-duration benchmark, "is 9,999,991 prime?"
//!   100,000 times (a few microseconds each) in chunks of 1,000, on the pool ("par")
//!   against a plain loop in this process ("seq"): the speedup a user of the pool really
//!   gets, start-up excluded, every overhead included. (The unequal 0..1,000,000 benchmark
//!   is no good here: its tasks average 0.07 µs, below the pool's per-task overhead, so no
//!   pool beats the loop; the handout asks why.)

use lab03::pool::{ProcessPool, WorkerCommand};
use lab03::task::{Task, is_prime};
use parlab_harness::{Request, Workload};
use std::hint::black_box;

fn pool(workers: usize) -> ProcessPool {
    let command = WorkerCommand::current_exe().expect("the path of this program");
    ProcessPool::new(workers, command).expect("workers start")
}

/// The first prime at or above `n`.
fn prime_from(mut n: u64) -> u64 {
    while !is_prime(n) {
        n += 1;
    }
    n
}

/// 128 tasks in 32 chunks of 4. Chunks 0, 2, 4, ..., 14 (the even chunks of the first half)
/// test a large prime, about 4 ms each; all others test a small prime, microseconds. Round-
/// robin static chunks put every heavy chunk on worker 0 (on any even number of workers), a
/// contiguous split puts them all in the first block: either way one worker does all the
/// work.
fn unequal_tasks() -> (Vec<Task>, usize) {
    const CHUNK: usize = 4;
    let heavy = prime_from(40_000_000_000_000);
    let light = 9_999_991;
    let tasks = (0..128)
        .map(|i| {
            let chunk = i / CHUNK;
            if chunk < 16 && chunk.is_multiple_of(2) {
                Task::IsPrime(heavy)
            } else {
                Task::IsPrime(light)
            }
        })
        .collect();
    (tasks, CHUNK)
}

fn prepare(req: &Request) -> Option<Workload> {
    let workers = if req.is_sequential() {
        1
    } else {
        req.threads.max(1)
    };
    match req.workload.as_str() {
        "unequal" => {
            let mut pool = pool(workers);
            let (tasks, chunk) = unequal_tasks();
            Some(Box::new(move || {
                black_box(pool.map(&tasks, chunk).expect("tasks run"));
            }))
        }
        "dispatch" => {
            let mut pool = pool(req.threads.max(1));
            let tasks: Vec<Task> = (0..400_000).map(|i| Task::IsPrime(i % 64)).collect();
            Some(Box::new(move || {
                for _ in 0..5 {
                    black_box(pool.map(&tasks, 1000).expect("tasks run"));
                }
            }))
        }
        "equal_cpu" => {
            const N: usize = 100_000;
            const PRIME: u64 = 9_999_991;
            if req.is_sequential() {
                Some(Box::new(|| {
                    black_box((0..N).filter(|_| is_prime(black_box(PRIME))).count());
                }))
            } else {
                let mut pool = pool(workers);
                let tasks = vec![Task::IsPrime(PRIME); N];
                Some(Box::new(move || {
                    black_box(pool.map(&tasks, 1000).expect("tasks run"));
                }))
            }
        }
        _ => None,
    }
}

fn main() -> std::process::ExitCode {
    // The worker entry point guard: a worker must serve, and do nothing else.
    if lab03::worker::is_worker_invocation() {
        return lab03::worker::worker_main();
    }
    parlab_harness::main(prepare);
    std::process::ExitCode::SUCCESS
}
