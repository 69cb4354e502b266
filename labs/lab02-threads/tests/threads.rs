//! Task 1: threads (`src/threads.rs`).

use std::collections::HashSet;
use std::sync::Mutex;
use std::thread::{self, ThreadId};

use lab02::threads::{parallel_sum, run_on_threads};

#[test]
fn run_on_threads_returns_results_in_index_order() {
    let out = run_on_threads(8, |i| (i as u64) * 10);
    assert_eq!(out, vec![0, 10, 20, 30, 40, 50, 60, 70]);
}

#[test]
fn run_on_threads_uses_a_new_thread_per_call() {
    let ids: Vec<ThreadId> = run_on_threads(6, |_| thread::current().id());
    let distinct: HashSet<ThreadId> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), 6, "each f(i) must run on its own thread");
    assert!(
        !distinct.contains(&thread::current().id()),
        "f must not run on the calling thread"
    );
}

#[test]
fn parallel_sum_matches_the_sequential_sum() {
    // Whole numbers: every partial sum is exact, so the result cannot depend on the split.
    let xs: Vec<u32> = (0..10_001).collect();
    let expected: f64 = xs.iter().map(|&x| f64::from(x) * 3.0).sum();
    for threads in [1, 2, 3, 4, 7] {
        let got = parallel_sum(&xs, threads, |&x| f64::from(x) * 3.0);
        assert_eq!(got, expected, "{threads} threads");
    }
}

#[test]
fn parallel_sum_runs_on_the_requested_number_of_threads() {
    let seen = Mutex::new(HashSet::new());
    let xs = vec![1.0_f64; 1000];
    let total = parallel_sum(&xs, 4, |&x| {
        seen.lock().unwrap().insert(thread::current().id());
        x
    });
    assert_eq!(total, 1000.0);
    assert_eq!(
        seen.lock().unwrap().len(),
        4,
        "4 threads should each have summed a chunk"
    );
}

#[test]
fn parallel_sum_handles_fewer_items_than_threads() {
    assert_eq!(parallel_sum(&[2.5_f64, 4.0], 8, |&x| x), 6.5);
    assert_eq!(parallel_sum(&[] as &[f64], 3, |&x| x), 0.0);
}
