//! Task 3: the pool. Results in input order for every chunk size, dynamic and static
//! scheduling, and the unordered iterator.
//!
//! Scheduling is tested without clocks: a `WaitFor` task blocks its worker until a later
//! `Touch` task creates the file it waits for, and `Pid` tasks tell which worker ran them.

use lab03::pool::{PoolError, ProcessPool, WorkerCommand, python_chunksize};
use lab03::task::{Output, Task, is_prime};

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

fn primes_expected(n: u64) -> Vec<Output> {
    (0..n).map(|i| Output::Bool(is_prime(i))).collect()
}

/// A gate file in a fresh temporary folder (kept alive by the returned guard).
fn gate() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate").to_str().unwrap().to_string();
    (dir, path)
}

/// `[WaitFor(gate), Mean([1]), Mean([2]), ..., Mean([k]), Touch(gate)]`
fn gated_tasks(gate: &str, k: usize) -> Vec<Task> {
    let mut tasks = vec![Task::WaitFor {
        path: gate.to_string(),
    }];
    tasks.extend((1..=k).map(|i| Task::Mean(vec![i as f64])));
    tasks.push(Task::Touch {
        path: gate.to_string(),
    });
    tasks
}

fn pid_of(o: &Output) -> u64 {
    o.as_u64().expect("a pid")
}

#[test]
fn map_returns_outputs_in_input_order() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks: Vec<Task> = (0..2000).map(Task::IsPrime).collect();
    assert_eq!(pool.map(&tasks, 50).unwrap(), primes_expected(2000));
}

#[test]
fn map_handles_every_chunk_size() {
    let mut pool = ProcessPool::new(3, worker()).unwrap();
    let tasks: Vec<Task> = (0..100).map(Task::IsPrime).collect();
    // One task per chunk, uneven chunks (the last one short), one chunk per worker or so,
    // exactly the input, and a chunk larger than the input.
    for chunksize in [1, 7, 34, 100, 1000] {
        assert_eq!(
            pool.map(&tasks, chunksize).unwrap(),
            primes_expected(100),
            "chunksize {chunksize}"
        );
    }
}

#[test]
fn map_of_no_tasks_is_empty() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    assert_eq!(pool.map(&[], 4).unwrap(), Vec::<Output>::new());
    assert_eq!(pool.map_static(&[], 4).unwrap(), Vec::<Output>::new());
    assert_eq!(pool.imap_unordered(Vec::new(), 4).unwrap().count(), 0);
}

#[test]
fn bad_pool_arguments_are_errors() {
    assert!(matches!(
        ProcessPool::new(0, worker()),
        Err(PoolError::InvalidInput(_))
    ));
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    let tasks = [Task::IsPrime(3)];
    assert!(matches!(
        pool.map(&tasks, 0),
        Err(PoolError::InvalidInput(_))
    ));
    assert!(matches!(
        pool.map_static(&tasks, 0),
        Err(PoolError::InvalidInput(_))
    ));
}

#[test]
fn map_orders_results_even_when_completion_order_differs() {
    // Task 0 cannot finish before the last task has run: it completes last or nearly so.
    let (_dir, gate) = gate();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks = gated_tasks(&gate, 8);
    let out = pool.map(&tasks, 1).unwrap();
    assert!(matches!(out[0], Output::U64(_)), "{out:?}");
    for (i, o) in out.iter().enumerate().take(9).skip(1) {
        assert_eq!(*o, Output::F64(i as f64), "task {i}");
    }
    assert!(matches!(out[9], Output::U64(_)), "{out:?}");
}

#[test]
fn dynamic_scheduling_feeds_the_free_worker() {
    // Worker A blocks on task 0 until the last task opens the gate. With dynamic
    // scheduling, worker B must run every other task; a static split would have queued some
    // of them behind task 0 on worker A.
    let (_dir, gate) = gate();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let mut tasks = vec![Task::WaitFor { path: gate.clone() }];
    tasks.extend((0..20).map(|_| Task::Pid));
    tasks.push(Task::Touch { path: gate });
    let out = pool.map(&tasks, 1).unwrap();
    let blocked = pid_of(&out[0]);
    for (i, o) in out.iter().enumerate().skip(1) {
        assert_ne!(
            pid_of(o),
            blocked,
            "task {i} waited behind the blocked worker"
        );
    }
}

#[test]
fn static_scheduling_assigns_chunks_round_robin() {
    // Chunk i goes to worker i % 2 before anything runs, whatever the chunks cost.
    let (_dir, gate) = gate();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let pids: Vec<u64> = pool.pids().iter().map(|&p| p.into()).collect();
    let mut tasks = vec![Task::WaitFor { path: gate.clone() }];
    tasks.extend((0..8).map(|_| Task::Pid));
    tasks.push(Task::Touch { path: gate }); // task 9: worker 1's queue
    let out = pool.map_static(&tasks, 1).unwrap();
    for (i, o) in out.iter().enumerate() {
        assert_eq!(pid_of(o), pids[i % 2], "task {i}");
    }
    // Chunks of 5: one contiguous block per worker.
    let tasks: Vec<Task> = (0..10).map(|_| Task::Pid).collect();
    let out = pool.map_static(&tasks, 5).unwrap();
    for (i, o) in out.iter().enumerate() {
        assert_eq!(pid_of(o), pids[i / 5], "task {i}");
    }
}

#[test]
fn map_static_returns_outputs_in_input_order() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks: Vec<Task> = (0..500).map(Task::IsPrime).collect();
    for chunksize in [1, 9, 250, 600] {
        assert_eq!(
            pool.map_static(&tasks, chunksize).unwrap(),
            primes_expected(500),
            "chunksize {chunksize}"
        );
    }
}

#[test]
fn imap_unordered_yields_every_task_once_with_progress() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks: Vec<Task> = (0..300).map(Task::IsPrime).collect();
    let mut it = pool.imap_unordered(tasks.clone(), 16).unwrap();
    assert_eq!((it.total(), it.completed(), it.len()), (300, 0, 300));
    let mut seen = vec![false; 300];
    let mut count = 0;
    while let Some((i, result)) = it.next() {
        count += 1;
        assert_eq!(it.completed(), count);
        assert_eq!(it.len(), 300 - count);
        assert!(!seen[i], "task {i} yielded twice");
        seen[i] = true;
        assert_eq!(result, Ok(Output::Bool(is_prime(i as u64))));
    }
    assert!(seen.iter().all(|&s| s));
}

#[test]
fn imap_unordered_yields_in_completion_order() {
    let (_dir, gate) = gate();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks = gated_tasks(&gate, 6);
    let order: Vec<usize> = pool
        .imap_unordered(tasks.clone(), 1)
        .unwrap()
        .map(|(i, r)| {
            r.unwrap();
            i
        })
        .collect();
    assert_eq!(order.len(), tasks.len());
    assert_eq!(order[0], 1, "task 1 finishes first: {order:?}");
    let pos = |t| order.iter().position(|&i| i == t).unwrap();
    assert!(pos(0) > pos(6), "task 0 waits for the gate: {order:?}");
}

#[test]
fn pool_is_reused_across_calls() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    assert_eq!(pool.workers(), 2);
    let before = pool.pids();
    assert_eq!(before.len(), 2);
    for n in [10, 0, 57, 3] {
        let tasks: Vec<Task> = (0..n).map(Task::IsPrime).collect();
        assert_eq!(pool.map(&tasks, 4).unwrap(), primes_expected(n));
    }
    assert_eq!(pool.pids(), before, "healthy workers are kept");
    let tasks = [Task::Pid, Task::Pid];
    for o in pool.map(&tasks, 1).unwrap() {
        assert!(before.iter().any(|&p| u64::from(p) == pid_of(&o)));
    }
}

#[test]
fn python_chunksize_matches_multiprocessing() {
    // multiprocessing.Pool.map: ceil(len / (4 * workers)), at least 1.
    assert_eq!(python_chunksize(1_000_000, 2), 125_000);
    assert_eq!(python_chunksize(1_001, 2), 126);
    assert_eq!(python_chunksize(3, 4), 1);
    assert_eq!(python_chunksize(0, 2), 1);
}
