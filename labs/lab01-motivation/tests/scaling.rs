//! Task 5: measuring a scaling curve.
//!
//! Run: `cargo test -p lab01 --test scaling`. Wall-clock times vary from run to run, so
//! these tests check the structure of the curve, never how fast anything ran.

use lab01::{ScalingError, fit_parallel_fraction, scaling_curve};
use std::hint::black_box;

/// A few microseconds of arithmetic the compiler cannot remove, so that every run takes a
/// measurable time.
fn spin() {
    let mut x = 1.0_f64;
    for _ in 0..20_000 {
        x = black_box(x * 0.999_999 + 1e-6);
    }
    black_box(x);
}

#[test]
fn scaling_curve_calls_work_runs_times_per_thread_count() {
    let mut calls = Vec::new();
    scaling_curve(
        |n| {
            calls.push(n);
            spin();
        },
        &[1, 2, 4],
        3,
    )
    .unwrap();
    calls.sort_unstable();
    assert_eq!(calls, [1, 1, 1, 2, 2, 2, 4, 4, 4]);
}

#[test]
fn scaling_curve_one_thread_point_has_speedup_1() {
    let curve = scaling_curve(|_| spin(), &[1, 2], 3).unwrap();
    assert_eq!(curve[0].threads, 1);
    assert_eq!(curve[0].speedup, 1.0);
    assert_eq!(curve[0].efficiency, 1.0);
}

#[test]
fn scaling_curve_efficiency_is_speedup_over_threads() {
    let curve = scaling_curve(|_| spin(), &[1, 2, 3, 4], 3).unwrap();
    assert_eq!(curve.len(), 4);
    let baseline = curve[0].time.as_secs_f64();
    for p in &curve {
        let speedup = baseline / p.time.as_secs_f64();
        assert!(
            (p.speedup - speedup).abs() <= 1e-9 * speedup,
            "{p:?}: speedup must be time(1) / time({})",
            p.threads
        );
        let efficiency = p.speedup / p.threads as f64;
        assert!(
            (p.efficiency - efficiency).abs() <= 1e-9 * efficiency,
            "{p:?}: efficiency must be speedup / threads"
        );
    }
}

#[test]
fn scaling_curve_measures_one_thread_even_if_not_listed() {
    let mut calls = Vec::new();
    let curve = scaling_curve(
        |n| {
            calls.push(n);
            spin();
        },
        &[4, 2],
        2,
    )
    .unwrap();
    let threads: Vec<usize> = curve.iter().map(|p| p.threads).collect();
    assert_eq!(threads, [1, 2, 4], "sorted, starting with the baseline");
    assert_eq!(calls.iter().filter(|&&n| n == 1).count(), 2);
    assert_eq!(curve[0].speedup, 1.0);
}

#[test]
fn scaling_curve_rejects_zero_threads_and_zero_runs() {
    assert_eq!(
        scaling_curve(|_| spin(), &[1, 0], 3),
        Err(ScalingError::ZeroProcessors)
    );
    assert_eq!(
        scaling_curve(|_| spin(), &[1, 2], 0),
        Err(ScalingError::ZeroRuns)
    );
}

#[test]
fn fit_of_a_measured_curve_is_a_fraction() {
    // `spin` is serial: whatever the timings, the fitted fraction lies in [0, 1].
    let curve = scaling_curve(|_| spin(), &[1, 2, 4], 3).unwrap();
    let p = fit_parallel_fraction(&curve).unwrap();
    assert!((0.0..=1.0).contains(&p), "p = {p}");
}
