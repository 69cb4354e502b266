//! Task 2: the bootstrap confidence interval of the Sharpe ratio.

use finance::rng::stream;
use finance::stats;
use lab04::bootstrap::{BootstrapConfig, Resampling, bootstrap_sharpe, resample_sharpe, sharpe};
use rand::RngExt;
use rand_distr::StandardNormal;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// `n` i.i.d. normal daily returns with mean `mu` and volatility `sd`.
fn normal_returns(n: usize, mu: f64, sd: f64, seed: u64) -> Vec<f64> {
    let mut rng = stream(seed, 0);
    (0..n)
        .map(|_| mu + sd * rng.sample::<f64, _>(StandardNormal))
        .collect()
}

fn config(resamples: usize, scheme: Resampling) -> BootstrapConfig {
    BootstrapConfig {
        resamples,
        seed: 2024,
        scheme,
        confidence: 0.95,
    }
}

#[test]
fn sharpe_is_annualised_mean_over_sample_sd() {
    let r = normal_returns(500, 5e-4, 0.01, 1);
    let expected = stats::mean(&r).unwrap() / stats::std_dev(&r).unwrap() * 252f64.sqrt();
    assert!((sharpe(&r) - expected).abs() < 1e-12);
    assert_eq!(sharpe(&[0.01, 0.01, 0.01]), 0.0);
}

#[test]
fn resample_statistics_depend_only_on_seed_and_index() {
    let r = normal_returns(300, 4e-4, 0.012, 2);
    for scheme in [Resampling::Iid, Resampling::MovingBlock { block: 20 }] {
        let cfg = config(200, scheme);
        let one = pool(1).install(|| bootstrap_sharpe(&r, &cfg));
        assert_eq!(one.statistics.len(), 200);
        for i in [0, 1, 57, 199] {
            assert_eq!(
                one.statistics[i],
                resample_sharpe(&r, scheme, cfg.seed, i as u64),
                "resample {i} with {scheme:?}"
            );
        }
        for threads in [2, 3] {
            assert_eq!(pool(threads).install(|| bootstrap_sharpe(&r, &cfg)), one);
        }
        // Another seed, other resamples.
        assert_ne!(
            resample_sharpe(&r, scheme, 1, 0),
            resample_sharpe(&r, scheme, 2, 0)
        );
    }
}

#[test]
fn interval_is_a_pair_of_percentiles_around_the_point() {
    let r = normal_returns(1000, 6e-4, 0.01, 3);
    let b = bootstrap_sharpe(&r, &config(500, Resampling::Iid));
    assert_eq!(b.point, sharpe(&r));
    // (Within rounding: (1 - 0.95) / 2 is not exactly 0.025 in floating point.)
    assert!((b.lower - stats::quantile(&b.statistics, 0.025).unwrap()).abs() < 1e-12);
    assert!((b.upper - stats::quantile(&b.statistics, 0.975).unwrap()).abs() < 1e-12);
    assert!(b.lower < b.point && b.point < b.upper);
}

/// For i.i.d. normal returns the Sharpe ratio estimated from `n` days has standard error
/// `sqrt((1 + s²/2) / n)` per day (Lo, 2002, with `s` the daily Sharpe ratio), times
/// `sqrt(252)` annualised; the 95% interval is about `2 × 1.96` of them wide. With 2,000
/// resamples the width of a percentile interval has a Monte Carlo error of about 2.5%, and
/// the bootstrap's estimate of the spread another 1.5%: 10% is 3 standard errors.
#[test]
fn iid_interval_width_matches_the_standard_error() {
    let n = 2520;
    let r = normal_returns(n, 4e-4, 0.012, 4);
    let b = bootstrap_sharpe(&r, &config(2000, Resampling::Iid));
    let daily = stats::mean(&r).unwrap() / stats::std_dev(&r).unwrap();
    let se = ((1.0 + daily * daily / 2.0) / n as f64).sqrt() * 252f64.sqrt();
    let width = b.upper - b.lower;
    let expected = 2.0 * 1.959_964 * se;
    assert!(
        (width / expected - 1.0).abs() < 0.10,
        "interval width {width:.4}, expected about {expected:.4}"
    );
}
