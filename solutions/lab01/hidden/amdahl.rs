//! Hidden tests, task 1: edge cases of the laws and of the fit.

use lab01::{
    ScalingError, ScalingPoint, amdahl_limit, amdahl_speedup, fit_parallel_fraction,
    gustafson_speedup, karp_flatt,
};
use std::time::Duration;

fn point(threads: usize, speedup: f64) -> ScalingPoint {
    ScalingPoint {
        threads,
        time: Duration::ZERO,
        speedup,
        efficiency: speedup / threads as f64,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn serial_program_never_speeds_up() {
    for n in [1, 2, 8, 1_000] {
        assert_eq!(amdahl_speedup(0.0, n), Ok(1.0), "p = 0, n = {n}");
        assert_eq!(
            gustafson_speedup(0.0, n),
            Ok(1.0),
            "gustafson p = 0, n = {n}"
        );
    }
    assert_eq!(amdahl_limit(0.0), Ok(1.0));
}

#[test]
fn fully_parallel_program_scales_linearly_without_limit() {
    for n in [1, 2, 8, 1_000] {
        assert!(
            close(amdahl_speedup(1.0, n).unwrap(), n as f64),
            "amdahl p = 1, n = {n}"
        );
        assert!(
            close(gustafson_speedup(1.0, n).unwrap(), n as f64),
            "gustafson p = 1, n = {n}"
        );
    }
    assert_eq!(amdahl_limit(1.0), Ok(f64::INFINITY));
}

#[test]
fn one_processor_gives_speedup_1_for_every_fraction() {
    for p in [0.0, 0.3, 0.9, 1.0] {
        assert!(close(amdahl_speedup(p, 1).unwrap(), 1.0), "amdahl p = {p}");
        assert!(
            close(gustafson_speedup(p, 1).unwrap(), 1.0),
            "gustafson p = {p}"
        );
    }
}

#[test]
fn amdahl_speedup_approaches_its_limit_from_below() {
    for p in [0.5, 0.75, 0.9, 0.99] {
        let limit = amdahl_limit(p).unwrap();
        let mut previous = 0.0;
        for n in [1, 2, 4, 16, 256, 65_536] {
            let s = amdahl_speedup(p, n).unwrap();
            assert!(
                s > previous && s <= limit,
                "p = {p}, n = {n}: {s} (limit {limit})"
            );
            previous = s;
        }
        assert!(
            limit - previous < 0.01 * limit,
            "p = {p}: far from the limit"
        );
    }
}

#[test]
fn gustafson_rejects_invalid_input() {
    assert_eq!(gustafson_speedup(0.5, 0), Err(ScalingError::ZeroProcessors));
    assert!(matches!(
        gustafson_speedup(-1e-9, 2),
        Err(ScalingError::InvalidFraction(_))
    ));
    assert!(matches!(
        amdahl_limit(1.0 + 1e-9),
        Err(ScalingError::InvalidFraction(_))
    ));
}

#[test]
fn karp_flatt_sign_follows_the_speedup() {
    // Below perfect speedup the serial fraction is positive, at S = n it is zero, above it
    // (superlinear) negative.
    let sublinear = karp_flatt(3.0, 4).unwrap();
    assert!(
        close(sublinear, (1.0 / 3.0 - 0.25) / 0.75),
        "S = 3 on 4: {sublinear}"
    );
    assert!(sublinear > 0.0);
    assert!(karp_flatt(4.0, 4).unwrap().abs() < 1e-15, "perfect speedup");
    let superlinear = karp_flatt(5.0, 4).unwrap();
    assert!(superlinear < 0.0, "S = 5 on 4: {superlinear}");
    // A slowdown (S < 1) means more than everything is serial.
    assert!(karp_flatt(0.5, 2).unwrap() > 1.0);
}

#[test]
fn karp_flatt_of_two_cores_measurement() {
    // 1.9x on 2 cores: e = (1/1.9 - 1/2) / (1/2) = 2/1.9 - 1.
    assert!(close(karp_flatt(1.9, 2).unwrap(), 2.0 / 1.9 - 1.0));
}

#[test]
fn karp_flatt_rejects_invalid_speedups() {
    for s in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(karp_flatt(s, 4), Err(ScalingError::InvalidSpeedup(_))),
            "karp_flatt({s}, 4)"
        );
    }
}

#[test]
fn fit_of_noisy_points_is_the_least_squares_closed_form() {
    let points = [point(1, 1.0), point(2, 1.8), point(4, 3.1), point(8, 4.2)];
    // p = Σ x y / Σ x² with x = 1 - 1/n and y = 1 - 1/S.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for p in &points {
        let (x, y) = (1.0 - 1.0 / p.threads as f64, 1.0 - 1.0 / p.speedup);
        sxy += x * y;
        sxx += x * x;
    }
    let fitted = fit_parallel_fraction(&points).unwrap();
    assert!(
        (fitted - sxy / sxx).abs() < 1e-12,
        "fitted {fitted}, want {}",
        sxy / sxx
    );
}

#[test]
fn fit_of_a_single_two_thread_point_matches_karp_flatt() {
    // With one point the line passes through it: p = 1 - e.
    let fitted = fit_parallel_fraction(&[point(2, 1.9)]).unwrap();
    assert!(close(fitted, 1.0 - karp_flatt(1.9, 2).unwrap()));
}

#[test]
fn fit_is_clamped_to_a_fraction() {
    // Superlinear speedups suggest p > 1, slowdowns p < 0: clamped to [0, 1].
    assert_eq!(
        fit_parallel_fraction(&[point(2, 2.5), point(4, 5.0)]),
        Ok(1.0)
    );
    assert_eq!(
        fit_parallel_fraction(&[point(2, 0.8), point(4, 0.7)]),
        Ok(0.0)
    );
}

#[test]
fn fit_rejects_invalid_points() {
    assert_eq!(
        fit_parallel_fraction(&[point(2, 1.5), point(0, 1.0)]),
        Err(ScalingError::ZeroProcessors)
    );
    assert!(matches!(
        fit_parallel_fraction(&[point(2, 1.5), point(4, f64::NAN)]),
        Err(ScalingError::InvalidSpeedup(_))
    ));
    assert!(matches!(
        fit_parallel_fraction(&[point(2, 0.0)]),
        Err(ScalingError::InvalidSpeedup(_))
    ));
    assert_eq!(
        fit_parallel_fraction(&[point(1, 1.0), point(1, 1.0)]),
        Err(ScalingError::NoParallelPoint)
    );
}

#[test]
fn laws_report_the_first_failed_check_when_several_inputs_are_wrong() {
    // The documented order: p (or the speedup) before n, n = 0 before n = 1, the points of
    // a fit one by one (threads, then speedup), NoParallelPoint last.
    assert_eq!(
        amdahl_speedup(2.0, 0),
        Err(ScalingError::InvalidFraction(2.0))
    );
    assert_eq!(
        gustafson_speedup(-0.5, 0),
        Err(ScalingError::InvalidFraction(-0.5))
    );
    assert_eq!(karp_flatt(-1.0, 1), Err(ScalingError::InvalidSpeedup(-1.0)));
    assert_eq!(karp_flatt(-1.0, 0), Err(ScalingError::InvalidSpeedup(-1.0)));
    assert_eq!(karp_flatt(2.0, 0), Err(ScalingError::ZeroProcessors));
    assert_eq!(
        fit_parallel_fraction(&[point(0, f64::NAN)]),
        Err(ScalingError::ZeroProcessors)
    );
    assert_eq!(
        fit_parallel_fraction(&[point(1, -1.0), point(0, 1.0)]),
        Err(ScalingError::InvalidSpeedup(-1.0))
    );
}
