//! Task 2: the thread pool (`src/pool.rs`).
//!
//! No test sleeps to "give threads time": orderings are forced with channels and barriers,
//! so every test gives the same verdict on every run.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::{self, ThreadId};

use crossbeam::channel;
use lab02::pool::{TaskError, ThreadPool, panic_message};

#[test]
fn submit_returns_the_value_through_the_handle() {
    let pool = ThreadPool::new(2);
    assert_eq!(pool.workers(), 2);
    let handles: Vec<_> = (0..10u64).map(|i| pool.submit(move || i * i)).collect();
    let values: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(values, (0..10).map(|i| i * i).collect::<Vec<_>>());
}

#[test]
fn map_returns_results_in_input_order_even_when_tasks_finish_out_of_order() {
    // Two workers. Item 0 blocks until item 7 has started; by then the other worker has
    // finished items 1 to 6, so item 0 completes after them. `map` must still put it first.
    let pool = ThreadPool::new(2);
    let (started_7, wait_for_7) = channel::bounded::<()>(1);
    let results = pool.map(0..8u64, move |i| {
        if i == 0 {
            wait_for_7.recv().expect("item 7 signals");
        }
        if i == 7 {
            started_7.send(()).expect("item 0 listens");
        }
        i * 100
    });
    let expected: Vec<Result<u64, TaskError>> = (0..8).map(|i| Ok(i * 100)).collect();
    assert_eq!(results, expected);
}

#[test]
fn as_completed_yields_results_in_completion_order() {
    // Item 0 waits for a go-ahead the test gives only after it has received item 1's
    // result: so completion order is 1 first, then 0.
    let pool = ThreadPool::new(2);
    let (go, wait_for_go) = channel::bounded::<()>(1);
    let mut results = pool.as_completed(vec![0u64, 1], move |i| {
        if i == 0 {
            wait_for_go.recv().expect("the test sends the go-ahead");
        }
        i + 10
    });
    assert_eq!(results.next(), Some((1, Ok(11))));
    go.send(()).unwrap();
    assert_eq!(results.next(), Some((0, Ok(10))));
    assert_eq!(results.next(), None);
}

#[test]
fn a_panicking_task_reports_its_message_and_the_worker_survives() {
    // One worker: if the panic killed it, nothing could run the second task.
    let pool = ThreadPool::new(1);
    let failed = pool.submit(|| -> u32 { panic!("boom") });
    assert_eq!(failed.join(), Err(TaskError::Panicked("boom".into())));
    let ok = pool.submit(|| 7u32);
    assert_eq!(ok.join(), Ok(7));
}

#[test]
fn map_isolates_a_panic_to_its_own_slot() {
    let pool = ThreadPool::new(3);
    let results = pool.map(0..6u32, |i| {
        if i == 4 {
            panic!("bad item {i}");
        }
        i
    });
    for (i, r) in results.iter().enumerate() {
        if i == 4 {
            assert_eq!(r, &Err(TaskError::Panicked("bad item 4".into())));
        } else {
            assert_eq!(r, &Ok(i as u32));
        }
    }
}

#[test]
fn panic_message_reads_str_and_string_payloads() {
    let literal = std::panic::catch_unwind(|| panic!("literal")).unwrap_err();
    assert_eq!(panic_message(&*literal), "literal");
    let formatted = std::panic::catch_unwind(|| panic!("n = {}", 3)).unwrap_err();
    assert_eq!(panic_message(&*formatted), "n = 3");
    let other = std::panic::catch_unwind(|| std::panic::panic_any(42)).unwrap_err();
    assert_eq!(panic_message(&*other), "<non-string panic payload>");
}

#[test]
fn workers_run_tasks_concurrently_on_their_own_threads() {
    // Three tasks meet at a barrier of three: they can only pass it if three workers run
    // them at the same time.
    let pool = ThreadPool::new(3);
    let barrier = Arc::new(Barrier::new(3));
    let ids = Arc::new(Mutex::new(HashSet::<ThreadId>::new()));
    let results = pool.map(0..3, {
        let ids = Arc::clone(&ids);
        move |_| {
            barrier.wait();
            ids.lock().unwrap().insert(thread::current().id());
        }
    });
    assert!(results.iter().all(Result::is_ok));
    let ids = ids.lock().unwrap();
    assert_eq!(ids.len(), 3);
    assert!(!ids.contains(&thread::current().id()));
}

#[test]
fn dropping_the_pool_finishes_queued_tasks() {
    let pool = ThreadPool::new(1);
    let done = Arc::new(AtomicUsize::new(0));
    let (release, blocked) = channel::bounded::<()>(1);
    // The only worker is stuck in this task while 100 more are queued behind it.
    let first = pool.submit(move || blocked.recv().unwrap());
    for _ in 0..100 {
        let done = Arc::clone(&done);
        let _ = pool.submit(move || done.fetch_add(1, Ordering::SeqCst));
    }
    release.send(()).unwrap();
    drop(pool);
    assert_eq!(
        done.load(Ordering::SeqCst),
        100,
        "queued tasks were dropped"
    );
    assert_eq!(first.join(), Ok(()));
}

thread_local! {
    /// Set by a task on the worker that runs it; dropped when that worker thread exits.
    static WORKER_TOKEN: std::cell::RefCell<Option<Arc<()>>> = const { std::cell::RefCell::new(None) };
}

#[test]
fn dropping_the_pool_joins_every_worker() {
    // Each of the 4 workers stores a clone of `token` in its thread-local storage, which
    // is dropped when the worker thread ends. After `drop(pool)` has returned, only the
    // test's own reference may remain.
    let workers = 4;
    let pool = ThreadPool::new(workers);
    let token = Arc::new(());
    let barrier = Arc::new(Barrier::new(workers));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let token = Arc::clone(&token);
            let barrier = Arc::clone(&barrier);
            // The barrier makes the 4 tasks run on 4 different workers.
            pool.submit(move || {
                WORKER_TOKEN.with(|t| *t.borrow_mut() = Some(token));
                barrier.wait();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(Arc::strong_count(&token), 1 + workers);
    drop(pool);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "a worker thread was still alive after the pool was dropped"
    );
}
