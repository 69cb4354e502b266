//! Hidden tests, task 1: threads.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use finance::partition::even_chunks;
use lab02::threads::{parallel_sum, run_on_threads};

#[test]
fn run_on_zero_threads_returns_nothing() {
    let out: Vec<u8> = run_on_threads(0, |_| 1);
    assert!(out.is_empty());
    assert_eq!(run_on_threads(1, |i| i + 41), vec![41]);
}

#[test]
fn run_on_threads_passes_a_panic_on_after_joining_the_others() {
    let finished = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&finished);
    let outcome = panic::catch_unwind(AssertUnwindSafe(move || {
        run_on_threads(5, move |i| {
            if i == 2 {
                panic!("thread {i} failed");
            }
            counter.fetch_add(1, Ordering::SeqCst);
        })
    }));
    let payload = outcome.expect_err("the panic of thread 2 must reach the caller");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("thread 2 failed")
    );
    assert_eq!(
        finished.load(Ordering::SeqCst),
        4,
        "the other threads were not joined"
    );
}

#[test]
fn parallel_sum_adds_chunk_sums_in_chunk_order() {
    // Sums of 1/i are not exact, so the grouping shows in the last bits.
    let xs: Vec<f64> = (1..=100_003).map(|i| 1.0 / f64::from(i)).collect();
    for threads in [1, 2, 3, 5, 8] {
        let expected: f64 = even_chunks(xs.len(), threads)
            .into_iter()
            .map(|r| xs[r].iter().map(|x| x * 1.5).sum::<f64>())
            .sum();
        for _ in 0..3 {
            let got = parallel_sum(&xs, threads, |x| x * 1.5);
            assert_eq!(got.to_bits(), expected.to_bits(), "{threads} threads");
        }
    }
}

#[test]
fn parallel_sum_borrows_local_state() {
    // Scoped threads may borrow: the closure reads a local table without Arc or 'static.
    let weights = [0.5, 2.0, 4.0];
    let idx: Vec<usize> = (0..3000).map(|i| i % 3).collect();
    let total = parallel_sum(&idx, 3, |&i| weights[i]);
    assert_eq!(total, 1000.0 * 6.5);
}
