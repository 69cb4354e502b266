//! Hidden tests of task 2.

use finance::rng::stream;
use finance::stats;
use lab04::bootstrap::{BootstrapConfig, Resampling, bootstrap_sharpe, resample_sharpe};
use rand::RngExt;
use rand_distr::StandardNormal;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// An AR(1) series `x_t = mu + phi (x_{t-1} - mu) + e_t`, stationary start, innovations
/// scaled so that `x` has standard deviation `sd`.
fn ar1(n: usize, mu: f64, sd: f64, phi: f64, seed: u64) -> Vec<f64> {
    let mut rng = stream(seed, 0);
    let e = sd * (1.0 - phi * phi).sqrt();
    let mut dev = sd * rng.sample::<f64, _>(StandardNormal);
    (0..n)
        .map(|_| {
            let x = mu + dev;
            dev = phi * dev + e * rng.sample::<f64, _>(StandardNormal);
            x
        })
        .collect()
}

fn cfg(resamples: usize, seed: u64, scheme: Resampling) -> BootstrapConfig {
    BootstrapConfig {
        resamples,
        seed,
        scheme,
        confidence: 0.9,
    }
}

/// Resampling *with* replacement: the 90% interval of the Sharpe ratio of 1,500 i.i.d.
/// returns is about 2 × 1.645 standard errors wide (Lo 2002; 10% tolerance is more than 3
/// Monte Carlo standard errors with 3,000 resamples). Without replacement every resample
/// is a permutation of the data, with exactly its Sharpe ratio: a width of 0.
#[test]
fn bootstrap_draws_with_replacement() {
    let n = 1500;
    let r = ar1(n, 5e-4, 0.015, 0.0, 31);
    let b = bootstrap_sharpe(&r, &cfg(3000, 8, Resampling::Iid));
    let daily = stats::mean(&r).unwrap() / stats::std_dev(&r).unwrap();
    let se = ((1.0 + daily * daily / 2.0) / n as f64).sqrt() * 252f64.sqrt();
    let expected = 2.0 * 1.644_854 * se;
    let width = b.upper - b.lower;
    assert!(
        (width / expected - 1.0).abs() < 0.10,
        "width {width:.4}, expected {expected:.4}"
    );
    let spread = stats::std_dev(&b.statistics).unwrap();
    assert!((spread / se - 1.0).abs() < 0.10, "spread {spread}, SE {se}");
    // The resampled statistics centre on the point estimate.
    let centre = stats::mean(&b.statistics).unwrap();
    assert!((centre - b.point).abs() < 4.0 * se / 3000f64.sqrt() + 0.02 * se);
}

/// Positively autocorrelated returns: the mean of n of them varies (1 + φ)/(1 - φ) = 3
/// times as much as for independent ones, so the interval should be about √3 = 1.73 times
/// wider. I.i.d. resampling destroys the dependence and misses it; blocks of 50 days keep
/// it (Künsch 1989; with blocks of b the expected ratio is about 1.71).
#[test]
fn block_bootstrap_widens_the_interval_of_autocorrelated_returns() {
    let r = ar1(2520, 4e-4, 0.01, 0.5, 32);
    let iid = bootstrap_sharpe(&r, &cfg(2000, 9, Resampling::Iid));
    let block = bootstrap_sharpe(&r, &cfg(2000, 9, Resampling::MovingBlock { block: 50 }));
    let ratio = (block.upper - block.lower) / (iid.upper - iid.lower);
    assert!((1.45..2.0).contains(&ratio), "width ratio {ratio:.3}");
    assert_eq!(block.point, iid.point);
}

#[test]
fn block_bootstrap_is_reproducible_across_threads() {
    let r = ar1(700, 2e-4, 0.01, 0.3, 33);
    let scheme = Resampling::MovingBlock { block: 33 }; // 700 is not a multiple of 33
    let c = cfg(300, 10, scheme);
    let one = pool(1).install(|| bootstrap_sharpe(&r, &c));
    assert_eq!(pool(4).install(|| bootstrap_sharpe(&r, &c)), one);
    assert_eq!(one.statistics[123], resample_sharpe(&r, scheme, 10, 123));
    // Blocks as long as the data: every resample is the data itself.
    let whole = resample_sharpe(&r, Resampling::MovingBlock { block: 700 }, 1, 5);
    assert!((whole - one.point).abs() < 1e-9);
}

#[test]
fn statistics_differ_between_resamples() {
    let r = ar1(400, 1e-3, 0.02, 0.0, 34);
    let b = bootstrap_sharpe(&r, &cfg(100, 11, Resampling::Iid));
    let distinct: std::collections::BTreeSet<u64> =
        b.statistics.iter().map(|s| s.to_bits()).collect();
    assert!(
        distinct.len() > 95,
        "only {} distinct statistics",
        distinct.len()
    );
    assert!(b.lower < b.upper);
}
