//! Task 4: Monte Carlo VaR and CVaR.

use finance::linalg::Matrix;
use finance::normal;
use finance::risk::{parametric_es, parametric_var, portfolio_variance};
use finance::stats;
use lab04::var::{TailRisk, VarConfig, VarError, mc_var, mc_var_naive, tail_risk};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Four assets: daily vols 1%, 2%, 1.5%, 0.8%, correlations from 0.1 to 0.6.
fn cov() -> Matrix {
    let vol = [0.01, 0.02, 0.015, 0.008];
    let corr = [
        [1.0, 0.3, 0.5, 0.1],
        [0.3, 1.0, 0.2, 0.4],
        [0.5, 0.2, 1.0, 0.6],
        [0.1, 0.4, 0.6, 1.0],
    ];
    Matrix::from_fn(4, 4, |i, j| corr[i][j] * vol[i] * vol[j])
}

const W: [f64; 4] = [0.4, 0.3, 0.2, 0.1];
const VALUE: f64 = 1e6;

fn cfg(scenarios: u64, confidence: f64) -> VarConfig {
    VarConfig {
        scenarios,
        seed: 99,
        confidence,
    }
}

#[test]
fn tail_risk_of_one_to_a_hundred() {
    let mut losses: Vec<f64> = (1..=100).rev().map(f64::from).collect();
    let r = tail_risk(&mut losses, 0.95);
    // h = 99 × 0.95 = 94.05: 5% of the way from the 95th smallest (95) to the 96th (96).
    assert!((r.var - 95.05).abs() < 1e-12, "{r:?}");
    assert_eq!(r.cvar, 98.0, "mean of 96, 97, 98, 99, 100");
}

#[test]
fn tail_risk_matches_finance_stats() {
    // finance::stats works on returns (losses negative); here losses are positive.
    let mut rng = finance::rng::stream(5, 0);
    // 1,003 values: (N - 1) c is not a whole number for these c, so no loss sits exactly
    // at the VaR and the two conventions (>= VaR, <= -VaR) select the same tail.
    let returns: Vec<f64> = (0..1003)
        .map(|_| rand::RngExt::sample::<f64, _>(&mut rng, rand_distr::StandardNormal))
        .collect();
    for c in [0.9, 0.95, 0.99] {
        let mut losses: Vec<f64> = returns.iter().map(|r| -r).collect();
        let r = tail_risk(&mut losses, c);
        let var = stats::var(&returns, c).unwrap();
        let es = stats::expected_shortfall(&returns, c).unwrap();
        assert!(
            (r.var - var).abs() < 1e-12,
            "VaR at {c}: {} vs {var}",
            r.var
        );
        assert!(
            (r.cvar - es).abs() < 1e-12,
            "CVaR at {c}: {} vs {es}",
            r.cvar
        );
        assert!(r.cvar >= r.var);
    }
}

#[test]
fn naive_and_tight_loops_agree() {
    let c = cfg(100_000, 0.99);
    let naive = mc_var_naive(&W, &cov(), VALUE, &c).unwrap();
    let tight = mc_var(&W, &cov(), VALUE, &c).unwrap();
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(rel(tight.var, naive.var) < 1e-12, "{tight:?} vs {naive:?}");
    assert!(
        rel(tight.cvar, naive.cvar) < 1e-12,
        "{tight:?} vs {naive:?}"
    );
}

/// Monte Carlo error of the empirical quantile: `sqrt(c (1 - c) / N) / f(q)` with `f` the
/// density of the loss at the VaR; of the tail mean: `sqrt((Var(L | L >= q) + c (ES - q)²) /
/// (N (1 - c)))`. The checks allow 4 of each.
#[test]
fn mc_var_agrees_with_parametric_var() {
    let n = 400_000;
    let c = 0.99;
    let risk = mc_var(&W, &cov(), VALUE, &cfg(n, c)).unwrap();
    let sigma = VALUE * portfolio_variance(&W, &cov()).unwrap().sqrt();
    let z = normal::inv_cdf(c);
    let var = parametric_var(&W, &cov(), c, VALUE).unwrap();
    let es = parametric_es(&W, &cov(), c, VALUE).unwrap();
    let se_var = (c * (1.0 - c) / n as f64).sqrt() / (normal::pdf(z) / sigma);
    let lambda = es / sigma;
    let tail_var = 1.0 + z * lambda - lambda * lambda;
    let se_es = sigma * ((tail_var + c * (lambda - z).powi(2)) / (n as f64 * (1.0 - c))).sqrt();
    assert!(
        (risk.var - var).abs() < 4.0 * se_var,
        "VaR {:.1} vs parametric {var:.1} (SE {se_var:.1})",
        risk.var
    );
    assert!(
        (risk.cvar - es).abs() < 4.0 * se_es,
        "CVaR {:.1} vs parametric {es:.1} (SE {se_es:.1})",
        risk.cvar
    );
}

#[test]
fn mc_var_is_bit_identical_for_1_2_3_threads() {
    let c = cfg(150_000, 0.975);
    let one = pool(1).install(|| mc_var(&W, &cov(), VALUE, &c)).unwrap();
    for threads in [2, 3] {
        let other = pool(threads).install(|| mc_var(&W, &cov(), VALUE, &c));
        assert_eq!(other, Ok(one));
    }
    let TailRisk { var, cvar } = one;
    assert!(var > 0.0 && cvar > var);
}

#[test]
fn invalid_inputs_are_errors() {
    let c = cfg(1000, 0.99);
    assert!(mc_var(&W, &cov(), VALUE, &c).is_ok());
    assert!(mc_var_naive(&W, &cov(), VALUE, &c).is_ok());
    assert!(matches!(
        mc_var(&W[..3], &cov(), VALUE, &c),
        Err(VarError::DimensionMismatch { weights: 3, .. })
    ));
    let not_pd = Matrix::from_rows(&[[1.0, 2.0], [2.0, 1.0]]).unwrap();
    assert!(matches!(
        mc_var(&[0.5, 0.5], &not_pd, VALUE, &c),
        Err(VarError::Covariance(_))
    ));
    assert_eq!(
        mc_var(&W, &cov(), VALUE, &cfg(0, 0.99)),
        Err(VarError::NoScenarios)
    );
    assert_eq!(
        mc_var_naive(&W, &cov(), VALUE, &cfg(10, 1.0)),
        Err(VarError::ConfidenceOutOfRange(1.0))
    );
}
