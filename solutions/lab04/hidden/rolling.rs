//! Hidden tests of task 8.

use finance::market::{MarketConfig, simulate};
use lab04::rolling::{pearson, rolling_correlation};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn two_stocks(days: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let r = simulate(&MarketConfig::new(2, days + 1, seed)).returns();
    (r.column(0), r.column(1))
}

fn two_pass(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    sxy / (sxx * syy).sqrt()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Windows in which y is an exact linear function of x have correlation +1 or -1; a window
/// in which y is constant has none (NaN).
#[test]
fn rolling_correlation_of_linear_relations_is_plus_or_minus_one() {
    let (x, _) = two_stocks(300, 71);
    // y = 2x on days 0..100, -x on days 100..200, constant on days 200..300.
    let y: Vec<f64> = (x.iter().enumerate())
        .map(|(t, &a)| match t {
            0..100 => 2.0 * a,
            100..200 => -a,
            _ => 0.5,
        })
        .collect();
    let w = 30;
    let r = rolling_correlation(&x, &y, w).unwrap();
    assert_eq!(r.len(), 271);
    for (k, &rk) in r.iter().enumerate() {
        if k + w <= 100 {
            assert!((rk - 1.0).abs() <= 1e-12, "window {k}: {rk}");
        } else if (100..=200 - w).contains(&k) {
            assert!((rk + 1.0).abs() <= 1e-12, "window {k}: {rk}");
        } else if k >= 200 {
            assert!(rk.is_nan(), "window {k}: {rk}");
        }
    }
}

/// The correlation of index levels (about 10,000 points, moving by tens): a one-pass formula
/// on raw sums, Σxy - Σx Σy / w, cancels most of its digits here; two passes do not. The
/// exact answer comes from the levels minus 10,000, where nothing cancels (correlations do
/// not change when a constant is subtracted).
#[test]
fn pearson_is_accurate_on_index_levels() {
    let m = simulate(&MarketConfig::new(2, 2520, 72)).prices;
    let (a, b) = (m.column(0), m.column(1));
    let level = |p: &[f64]| -> Vec<f64> { p.iter().map(|v| 10_000.0 + 10.0 * v).collect() };
    let (x, y) = (level(&a), level(&b));
    let shifted = |p: &[f64]| -> Vec<f64> { p.iter().map(|v| v - 10_000.0).collect() };
    let (xs, ys) = (shifted(&x), shifted(&y));
    let w = 20;
    let r = rolling_correlation(&x, &y, w).unwrap();
    let mut worst = 0.0_f64;
    for (k, &rk) in r.iter().enumerate() {
        let exact = two_pass(&xs[k..k + w], &ys[k..k + w]);
        worst = worst.max((rk - exact).abs());
    }
    assert!(worst <= 1e-12, "worst error {worst:e}");
}

#[test]
fn rolling_correlation_of_many_windows_is_bit_identical_for_1_2_3_8_threads() {
    let (x, y) = two_stocks(20_000, 73);
    let w = 250;
    let one = pool(1).install(|| rolling_correlation(&x, &y, w)).unwrap();
    for k in (0..one.len()).step_by(997) {
        assert_eq!(
            one[k].to_bits(),
            pearson(&x[k..k + w], &y[k..k + w]).to_bits()
        );
    }
    for threads in [2, 3, 8] {
        let many = pool(threads)
            .install(|| rolling_correlation(&x, &y, w))
            .unwrap();
        assert_eq!(bits(&many), bits(&one), "{threads} threads");
    }
}

/// Two days: the deviations are opposite, so the correlation is +1 or -1 (or NaN when a
/// series does not move).
#[test]
fn a_window_of_two_days() {
    let x = [1.0, 2.0, 4.0, 4.0];
    let y = [3.0, 5.0, 1.0, 7.0];
    let r = rolling_correlation(&x, &y, 2).unwrap();
    assert_eq!(r.len(), 3);
    assert!((r[0] - 1.0).abs() <= 1e-12, "{r:?}");
    assert!((r[1] + 1.0).abs() <= 1e-12, "{r:?}");
    assert!(r[2].is_nan(), "{r:?}");
}
