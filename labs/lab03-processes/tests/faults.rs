//! Task 4: faults. A worker that exits, aborts, is killed or hangs costs its own task and
//! nothing else; the pool replaces it. Dropping the pool leaves no process behind: every
//! worker is killed and reaped (no zombies, no orphans), which the tests check in /proc.

use lab03::pool::{PoolConfig, PoolError, ProcessPool, WorkerCommand};
use lab03::task::{Output, Task, is_prime};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

/// The state letter of a process in /proc (`R`, `S`, `Z` for a zombie...), `None` if there
/// is no such process.
fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ...": the state follows the last ')'.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

fn assert_gone(pid: u32) {
    match process_state(pid) {
        None => {}
        Some('Z') => panic!("worker {pid} is a zombie: it was never waited for"),
        Some(state) => panic!("worker {pid} is still alive (state {state})"),
    }
}

fn assert_alive(pid: u32) {
    match process_state(pid) {
        Some('Z') | None => panic!("worker {pid} should be alive"),
        Some(_) => {}
    }
}

#[test]
fn worker_exit_costs_only_its_own_task() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let mut tasks: Vec<Task> = (0..40).map(Task::IsPrime).collect();
    tasks[5] = Task::Exit(3);
    let mut results: Vec<_> = pool.imap_unordered(tasks.clone(), 1).unwrap().collect();
    results.sort_by_key(|(i, _)| *i);
    assert_eq!(results.len(), 40);
    for (i, result) in results {
        if i == 5 {
            match result {
                Err(PoolError::WorkerDied { task: 5, status }) => {
                    assert_eq!(status.code(), Some(3), "{status}")
                }
                other => panic!("task 5: expected WorkerDied, got {other:?}"),
            }
        } else {
            assert_eq!(result, Ok(Output::Bool(is_prime(i as u64))), "task {i}");
        }
    }
}

#[test]
fn worker_abort_is_reported_by_map_and_the_pool_recovers() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks = [Task::IsPrime(7), Task::Abort, Task::IsPrime(8)];
    match pool.map(&tasks, 1) {
        Err(PoolError::WorkerDied { task: 1, status }) => {
            assert_eq!(status.signal(), Some(libc::SIGABRT), "{status}")
        }
        other => panic!("expected WorkerDied for task 1, got {other:?}"),
    }
    assert_eq!(pool.pids().len(), 2, "the dead worker was replaced");
    for pid in pool.pids() {
        assert_alive(pid);
    }
    let tasks: Vec<Task> = (0..50).map(Task::IsPrime).collect();
    assert_eq!(pool.map(&tasks, 3).unwrap().len(), 50);
}

#[test]
fn killed_worker_is_detected_and_replaced() {
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    let victim = pool.pids()[0];
    // SIGKILL, as the out-of-memory killer would: the worker cannot even say goodbye.
    assert_eq!(unsafe { libc::kill(victim as i32, libc::SIGKILL) }, 0);
    match pool.map(&[Task::Pid], 1) {
        Err(PoolError::WorkerDied { task: 0, status }) => {
            assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}")
        }
        other => panic!("expected WorkerDied, got {other:?}"),
    }
    assert_gone(victim);
    let fresh = pool.map(&[Task::Pid], 1).unwrap();
    assert_ne!(fresh[0], Output::U64(victim.into()));
}

#[test]
fn hung_worker_times_out_and_is_replaced() {
    let config = PoolConfig {
        task_timeout: Some(Duration::from_millis(500)),
        retries: 0,
    };
    let mut pool = ProcessPool::with_config(2, worker(), config).unwrap();
    let mut tasks: Vec<Task> = (0..20).map(Task::IsPrime).collect();
    tasks[3] = Task::Hang;
    let mut hung_pid_seen = false;
    for (i, result) in pool.imap_unordered(tasks.clone(), 1).unwrap() {
        if i == 3 {
            assert_eq!(
                result,
                Err(PoolError::TimedOut {
                    task: 3,
                    timeout: Duration::from_millis(500)
                })
            );
            hung_pid_seen = true;
        } else {
            assert_eq!(result, Ok(Output::Bool(is_prime(i as u64))), "task {i}");
        }
    }
    assert!(hung_pid_seen);
    assert_eq!(pool.pids().len(), 2);
    assert_eq!(
        pool.map(&[Task::IsPrime(5)], 1).unwrap(),
        [Output::Bool(true)]
    );
}

#[test]
fn a_task_error_is_not_a_crash() {
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    let before = pool.pids();
    let tasks = [Task::IsPrime(2), Task::Fail("bad input".into())];
    assert_eq!(
        pool.map(&tasks, 2),
        Err(PoolError::TaskFailed {
            task: 1,
            message: "bad input".into()
        })
    );
    assert_eq!(pool.pids(), before, "a clean failure keeps its worker");
}

#[test]
fn map_reports_the_lowest_failed_task() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let mut tasks: Vec<Task> = (0..30).map(Task::IsPrime).collect();
    tasks[20] = Task::Fail("late".into());
    tasks[4] = Task::Fail("early".into());
    tasks[11] = Task::Exit(1);
    assert_eq!(
        pool.map(&tasks, 1),
        Err(PoolError::TaskFailed {
            task: 4,
            message: "early".into()
        })
    );
}

#[test]
fn retry_policy_reruns_a_crashed_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let marker = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let flaky = [Task::CrashOnce {
        path: marker("once"),
    }];

    let mut patient = ProcessPool::with_config(
        1,
        worker(),
        PoolConfig {
            task_timeout: None,
            retries: 1,
        },
    )
    .unwrap();
    assert_eq!(patient.map(&flaky, 1).unwrap(), [Output::Unit]);

    let mut strict = ProcessPool::new(1, worker()).unwrap();
    let flaky = [Task::CrashOnce {
        path: marker("twice"),
    }];
    assert!(matches!(
        strict.map(&flaky, 1),
        Err(PoolError::WorkerDied { task: 0, .. })
    ));
}

#[test]
fn dropping_the_pool_reaps_every_worker() {
    let pool = ProcessPool::new(3, worker()).unwrap();
    let pids = pool.pids();
    assert_eq!(pids.len(), 3);
    for &pid in &pids {
        assert_alive(pid);
    }
    drop(pool);
    for pid in pids {
        assert_gone(pid);
    }
}

#[test]
fn dead_workers_are_reaped_before_map_returns() {
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    let first = pool.pids()[0];
    assert!(pool.map(&[Task::Exit(0)], 1).is_err());
    assert_gone(first);
    assert_ne!(pool.pids(), [first]);
}

#[test]
fn dropping_the_pool_kills_a_hung_worker() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks = vec![Task::Hang, Task::IsPrime(3)];
    let pids = pool.pids();
    {
        let mut it = pool.imap_unordered(tasks.clone(), 1).unwrap();
        assert_eq!(it.next(), Some((1, Ok(Output::Bool(true)))));
        // Dropping the iterator with a task still running.
    }
    let replaced = pool.pids();
    assert_eq!(replaced.len(), 2);
    drop(pool);
    for pid in pids.into_iter().chain(replaced) {
        assert_gone(pid);
    }
}

#[test]
fn shutdown_lets_workers_exit_cleanly() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    assert_eq!(
        pool.map(&[Task::IsPrime(11)], 1).unwrap(),
        [Output::Bool(true)]
    );
    let pids = pool.pids();
    let statuses = pool.shutdown();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");
    for pid in pids {
        assert_gone(pid);
    }
}
