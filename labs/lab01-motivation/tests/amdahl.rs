//! Task 1: the laws of speedup (Amdahl, Gustafson, Karp-Flatt) and the fit of p.
//!
//! Run: `cargo test -p lab01 --test amdahl`.

use lab01::{
    ScalingError, ScalingPoint, amdahl_limit, amdahl_speedup, fit_parallel_fraction,
    gustafson_speedup, karp_flatt,
};
use std::time::Duration;

/// Closed forms are exact up to a few roundings.
const EPS: f64 = 1e-12;

fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= EPS * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

/// A point on `threads` threads with the given speedup (time is not used by the fit).
fn point(threads: usize, speedup: f64) -> ScalingPoint {
    ScalingPoint {
        threads,
        time: Duration::ZERO,
        speedup,
        efficiency: speedup / threads as f64,
    }
}

#[test]
fn half_parallel_program_is_at_most_2x_faster() {
    // The lecture: even with infinite cores, a 50% parallel program is at most 2x faster.
    assert_close(amdahl_limit(0.5).unwrap(), 2.0, "limit for p = 0.5");
    let on_a_million_cores = amdahl_speedup(0.5, 1_000_000).unwrap();
    assert!(
        on_a_million_cores < 2.0 && on_a_million_cores > 1.999,
        "p = 0.5 on 10^6 cores: {on_a_million_cores}"
    );
}

#[test]
fn amdahl_speedups_on_4_and_8_cores() {
    // 1 / ((1 - p) + p / n), worked out by hand.
    let cases = [
        (0.5, 4, 1.0 / 0.625),    // 1.6
        (0.5, 8, 1.0 / 0.5625),   // 1.78
        (0.9, 4, 1.0 / 0.325),    // 3.08
        (0.9, 8, 1.0 / 0.2125),   // 4.71
        (0.95, 8, 1.0 / 0.16875), // 5.93
        (0.99, 8, 1.0 / 0.13375), // 7.48
    ];
    for (p, n, want) in cases {
        assert_close(
            amdahl_speedup(p, n).unwrap(),
            want,
            &format!("amdahl_speedup({p}, {n})"),
        );
    }
}

#[test]
fn amdahl_limits_of_90_95_and_99_percent() {
    for (p, want) in [(0.9, 10.0), (0.95, 20.0), (0.99, 100.0)] {
        let got = amdahl_limit(p).unwrap();
        // 1 - 0.95 is not exactly 0.05 in binary: allow a few ulps of relative error.
        assert!(
            (got - want).abs() < 1e-9 * want,
            "amdahl_limit({p}): got {got}, want {want}"
        );
    }
}

#[test]
fn gustafson_scaled_speedup_grows_with_the_machine() {
    // (1 - p) + p n: the serial part does not grow with the problem.
    assert_close(gustafson_speedup(0.9, 8).unwrap(), 7.3, "gustafson(0.9, 8)");
    assert_close(gustafson_speedup(0.5, 4).unwrap(), 2.5, "gustafson(0.5, 4)");
    assert_close(
        gustafson_speedup(0.99, 64).unwrap(),
        63.37,
        "gustafson(0.99, 64)",
    );
    // Where Amdahl caps a 50% program at 2x, Gustafson's scaled speedup keeps growing.
    assert!(gustafson_speedup(0.5, 100).unwrap() > amdahl_limit(0.5).unwrap());
}

#[test]
fn karp_flatt_recovers_the_serial_fraction_of_amdahl_speedups() {
    for p in [0.5, 0.9, 0.99] {
        for n in [2, 4, 8, 64] {
            let s = amdahl_speedup(p, n).unwrap();
            let e = karp_flatt(s, n).unwrap();
            assert!(
                (e - (1.0 - p)).abs() < 1e-9,
                "karp_flatt({s}, {n}) = {e}, want serial fraction {}",
                1.0 - p
            );
        }
    }
}

#[test]
fn karp_flatt_is_undefined_on_one_processor() {
    assert_eq!(karp_flatt(1.0, 1), Err(ScalingError::OneProcessor));
    assert_eq!(karp_flatt(1.5, 0), Err(ScalingError::ZeroProcessors));
}

#[test]
fn fraction_outside_0_1_is_an_error() {
    for p in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(amdahl_speedup(p, 4), Err(ScalingError::InvalidFraction(_))),
            "amdahl_speedup({p}, 4) must be an error"
        );
        assert!(
            matches!(amdahl_limit(p), Err(ScalingError::InvalidFraction(_))),
            "amdahl_limit({p}) must be an error"
        );
        assert!(
            matches!(
                gustafson_speedup(p, 4),
                Err(ScalingError::InvalidFraction(_))
            ),
            "gustafson_speedup({p}, 4) must be an error"
        );
    }
}

#[test]
fn zero_processors_is_an_error() {
    assert_eq!(amdahl_speedup(0.5, 0), Err(ScalingError::ZeroProcessors));
    assert_eq!(gustafson_speedup(0.5, 0), Err(ScalingError::ZeroProcessors));
}

#[test]
fn errors_print_a_message_and_are_std_errors() {
    let errors = [
        amdahl_speedup(2.0, 4).unwrap_err(),
        amdahl_speedup(0.5, 0).unwrap_err(),
        karp_flatt(1.0, 1).unwrap_err(),
    ];
    for e in errors {
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(!boxed.to_string().is_empty(), "{e:?} has an empty message");
    }
}

#[test]
fn fit_recovers_p_from_exact_amdahl_points() {
    for p in [0.5, 0.9, 0.95] {
        let points: Vec<ScalingPoint> = [1, 2, 4, 8]
            .map(|n| point(n, amdahl_speedup(p, n).unwrap()))
            .to_vec();
        let fitted = fit_parallel_fraction(&points).unwrap();
        assert!((fitted - p).abs() < 1e-12, "fitted {fitted}, want {p}");
    }
}

#[test]
fn fit_needs_a_point_on_two_or_more_threads() {
    assert_eq!(
        fit_parallel_fraction(&[point(1, 1.0)]),
        Err(ScalingError::NoParallelPoint)
    );
    assert_eq!(
        fit_parallel_fraction(&[]),
        Err(ScalingError::NoParallelPoint)
    );
}
