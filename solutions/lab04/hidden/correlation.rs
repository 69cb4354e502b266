//! Hidden tests of task 3.

use finance::linalg::Matrix;
use finance::market::{MarketConfig, simulate};
use lab04::correlation::{correlation, correlation_naive, standardise};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn max_abs_diff(a: &Matrix, b: &Matrix) -> f64 {
    assert_eq!(a.shape(), b.shape());
    (a.as_slice().iter().zip(b.as_slice()))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn fast_matches_naive_on_203_assets() {
    let r = simulate(&MarketConfig::new(203, 501, 41)).returns();
    let naive = correlation_naive(&r);
    let fast = pool(3).install(|| correlation(&r));
    assert!(max_abs_diff(&fast, &naive) < 1e-12);
}

/// Sizes that divide evenly into every panel and block a solution might choose (48 assets:
/// panels of 2, 4, 8, 12, 16, 24; 512 days: blocks of 64 to 512) and one past them: code
/// that handles only a partial last panel or block, or always assumes one, fails here.
#[test]
fn fast_matches_naive_when_assets_and_days_fill_whole_blocks() {
    for (assets, days) in [(48, 512), (48, 513), (49, 512)] {
        let r = simulate(&MarketConfig::new(assets, days + 1, 48)).returns();
        let fast = pool(2).install(|| correlation(&r));
        assert!(
            max_abs_diff(&fast, &correlation_naive(&r)) < 1e-12,
            "{assets} assets x {days} days"
        );
        for i in 0..assets {
            assert_eq!(fast[(i, i)], 1.0, "{assets} assets x {days} days: diagonal");
        }
    }
}

#[test]
fn correlations_of_known_columns() {
    // Columns: x, 2x + 1 (ρ = 1 with x), -x (ρ = -1), and 1, 0, 1, 0, ... against
    // 0, 1, 0, 1, ... (ρ = -1).
    let rows: Vec<[f64; 5]> = (0..64)
        .map(|t| {
            let x = (t as f64 * 0.7).sin();
            let even = if t % 2 == 0 { 1.0 } else { 0.0 };
            [x, 2.0 * x + 1.0, -x, even, 1.0 - even]
        })
        .collect();
    let r = Matrix::from_rows(&rows).unwrap();
    for c in [correlation(&r), correlation_naive(&r)] {
        assert!((c[(0, 1)] - 1.0).abs() < 1e-12, "{c:?}");
        assert!((c[(0, 2)] + 1.0).abs() < 1e-12, "{c:?}");
        assert!((c[(1, 2)] + 1.0).abs() < 1e-12, "{c:?}");
        assert!((c[(3, 4)] + 1.0).abs() < 1e-12, "{c:?}");
    }
}

/// The market model has correlation ρ_i ρ_j between assets i and j. With 2,519 days the
/// standard error of a sample correlation is at most (1 - ρ²)/√n ≤ 0.02: 0.1 is 5 of them.
#[test]
fn fast_correlation_estimates_the_model_correlation() {
    let market = simulate(&MarketConfig::new(24, 2520, 42));
    let c = correlation(&market.log_returns());
    let model = market.model_correlation();
    assert!(max_abs_diff(&c, &model) < 0.1);
}

#[test]
fn standardise_is_independent_of_threads_and_of_shifts() {
    let r = simulate(&MarketConfig::new(19, 300, 43)).returns();
    let z = pool(1).install(|| standardise(&r));
    assert_eq!(pool(3).install(|| standardise(&r)), z);
    // Adding a constant to an asset's returns changes nothing after standardising.
    let shifted = Matrix::from_fn(r.rows(), r.cols(), |t, i| r[(t, i)] + i as f64 * 0.01);
    assert!(max_abs_diff(&standardise(&shifted), &z) < 1e-12);
}

#[test]
fn tiny_matrices() {
    let one = simulate(&MarketConfig::new(1, 50, 44)).returns();
    assert_eq!(correlation(&one), Matrix::identity(1));
    let two_days = Matrix::from_rows(&[[1.0, 2.0, 5.0], [2.0, 1.0, 7.0]]).unwrap();
    let c = correlation(&two_days);
    let expected =
        Matrix::from_rows(&[[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0], [1.0, -1.0, 1.0]]).unwrap();
    assert!(max_abs_diff(&c, &expected) < 1e-12, "{c:?}");
}
