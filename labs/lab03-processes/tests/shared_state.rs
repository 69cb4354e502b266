//! Task 6, part 1: shared state does not cross processes. A worker's global counter is the
//! worker's: the parent's copy stays at 0, so the counts must come back as results.
//!
//! This test is alone in its file on purpose: `cargo test` runs the tests of one file as
//! threads of one process, which share its statics (threads share memory, processes do
//! not), and this test reads this process's `PRIMES_FOUND`.

use lab03::costs::count_primes_in_workers;
use lab03::pool::{ProcessPool, WorkerCommand};
use lab03::task::{Output, PRIMES_FOUND, Task, count_primes, is_prime};
use std::sync::atomic::Ordering;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

#[test]
fn counts_come_back_as_results_not_through_a_global() {
    let numbers: Vec<u64> = (0..20_000).collect();
    // A plain loop with is_prime: it leaves PRIMES_FOUND alone.
    let expected = numbers.iter().filter(|&&n| is_prime(n)).count() as u64;
    assert_eq!(expected, 2262);

    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let total = count_primes_in_workers(&mut pool, &numbers, 1_000).unwrap();
    assert_eq!(
        total, expected,
        "the sum of the counts the workers returned"
    );
    assert_eq!(
        PRIMES_FOUND.load(Ordering::Relaxed),
        0,
        "no worker can touch the parent's counter"
    );

    // The counters did move: in the workers, each its own copy (static chunks of one: task
    // i on worker i).
    let counters: Vec<u64> = pool
        .map_static(&[Task::PrimesFound, Task::PrimesFound], 1)
        .unwrap()
        .iter()
        .map(|o| o.as_u64().expect("a count"))
        .collect();
    assert_eq!(counters.iter().sum::<u64>(), expected, "{counters:?}");

    // The same function, run in this process, moves this process's counter.
    assert_eq!(count_primes(&numbers), expected);
    assert_eq!(PRIMES_FOUND.load(Ordering::Relaxed), expected);
    assert_eq!(
        Task::PrimesFound.run(),
        Ok(Output::U64(expected)),
        "the task reads the counter of the process that runs it"
    );
}
