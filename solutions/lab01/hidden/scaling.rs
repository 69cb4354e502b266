//! Hidden tests, task 5: the thread list as users really write it.

use lab01::{ScalingError, scaling_curve};
use std::hint::black_box;

fn spin() {
    let mut x = 1.0_f64;
    for _ in 0..20_000 {
        x = black_box(x * 0.999_999 + 1e-6);
    }
    black_box(x);
}

#[test]
fn duplicate_and_unsorted_thread_counts_give_one_point_each() {
    let mut calls = Vec::new();
    let curve = scaling_curve(
        |n| {
            calls.push(n);
            spin();
        },
        &[8, 2, 1, 2, 8, 3],
        2,
    )
    .unwrap();
    let threads: Vec<usize> = curve.iter().map(|p| p.threads).collect();
    assert_eq!(threads, [1, 2, 3, 8]);
    calls.sort_unstable();
    assert_eq!(
        calls,
        [1, 1, 2, 2, 3, 3, 8, 8],
        "each count measured once, runs times"
    );
}

#[test]
fn empty_thread_list_gives_the_baseline_alone() {
    let curve = scaling_curve(|_| spin(), &[], 1).unwrap();
    assert_eq!(curve.len(), 1);
    assert_eq!(
        (curve[0].threads, curve[0].speedup, curve[0].efficiency),
        (1, 1.0, 1.0)
    );
}

#[test]
fn single_run_per_count_is_enough() {
    let mut calls = 0;
    let curve = scaling_curve(
        |_| {
            calls += 1;
            spin();
        },
        &[2],
        1,
    )
    .unwrap();
    assert_eq!(calls, 2);
    assert_eq!(curve.len(), 2);
    assert!(curve.iter().all(|p| p.time > std::time::Duration::ZERO));
    assert!(
        curve
            .iter()
            .all(|p| p.speedup.is_finite() && p.speedup > 0.0)
    );
}

#[test]
fn zero_in_an_otherwise_valid_list_is_rejected_before_any_work() {
    let mut calls = 0;
    let result = scaling_curve(|_| calls += 1, &[1, 2, 0, 4], 3);
    assert_eq!(result, Err(ScalingError::ZeroProcessors));
    assert_eq!(calls, 0, "no work before the input is checked");
}

#[test]
fn zero_runs_is_reported_before_a_zero_thread_count() {
    let mut calls = 0;
    assert_eq!(
        scaling_curve(|_| calls += 1, &[2, 0], 0),
        Err(ScalingError::ZeroRuns)
    );
    assert_eq!(calls, 0);
}
