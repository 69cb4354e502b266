//! Task 8: rolling correlations.

use finance::market::{MarketConfig, simulate};
use lab04::rolling::{RollingError, pearson, rolling_correlation};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The daily returns of two correlated simulated stocks.
fn two_stocks(days: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let r = simulate(&MarketConfig::new(2, days + 1, seed)).returns();
    (r.column(0), r.column(1))
}

/// The test's own two-pass correlation.
fn reference(x: &[f64], y: &[f64]) -> f64 {
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

#[test]
fn pearson_is_the_two_pass_correlation() {
    let (x, y) = two_stocks(500, 51);
    let r = pearson(&x, &y);
    assert!((r - reference(&x, &y)).abs() <= 1e-12, "{r}");
    let line: Vec<f64> = x.iter().map(|a| 3.0 * a + 0.01).collect();
    assert!((pearson(&x, &line) - 1.0).abs() <= 1e-12);
    let mirror: Vec<f64> = x.iter().map(|a| -a).collect();
    assert!((pearson(&x, &mirror) + 1.0).abs() <= 1e-12);
    // No variance, no correlation.
    assert!(pearson(&x[..5], &[0.01; 5]).is_nan());
}

#[test]
fn rolling_correlation_recomputes_every_window() {
    let (x, y) = two_stocks(400, 52);
    let w = 21;
    let r = rolling_correlation(&x, &y, w).unwrap();
    assert_eq!(r.len(), x.len() - w + 1);
    for (k, &rk) in r.iter().enumerate() {
        // Window k is days k..k + w, exactly `pearson` of them: bit for bit.
        let own = pearson(&x[k..k + w], &y[k..k + w]);
        assert_eq!(rk.to_bits(), own.to_bits(), "window {k}: {rk} vs {own}");
        let expected = reference(&x[k..k + w], &y[k..k + w]);
        assert!(
            (rk - expected).abs() <= 1e-12,
            "window {k}: {rk} vs {expected}"
        );
    }
}

#[test]
fn rolling_correlation_is_bit_identical_for_1_2_3_8_threads() {
    let (x, y) = two_stocks(3000, 53);
    let one = pool(1).install(|| rolling_correlation(&x, &y, 63)).unwrap();
    for threads in [2, 3, 8] {
        let many = pool(threads)
            .install(|| rolling_correlation(&x, &y, 63))
            .unwrap();
        assert_eq!(bits(&many), bits(&one), "{threads} threads");
    }
}

#[test]
fn rolling_correlation_rejects_bad_input() {
    let (x, y) = two_stocks(50, 54);
    assert_eq!(
        rolling_correlation(&x, &y[..49], 10),
        Err(RollingError::LengthMismatch { x: 50, y: 49 })
    );
    assert_eq!(
        rolling_correlation(&x, &y, 1),
        Err(RollingError::WindowTooShort { window: 1 })
    );
    assert_eq!(
        rolling_correlation(&x, &y, 51),
        Err(RollingError::WindowTooLong {
            window: 51,
            len: 50
        })
    );
    assert_eq!(rolling_correlation(&x, &y, 50).unwrap().len(), 1);
}
