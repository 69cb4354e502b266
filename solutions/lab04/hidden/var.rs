//! Hidden tests of task 4.

use finance::linalg::Matrix;
use finance::normal;
use finance::risk::{parametric_es, parametric_var};
use lab04::var::{SCENARIO_BLOCK, VarConfig, mc_var, mc_var_naive, tail_risk};

fn cfg(scenarios: u64, seed: u64, confidence: f64) -> VarConfig {
    VarConfig {
        scenarios,
        seed,
        confidence,
    }
}

/// Ten assets as in the lecture: vols 1% to 3%, all correlations 0.3.
fn lecture_cov() -> Matrix {
    let vol: Vec<f64> = (0..10).map(|i| 0.01 + 0.02 * i as f64 / 9.0).collect();
    Matrix::from_fn(10, 10, |i, j| {
        let rho = if i == j { 1.0 } else { 0.3 };
        rho * vol[i] * vol[j]
    })
}

/// The VaR is a loss in the *left* tail of the returns: positive for a long portfolio, and
/// the CVaR beyond it. 95% and 99.5% on 300,000 scenarios: within 4 standard errors of the
/// normal closed forms (see the visible test for the formulas).
#[test]
fn var_and_cvar_sit_in_the_loss_tail() {
    let w = vec![0.1; 10];
    let n = 300_000;
    for c in [0.95, 0.995] {
        let risk = mc_var(&w, &lecture_cov(), 1e6, &cfg(n, 17, c)).unwrap();
        let var = parametric_var(&w, &lecture_cov(), c, 1e6).unwrap();
        let es = parametric_es(&w, &lecture_cov(), c, 1e6).unwrap();
        let z = normal::inv_cdf(c);
        let sigma = var / z;
        let se_var = (c * (1.0 - c) / n as f64).sqrt() / (normal::pdf(z) / sigma);
        let lambda = es / sigma;
        let tail = 1.0 + z * lambda - lambda * lambda + c * (lambda - z).powi(2);
        let se_es = sigma * (tail / (n as f64 * (1.0 - c))).sqrt();
        assert!(risk.var > 0.0 && risk.cvar > risk.var, "{risk:?} at {c}");
        assert!(
            (risk.var - var).abs() < 4.0 * se_var,
            "VaR {risk:?} vs {var} at {c}"
        );
        assert!(
            (risk.cvar - es).abs() < 4.0 * se_es,
            "CVaR {risk:?} vs {es} at {c}"
        );
    }
}

/// One asset: the loss is V σ Z, so the VaR is V σ times the empirical quantile of the very
/// normals the simulation drew, and it must match the normal quantile within its error.
#[test]
fn single_asset_var_is_a_normal_quantile() {
    let sd = 0.02;
    let cov = Matrix::from_rows(&[[sd * sd]]).unwrap();
    let n = 200_000;
    let risk = mc_var(&[1.0], &cov, 100.0, &cfg(n, 18, 0.99)).unwrap();
    let exact = 100.0 * sd * normal::inv_cdf(0.99);
    let se = (0.99 * 0.01 / n as f64).sqrt() / normal::pdf(normal::inv_cdf(0.99)) * 100.0 * sd;
    assert!((risk.var - exact).abs() < 4.0 * se, "{risk:?} vs {exact}");
    // A short position has the same loss distribution by symmetry: same VaR within error.
    let short = mc_var(&[-1.0], &cov, 100.0, &cfg(n, 19, 0.99)).unwrap();
    assert!((short.var - exact).abs() < 4.0 * se, "{short:?} vs {exact}");
}

#[test]
fn naive_and_tight_agree_on_partial_blocks() {
    // Not a multiple of the block size: the last block is short.
    let n = 2 * SCENARIO_BLOCK + 1234;
    let w = [0.3, -0.2, 0.5, 0.1, 0.2, 0.1, 0.0, 0.0, 0.0, 0.0];
    let a = mc_var_naive(&w, &lecture_cov(), 5e5, &cfg(n, 20, 0.975)).unwrap();
    let b = mc_var(&w, &lecture_cov(), 5e5, &cfg(n, 20, 0.975)).unwrap();
    assert!(
        (a.var - b.var).abs() <= 1e-12 * a.var.abs(),
        "{a:?} vs {b:?}"
    );
    assert!(
        (a.cvar - b.cvar).abs() <= 1e-12 * a.cvar.abs(),
        "{a:?} vs {b:?}"
    );
    // Another seed gives other scenarios.
    let c = mc_var(&w, &lecture_cov(), 5e5, &cfg(n, 21, 0.975)).unwrap();
    assert_ne!(b, c);
}

#[test]
fn tail_risk_of_small_samples() {
    let one = tail_risk(&mut [3.0], 0.99);
    assert_eq!((one.var, one.cvar), (3.0, 3.0));
    // Two losses: h = 0.5, halfway between them; only the larger is beyond.
    let two = tail_risk(&mut [4.0, 2.0], 0.5);
    assert_eq!((two.var, two.cvar), (3.0, 4.0));
    // Equal losses: VaR and CVaR are that loss.
    let flat = tail_risk(&mut [1.5; 10], 0.9);
    assert_eq!((flat.var, flat.cvar), (1.5, 1.5));
    let mut losses: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64).collect();
    let r = tail_risk(&mut losses, 0.99);
    // h = 999 × 0.99 = 989.01 over the values 0..=999.
    assert!((r.var - 989.01).abs() < 1e-9, "{r:?}");
    assert_eq!(r.cvar, (990..1000).sum::<i32>() as f64 / 10.0);
}

#[test]
fn a_zero_portfolio_has_no_risk() {
    let risk = mc_var(&[0.0; 10], &lecture_cov(), 1e6, &cfg(10_000, 22, 0.99)).unwrap();
    assert_eq!(risk.var, 0.0);
    assert_eq!(risk.cvar, 0.0);
}
