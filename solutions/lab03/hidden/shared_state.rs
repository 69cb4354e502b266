//! Hidden tests of lab 03: state stays in the worker that changed it. Alone in their file:
//! they read this process's `PRIMES_FOUND`, and no test here runs `count_primes` in this
//! process.

use lab03::costs::count_primes_in_workers;
use lab03::pool::{PoolError, ProcessPool, WorkerCommand};
use lab03::task::{PRIMES_FOUND, Task, is_prime};
use std::sync::atomic::Ordering;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

fn primes_in(numbers: &[u64]) -> u64 {
    numbers.iter().filter(|&&n| is_prime(n)).count() as u64
}

#[test]
fn worker_counters_persist_across_calls_but_never_reach_the_parent() {
    let mut pool = ProcessPool::new(3, worker()).unwrap();
    let numbers: Vec<u64> = (1_000..9_000).collect();
    let expected = primes_in(&numbers);
    // Runs of 700: 12 tasks, the last one short.
    for call in 0..2 {
        assert_eq!(
            count_primes_in_workers(&mut pool, &numbers, 700),
            Ok(expected),
            "call {call}"
        );
    }
    assert_eq!(
        PRIMES_FOUND.load(Ordering::Relaxed),
        0,
        "the parent's counter"
    );
    // A worker keeps its statics from one task, and one call, to the next.
    let counters: u64 = pool
        .map_static(
            &[Task::PrimesFound, Task::PrimesFound, Task::PrimesFound],
            1,
        )
        .unwrap()
        .iter()
        .map(|o| o.as_u64().expect("a count"))
        .sum();
    assert_eq!(counters, 2 * expected);
}

#[test]
fn count_primes_in_workers_edge_cases() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    assert_eq!(count_primes_in_workers(&mut pool, &[], 5), Ok(0));
    assert!(matches!(
        count_primes_in_workers(&mut pool, &[2, 3], 0),
        Err(PoolError::InvalidInput(_))
    ));
    let numbers = [0, 1, 2, 3, 4, 97, 100, 9_999_991];
    for per_task in [1, 3, 8, 100] {
        assert_eq!(
            count_primes_in_workers(&mut pool, &numbers, per_task),
            Ok(4),
            "{per_task} numbers per task"
        );
    }
    assert_eq!(PRIMES_FOUND.load(Ordering::Relaxed), 0);
}
