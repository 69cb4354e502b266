//! Hidden tests, task 2: the thread pool.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

use crossbeam::channel;
use lab02::pool::{TaskError, ThreadPool};

#[test]
fn pool_reports_its_worker_count() {
    assert_eq!(ThreadPool::new(3).workers(), 3);
    assert_eq!(ThreadPool::new(1).workers(), 1);
}

#[test]
fn tasks_run_on_at_most_workers_threads() {
    let pool = ThreadPool::new(3);
    let ids = Arc::new(Mutex::new(HashSet::<ThreadId>::new()));
    let results = pool.map(0..300, {
        let ids = Arc::clone(&ids);
        move |_| {
            ids.lock().unwrap().insert(thread::current().id());
        }
    });
    assert_eq!(results.len(), 300);
    let ids = ids.lock().unwrap();
    assert!(
        (1..=3).contains(&ids.len()),
        "300 tasks ran on {} threads, the pool has 3 workers",
        ids.len()
    );
    assert!(!ids.contains(&thread::current().id()));
}

#[test]
fn submit_from_several_threads_at_once() {
    let pool = ThreadPool::new(2);
    thread::scope(|s| {
        for t in 0..4u64 {
            let pool = &pool;
            s.spawn(move || {
                let handles: Vec<_> = (0..100u64)
                    .map(|i| pool.submit(move || t * 1000 + i))
                    .collect();
                for (i, h) in handles.into_iter().enumerate() {
                    assert_eq!(h.join(), Ok(t * 1000 + i as u64));
                }
            });
        }
    });
}

#[test]
fn as_completed_yields_every_index_exactly_once() {
    let pool = ThreadPool::new(4);
    let mut seen = vec![false; 500];
    for (index, result) in pool.as_completed(0..500u64, |x| x * 3) {
        assert!(!seen[index], "index {index} twice");
        seen[index] = true;
        assert_eq!(result, Ok(index as u64 * 3));
    }
    assert!(seen.iter().all(|&s| s), "some results never came");
}

#[test]
fn empty_inputs_give_empty_results() {
    let pool = ThreadPool::new(2);
    assert!(pool.map(Vec::<u8>::new(), |x| x).is_empty());
    assert_eq!(pool.as_completed(0..0, |x: i32| x).count(), 0);
}

#[test]
fn map_restores_order_with_three_workers() {
    // Items 0 and 1 block until item 29 starts; the third worker meanwhile runs 2..=28.
    let pool = ThreadPool::new(3);
    let (started_29, wait_for_29) = channel::bounded::<()>(2);
    let results = pool.map(0..30u32, move |i| {
        if i < 2 {
            wait_for_29.recv().unwrap();
        }
        if i == 29 {
            started_29.send(()).unwrap();
            started_29.send(()).unwrap();
        }
        format!("item {i}")
    });
    let expected: Vec<Result<String, TaskError>> =
        (0..30).map(|i| Ok(format!("item {i}"))).collect();
    assert_eq!(results, expected);
}

#[test]
fn one_worker_survives_a_series_of_panics() {
    let pool = ThreadPool::new(1);
    let handles: Vec<_> = (0..20)
        .map(|i| pool.submit(move || -> u8 { panic!("task {i}") }))
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.join(), Err(TaskError::Panicked(format!("task {i}"))));
    }
    assert_eq!(pool.submit(|| 5u8).join(), Ok(5));
}

#[test]
fn a_non_string_panic_is_reported_too() {
    let pool = ThreadPool::new(1);
    let h = pool.submit(|| -> () { std::panic::panic_any(17u32) });
    assert_eq!(
        h.join(),
        Err(TaskError::Panicked("<non-string panic payload>".into()))
    );
    assert_eq!(pool.submit(|| "still here").join(), Ok("still here"));
}

#[test]
fn dropped_handles_do_not_hurt_the_pool() {
    let pool = ThreadPool::new(1);
    for i in 0..50u32 {
        drop(pool.submit(move || i));
    }
    assert_eq!(pool.submit(|| 99u32).join(), Ok(99));
}

#[test]
fn a_handle_outlives_its_pool() {
    let pool = ThreadPool::new(2);
    let handles: Vec<_> = (0..20u32).map(|i| pool.submit(move || i + 1)).collect();
    drop(pool);
    let values: Vec<u32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(values, (1..=20).collect::<Vec<_>>());
}

#[test]
fn drop_finishes_every_queued_task_with_several_workers() {
    let done = Arc::new(AtomicUsize::new(0));
    let pool = ThreadPool::new(3);
    for _ in 0..1000 {
        let done = Arc::clone(&done);
        drop(pool.submit(move || done.fetch_add(1, Ordering::SeqCst)));
    }
    drop(pool);
    assert_eq!(done.load(Ordering::SeqCst), 1000);
}

#[test]
fn task_error_messages_are_readable() {
    let pool = ThreadPool::new(1);
    let err = pool
        .submit(|| -> () { panic!("disk on fire") })
        .join()
        .unwrap_err();
    assert!(err.to_string().contains("disk on fire"), "{err}");
}
