//! The computations: returns and covariance, historical VaR, the bounded-memory quantile,
//! Monte Carlo VaR, the options book and the bootstrap; and their independence of the
//! thread count.

use finance::bs::{self, Barrier, BarrierKind, OptionKind};
use finance::linalg::{Matrix, covariance};
use finance::market::{MarketConfig, simulate};
use finance::rng;
use finance::stats;
use indicatif::ProgressBar;
use lab05::bootstrap::{sharpe_interval, uniform_index};
use lab05::options::{contract, price_book};
use lab05::portfolio::{OptionPosition, Style};
use lab05::returns::{log_returns, portfolio_returns, risk_inputs};
use lab05::var::{
    BLOCK_SCENARIOS, McModel, historical, monte_carlo, scenario_block, streaming_tail,
};

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn bar() -> ProgressBar {
    ProgressBar::hidden()
}

/// Block `b` of a test stream: 1000 uniform-ish values (the last block shorter) from
/// `rng::stream(9, b)`, deterministic and with repeats across blocks avoided.
fn test_block(b: u64, out: &mut Vec<f64>) {
    let mut r = rng::stream(9, b);
    let len = if b == 6 { 371 } else { 1000 };
    out.clear();
    out.extend((0..len).map(|_| (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 3.0 - 1.0));
}

fn all_test_values() -> Vec<f64> {
    let mut all = Vec::new();
    let mut buf = Vec::new();
    for b in 0..7 {
        test_block(b, &mut buf);
        all.extend_from_slice(&buf);
    }
    all
}

#[test]
fn log_returns_and_covariance_of_a_price_matrix() {
    let prices =
        Matrix::from_rows(&[[100.0, 50.0], [110.0, 50.0], [99.0, 55.0], [99.0, 44.0]]).unwrap();
    let r = log_returns(&prices);
    assert_eq!(r.shape(), (3, 2));
    assert_eq!(r[(0, 0)], (110.0f64 / 100.0).ln());
    assert_eq!(r[(2, 1)], (44.0f64 / 55.0).ln());
    let inputs = risk_inputs(&prices);
    assert_eq!(inputs.cov, covariance(&r));
    assert_eq!(inputs.mean[1], (r[(0, 1)] + r[(1, 1)] + r[(2, 1)]) / 3.0);
    assert!((inputs.corr[(0, 0)] - 1.0).abs() < 1e-12);
    assert!((inputs.vols[0] - (inputs.cov[(0, 0)] * 252.0).sqrt()).abs() < 1e-15);
}

#[test]
fn portfolio_returns_are_weighted_simple_returns() {
    let prices = Matrix::from_rows(&[[100.0, 50.0], [110.0, 40.0], [99.0, 60.0]]).unwrap();
    let r = portfolio_returns(&prices, &[0.25, 0.75]);
    assert_eq!(r.len(), 2);
    assert!((r[0] - (0.25 * 0.1 + 0.75 * -0.2)).abs() < 1e-15);
    assert!((r[1] - (0.25 * -0.1 + 0.75 * 0.5)).abs() < 1e-15);
}

#[test]
fn historical_var_uses_finance_stats_and_the_square_root_of_time() {
    let market = simulate(&MarketConfig::new(3, 400, 21));
    let r = portfolio_returns(&market.prices, &[0.5, 0.3, 0.2]);
    let one = historical(&r, 0.99, 1).unwrap();
    assert_eq!(one.var, stats::var(&r, 0.99).unwrap());
    assert_eq!(one.es, stats::expected_shortfall(&r, 0.99).unwrap());
    assert!(
        one.var > 0.005 && one.var < 0.1,
        "a daily VaR of a few percent, got {}",
        one.var
    );
    let ten = historical(&r, 0.99, 10).unwrap();
    assert!((ten.var - one.var * 10f64.sqrt()).abs() < 1e-15);
    assert!(historical(&r[..1], 0.99, 1).is_err());
}

#[test]
fn streaming_quantile_is_exact() {
    let all = all_test_values();
    for q in [0.0, 0.01, 0.025, 0.5, 0.99, 1.0] {
        for range in [(-1.0, 2.0), (0.4, 0.6), (-10.0, -5.0)] {
            let t = streaming_tail(7, q, range, &test_block, &bar());
            assert_eq!(t.count, all.len() as u64);
            assert_eq!(
                t.quantile,
                stats::quantile(&all, q).unwrap(),
                "q = {q}, range {range:?}"
            );
            assert_eq!(t.error_bound, 0.0);
            let tail: Vec<f64> = all.iter().copied().filter(|&x| x <= t.quantile).collect();
            let want = tail.iter().sum::<f64>() / tail.len() as f64;
            assert!(
                (t.tail_mean - want).abs() < 1e-12,
                "q = {q}: tail mean {} vs {want}",
                t.tail_mean
            );
        }
    }
}

#[test]
fn streaming_tail_is_bit_identical_for_1_2_and_5_threads() {
    let one = in_pool(1, || {
        streaming_tail(7, 0.05, (-1.0, 2.0), &test_block, &bar())
    });
    for threads in [2, 5] {
        let many = in_pool(threads, || {
            streaming_tail(7, 0.05, (-1.0, 2.0), &test_block, &bar())
        });
        assert_eq!(one, many, "{threads} threads");
    }
}

#[test]
fn monte_carlo_matches_the_stored_scenarios_and_the_normal_model() {
    let cov = Matrix::from_rows(&[[1e-4, 2e-5], [2e-5, 4e-4]]).unwrap();
    let model = McModel::new(&[0.0, 0.0], &cov, &[0.6, 0.4], 1).unwrap();
    let scenarios = 3 * BLOCK_SCENARIOS + 100;
    let mc = monte_carlo(&model, scenarios, 0.99, 5, &bar());
    // The same scenarios, stored: the streaming result must be exact.
    let mut all = Vec::new();
    let mut buf = Vec::new();
    for b in 0..4 {
        scenario_block(
            &model,
            5,
            b,
            if b == 3 { 100 } else { BLOCK_SCENARIOS },
            &mut buf,
        );
        all.extend_from_slice(&buf);
    }
    assert_eq!(all.len() as u64, scenarios);
    assert_eq!(mc.figures.var, stats::var(&all, 0.99).unwrap());
    assert!((mc.figures.es - stats::expected_shortfall(&all, 0.99).unwrap()).abs() < 1e-12);
    // Near the parametric VaR of the linearised portfolio (σ ≈ 1.14%): within 5%.
    let sigma = (0.36e-4 + 0.16 * 4e-4 + 2.0 * 0.24 * 2e-5f64).sqrt();
    let parametric = 2.326_347_874 * sigma;
    assert!(
        (mc.figures.var / parametric - 1.0).abs() < 0.05,
        "{} vs {parametric}",
        mc.figures.var
    );
    assert!(mc.figures.es > mc.figures.var);
}

#[test]
fn monte_carlo_is_bit_identical_for_1_and_3_threads() {
    let market = simulate(&MarketConfig::new(6, 300, 4));
    let inputs = risk_inputs(&market.prices);
    let model = McModel::new(
        &inputs.mean,
        &inputs.cov,
        &[0.2, 0.2, 0.1, 0.1, 0.3, 0.1],
        5,
    )
    .unwrap();
    let one = in_pool(1, || monte_carlo(&model, 50_000, 0.975, 8, &bar()));
    let three = in_pool(3, || monte_carlo(&model, 50_000, 0.975, 8, &bar()));
    assert_eq!(one, three);
}

fn option(ticker: &str, kind: OptionKind, strike: f64, style: Style) -> OptionPosition {
    OptionPosition {
        ticker: ticker.into(),
        kind,
        strike,
        expiry: 1.0,
        quantity: 3.0,
        style,
        line: 2,
    }
}

#[test]
fn options_book_uses_closed_forms_and_monte_carlo() {
    let barrier = Style::Barrier {
        kind: BarrierKind::DownOut,
        level: 80.0,
        rebate: 0.0,
    };
    let book = vec![
        option("A", OptionKind::Call, 100.0, Style::European),
        option("A", OptionKind::Put, 95.0, barrier),
        option("B", OptionKind::Call, 100.0, Style::Asian),
    ];
    let spots = [100.0, 100.0, 100.0];
    let vols = [0.2, 0.25, 0.3];
    let priced = price_book(&book, &spots, &vols, 0.03, 40_000, 17, &bar());
    let c0 = contract(&book[0], 100.0, 0.2, 0.03);
    assert_eq!(priced[0].price, bs::price(&c0));
    assert_eq!(priced[0].value, 3.0 * priced[0].price);
    assert_eq!(priced[0].std_error, 0.0);
    let c1 = contract(&book[1], 100.0, 0.25, 0.03);
    assert_eq!(
        priced[1].price,
        bs::barrier(
            &c1,
            &Barrier {
                kind: BarrierKind::DownOut,
                level: 80.0,
                rebate: 0.0
            }
        )
    );
    let asian = &priced[2];
    assert_eq!(asian.method, "monte-carlo");
    let c2 = contract(&book[2], 100.0, 0.3, 0.03);
    let geometric = bs::asian_geometric(&c2, lab05::portfolio::ASIAN_FIXINGS);
    assert!(
        asian.std_error > 0.0 && asian.std_error < 0.05,
        "control variate: small error, got {}",
        asian.std_error
    );
    assert!(
        asian.price > geometric && asian.price < geometric + 1.0,
        "{} vs geometric {geometric}",
        asian.price
    );
    let again = in_pool(3, || {
        price_book(&book, &spots, &vols, 0.03, 40_000, 17, &bar())
    });
    assert_eq!(
        priced, again,
        "the book's prices do not depend on the threads"
    );
}

#[test]
fn bootstrap_interval_is_reproducible_and_brackets_the_estimate() {
    let market = simulate(&MarketConfig::new(2, 600, 12));
    let r = portfolio_returns(&market.prices, &[0.5, 0.5]);
    let one = in_pool(1, || sharpe_interval(&r, 400, 0.95, 3, &bar()).unwrap());
    let four = in_pool(4, || sharpe_interval(&r, 400, 0.95, 3, &bar()).unwrap());
    assert_eq!(one, four);
    assert_eq!(one.estimate, stats::sharpe(&r, 252.0).unwrap());
    assert!(one.lo < one.estimate && one.estimate < one.hi, "{one:?}");
    // Resample 0, by hand.
    let mut g = rng::stream(3, 0);
    let sample: Vec<f64> = (0..r.len())
        .map(|_| r[uniform_index(g.next_u64(), r.len())])
        .collect();
    let s0 = stats::sharpe(&sample, 252.0).unwrap();
    assert!(s0 > one.lo - 2.0 && s0 < one.hi + 2.0);
    assert_eq!(one.resamples, 400);
}
