//! Hidden tests of lab 03: faults inside chunks, static scheduling, bad workers, timeouts
//! in `map`, retries, and what is left in /proc afterwards.

use lab03::pool::{PoolConfig, PoolError, ProcessPool, WorkerCommand};
use lab03::task::{Output, Task, is_prime};
use std::time::Duration;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

fn assert_reaped(pid: u32) {
    match process_state(pid) {
        None => {}
        Some('Z') => panic!("worker {pid} is a zombie"),
        Some(state) => panic!("worker {pid} is still alive (state {state})"),
    }
}

#[test]
fn crash_inside_a_chunk_fails_that_chunk_only() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let mut tasks: Vec<Task> = (0..24).map(Task::IsPrime).collect();
    tasks[6] = Task::Abort;
    let mut results: Vec<_> = pool.imap_unordered(tasks, 4).unwrap().collect();
    results.sort_by_key(|(i, _)| *i);
    assert_eq!(results.len(), 24);
    for (i, result) in results {
        if (4..8).contains(&i) {
            assert!(
                matches!(result, Err(PoolError::WorkerDied { task: 4, .. })),
                "task {i}: {result:?}"
            );
        } else {
            assert_eq!(result, Ok(Output::Bool(is_prime(i as u64))), "task {i}");
        }
    }
}

#[test]
fn map_static_survives_a_crash() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let mut tasks: Vec<Task> = (0..20).map(Task::IsPrime).collect();
    tasks[13] = Task::Exit(7);
    match pool.map_static(&tasks, 3) {
        Err(PoolError::WorkerDied { task: 12, status }) => assert_eq!(status.code(), Some(7)),
        other => panic!("expected WorkerDied for the chunk at 12, got {other:?}"),
    }
    assert_eq!(pool.pids().len(), 2);
    let tasks: Vec<Task> = (0..20).map(Task::IsPrime).collect();
    assert_eq!(pool.map_static(&tasks, 3).unwrap().len(), 20);
}

#[test]
fn cat_is_not_a_worker() {
    // `cat` echoes the request back: a frame, but not a valid reply.
    let mut pool = ProcessPool::new(1, WorkerCommand::new("/bin/cat")).unwrap();
    match pool.map(&[Task::IsPrime(5)], 1) {
        Err(PoolError::Protocol { task: 0, message }) => {
            assert!(message.to_lowercase().contains("tag"), "{message}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn missing_worker_program_is_a_spawn_error() {
    let err = ProcessPool::new(2, WorkerCommand::new("/nonexistent/lab03-worker")).unwrap_err();
    assert!(matches!(err, PoolError::Spawn { .. }), "{err:?}");
}

#[test]
fn map_times_out_a_hung_worker_and_reaps_it() {
    let config = PoolConfig {
        task_timeout: Some(Duration::from_millis(400)),
        retries: 0,
    };
    let mut pool = ProcessPool::with_config(2, worker(), config).unwrap();
    let before = pool.pids();
    let mut tasks: Vec<Task> = (0..10).map(Task::IsPrime).collect();
    tasks[4] = Task::Hang;
    assert_eq!(
        pool.map(&tasks, 1),
        Err(PoolError::TimedOut {
            task: 4,
            timeout: Duration::from_millis(400)
        })
    );
    let after = pool.pids();
    assert_eq!(after.len(), 2);
    let gone: Vec<u32> = before.into_iter().filter(|p| !after.contains(p)).collect();
    assert_eq!(gone.len(), 1, "exactly the hung worker was replaced");
    assert_reaped(gone[0]);
}

#[test]
fn retries_give_up_after_the_limit() {
    let config = PoolConfig {
        task_timeout: None,
        retries: 2,
    };
    let mut pool = ProcessPool::with_config(1, worker(), config).unwrap();
    let first = pool.pids()[0];
    assert!(matches!(
        pool.map(&[Task::Exit(4)], 1),
        Err(PoolError::WorkerDied { task: 0, .. })
    ));
    assert_reaped(first);
    assert_eq!(
        pool.map(&[Task::IsPrime(3)], 1).unwrap(),
        [Output::Bool(true)]
    );
}

#[test]
fn a_worker_killed_while_idle_is_replaced_by_a_retry() {
    let config = PoolConfig {
        task_timeout: None,
        retries: 1,
    };
    let mut pool = ProcessPool::with_config(1, worker(), config).unwrap();
    let victim = pool.pids()[0];
    assert_eq!(unsafe { libc::kill(victim as i32, libc::SIGKILL) }, 0);
    assert_eq!(
        pool.map(&[Task::IsPrime(13)], 1).unwrap(),
        [Output::Bool(true)]
    );
    assert_reaped(victim);
}

#[test]
fn abandoning_imap_leaves_no_zombies() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let before = pool.pids();
    {
        let mut it = pool
            .imap_unordered(vec![Task::Hang, Task::IsPrime(2), Task::Hang], 1)
            .unwrap();
        assert_eq!(it.next(), Some((1, Ok(Output::Bool(true)))));
    }
    let after = pool.pids();
    assert_eq!(after.len(), 2);
    for pid in before.iter().filter(|p| !after.contains(p)) {
        assert_reaped(*pid);
    }
    drop(pool);
    for pid in before.into_iter().chain(after) {
        assert_reaped(pid);
    }
}

#[test]
fn shutdown_reports_each_worker() {
    let pool = ProcessPool::new(3, worker()).unwrap();
    let pids = pool.pids();
    let statuses = pool.shutdown();
    assert_eq!(statuses.len(), 3);
    assert!(statuses.iter().all(|s| s.code() == Some(0)), "{statuses:?}");
    for pid in pids {
        assert_reaped(pid);
    }
}
