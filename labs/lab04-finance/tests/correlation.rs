//! Task 3: the correlation matrix.

use finance::linalg::{Matrix, correlation as finance_correlation};
use finance::market::{MarketConfig, simulate};
use lab04::correlation::{correlation, correlation_naive, standardise};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Daily returns of `assets` simulated assets: `days` rows, `assets` columns.
fn returns(assets: usize, days: usize, seed: u64) -> Matrix {
    simulate(&MarketConfig::new(assets, days + 1, seed)).returns()
}

fn max_abs_diff(a: &Matrix, b: &Matrix) -> f64 {
    assert_eq!(a.shape(), b.shape());
    (a.as_slice().iter().zip(b.as_slice()))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn naive_matches_finance_linalg() {
    let r = returns(20, 200, 1);
    let c = correlation_naive(&r);
    assert_eq!(c.shape(), (20, 20));
    assert!(max_abs_diff(&c, &finance_correlation(&r)) < 1e-12);
    for i in 0..20 {
        assert_eq!(c[(i, i)], 1.0);
    }
}

#[test]
fn standardised_rows_have_mean_zero_and_norm_one() {
    let r = returns(7, 120, 2);
    let z = standardise(&r);
    assert_eq!(z.shape(), (7, 120));
    for i in 0..7 {
        let row = z.row(i);
        assert!(row.iter().sum::<f64>().abs() < 1e-12, "asset {i} mean");
        let norm: f64 = row.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-12, "asset {i} norm {norm}");
    }
    // Standardising keeps the correlation: z_0 · z_1 is the correlation of assets 0 and 1.
    let dot: f64 = z.row(0).iter().zip(z.row(1)).map(|(a, b)| a * b).sum();
    assert!((dot - finance_correlation(&r)[(0, 1)]).abs() < 1e-12);
}

#[test]
fn fast_matches_naive_within_1e_12() {
    // 37 assets: not a multiple of any block size you might choose.
    let r = returns(37, 300, 3);
    let fast = correlation(&r);
    assert!(max_abs_diff(&fast, &correlation_naive(&r)) < 1e-12);
    for i in 0..37 {
        assert_eq!(fast[(i, i)], 1.0, "diagonal");
        for j in 0..37 {
            assert_eq!(fast[(i, j)], fast[(j, i)], "symmetry");
        }
    }
}

#[test]
fn fast_is_bit_identical_for_1_2_3_threads() {
    let r = returns(61, 250, 4);
    let one = pool(1).install(|| correlation(&r));
    for threads in [2, 3] {
        assert_eq!(pool(threads).install(|| correlation(&r)), one);
    }
}
