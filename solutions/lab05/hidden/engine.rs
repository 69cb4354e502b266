//! Hidden tests of the library: the refinement and tie paths of the bounded quantile, other
//! markets and books, and the pipeline through `compute`.

use clap::Parser;
use finance::market::{MarketConfig, simulate};
use finance::series::{read_csv_str, write_csv};
use finance::stats;
use indicatif::ProgressBar;
use lab05::cli::{Cli, Command};
use lab05::error::EngineError;
use lab05::load::align;
use lab05::portfolio::{parse_book, parse_portfolio};
use lab05::progress::Progress;
use lab05::returns::{portfolio_returns, risk_inputs};
use lab05::var::{COLLECT_CAP, McModel, historical, monte_carlo, streaming_tail};

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// 300 blocks of 16 384 values `b·16384 + i` scaled into [0, 1): more than COLLECT_CAP.
fn dense_block(b: u64, out: &mut Vec<f64>) {
    out.clear();
    out.extend((0..16_384u64).map(|i| ((b * 16_384 + i) * 7_919 % 4_915_200) as f64 / 4_915_200.0));
}

#[test]
fn hidden_streaming_tail_refines_when_one_bin_is_too_full() {
    const { assert!(300 * 16_384 > COLLECT_CAP) };
    // A range guess a million times too wide: every value lands in the first bin.
    let t = streaming_tail(300, 0.01, (0.0, 1e6), &dense_block, &ProgressBar::hidden());
    let n = 4_915_200u64;
    assert_eq!(t.count, n);
    let h = (n - 1) as f64 * 0.01;
    let (lo, frac) = (h.floor(), h - h.floor());
    let want = (lo + frac) / n as f64;
    assert!(
        (t.quantile - want).abs() < 1e-15,
        "{} vs {want}",
        t.quantile
    );
    assert_eq!(t.error_bound, 0.0);
    assert!(
        t.passes >= 3,
        "a refinement pass was needed, got {} passes",
        t.passes
    );
}

#[test]
fn hidden_streaming_tail_with_ties_reports_a_tiny_error_bound() {
    let ties = |_: u64, out: &mut Vec<f64>| {
        out.clear();
        out.resize(16_384, 0.5);
    };
    let t = streaming_tail(300, 0.05, (0.0, 1.0), &ties, &ProgressBar::hidden());
    assert!(
        (t.quantile - 0.5).abs() <= t.error_bound.max(1e-12),
        "{t:?}"
    );
    assert!(t.error_bound < 1e-9);
    assert!((t.tail_mean - 0.5).abs() < 1e-9);
}

#[test]
fn hidden_streaming_tail_of_one_value() {
    let one = |_: u64, out: &mut Vec<f64>| {
        out.clear();
        out.push(-0.25);
    };
    let t = streaming_tail(1, 0.01, (-1.0, 1.0), &one, &ProgressBar::hidden());
    assert_eq!((t.count, t.quantile, t.tail_mean), (1, -0.25, -0.25));
}

#[test]
fn hidden_monte_carlo_of_a_long_short_portfolio_is_thread_independent() {
    let market = simulate(&MarketConfig::new(5, 400, 77));
    let inputs = risk_inputs(&market.prices);
    let w = [0.8, -0.3, 0.2, 0.5, -0.2];
    let model = McModel::new(&inputs.mean, &inputs.cov, &w, 10).unwrap();
    let one = in_pool(1, || {
        monte_carlo(&model, 70_001, 0.95, 3, &ProgressBar::hidden())
    });
    let two = in_pool(2, || {
        monte_carlo(&model, 70_001, 0.95, 3, &ProgressBar::hidden())
    });
    assert_eq!(one, two);
    assert!(one.figures.var > 0.0 && one.figures.es > one.figures.var);
    assert_eq!(one.tail.count, 70_001);
}

#[test]
fn hidden_historical_var_is_computed_on_returns_not_prices() {
    let market = simulate(&MarketConfig::new(4, 800, 31));
    let w = [0.25; 4];
    let r = portfolio_returns(&market.prices, &w);
    assert_eq!(r.len(), 799);
    let h = historical(&r, 0.975, 1).unwrap();
    // Daily VaR of a diversified equity portfolio: between 0.3% and 10% of its value.
    assert!(h.var > 0.003 && h.var < 0.1, "VaR {}", h.var);
    assert!(
        r.iter().all(|x| x.abs() < 0.5),
        "daily returns, not price levels"
    );
    assert_eq!(h.var, stats::var(&r, 0.975).unwrap());
}

#[test]
fn hidden_compute_on_a_quantity_portfolio_is_thread_independent() {
    let tmp = tempfile::TempDir::new().unwrap();
    let market = simulate(&MarketConfig::new(7, 350, 99));
    for i in 0..7 {
        write_csv(
            &market.series(i),
            tmp.path().join(format!("{}.csv", market.tickers[i])),
        )
        .unwrap();
    }
    let pf = tmp.path().join("pf.csv");
    std::fs::write(&pf, "ticker,quantity\nAST006,10\nAST002,25\nAST004,5\n").unwrap();
    let cli = Cli::parse_from([
        "risk-engine",
        "run",
        "--portfolio",
        pf.to_str().unwrap(),
        "--prices",
        tmp.path().to_str().unwrap(),
        "--scenarios",
        "30000",
        "--bootstrap",
        "100",
        "--horizon",
        "3",
    ]);
    let Command::Run(args) = cli.command else {
        unreachable!()
    };
    let a = in_pool(1, || lab05::compute(&args, Progress::hidden()).unwrap());
    let b = in_pool(3, || lab05::compute(&args, Progress::hidden()).unwrap());
    let ja = serde_json::to_string(&a.report).unwrap();
    assert_eq!(ja, serde_json::to_string(&b.report).unwrap());
    let last = market.prices.row(349);
    let value = 10.0 * last[6] + 25.0 * last[2] + 5.0 * last[4];
    assert!((a.report.portfolio.value - value).abs() < 1e-9 * value);
    assert_eq!(a.report.portfolio.positions[0].ticker, "AST006");
    assert_eq!(a.report.returns.observations, 349);
}

#[test]
fn hidden_portfolio_parser_rejects_extra_fields_and_bad_tickers() {
    assert!(parse_portfolio("p.csv", "ticker,weight\nA,0.5,1\nB,0.5\n", false).is_err());
    assert!(parse_portfolio("p.csv", "ticker,weight\nA B,0.5\nB,0.5\n", false).is_err());
    assert!(parse_portfolio("p.csv", "ticker,weight\n,1\n", false).is_err());
    assert!(parse_portfolio("p.csv", "ticker,weight\nA,0\nB,0\n", true).is_err());
    assert!(parse_portfolio("p.csv", "ticker,weight\nA,inf\n", false).is_err());
}

/// The line and field of an input error.
fn line_and_field(e: &EngineError) -> (usize, String) {
    match e {
        EngineError::Input { line, field, .. } => (*line, field.clone()),
        other => panic!("expected an Input error, got {other:?}"),
    }
}

#[test]
fn hidden_parsers_name_the_field_of_a_line_with_the_wrong_field_count() {
    let too_many = parse_portfolio("p.csv", "ticker,weight\nA,0.5,1\nB,0.5\n", false);
    assert_eq!(
        line_and_field(&too_many.expect_err("three fields on a portfolio line")),
        (2, "line".to_string()),
        "a portfolio line with three fields is an error on the field `line`"
    );
    let too_few = parse_portfolio("p.csv", "ticker,quantity\nA,3\nB\n", false);
    assert_eq!(
        line_and_field(&too_few.expect_err("one field on a portfolio line")),
        (3, "quantity".to_string()),
        "a portfolio line with one field is an error on the missing size field"
    );
    let h = "ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate\n";
    let book = parse_book("b.csv", &format!("{h}A,call,100,1,1,european\n")).unwrap();
    assert_eq!(book.len(), 1, "a line may stop after `style`");
    for (fields, count) in [
        ("A,call,100,1,1,european,", 7),
        ("A,call,100,1,1,european,,", 8),
        ("A,call,100,1,1,european,,,,", 10),
        ("A,call,100,1,1", 5),
    ] {
        let e = parse_book("b.csv", &format!("{h}A,call,100,1,1,european\n{fields}\n"))
            .expect_err("a book line with neither 6 nor 9 fields");
        assert_eq!(
            line_and_field(&e),
            (3, "line".to_string()),
            "a book line with {count} fields is an error on the field `line`: {e}"
        );
    }
}

#[test]
fn hidden_align_names_the_last_line_of_a_short_series() {
    let full = read_csv_str(
        "full.csv",
        "date,close\n2021-03-01,10\n2021-03-02,11\n2021-03-03,12\n",
    )
    .unwrap();
    let one = read_csv_str("one.csv", "date,close\n2021-03-01,10\n").unwrap();
    let sources = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
    let e = align(&[full.clone(), one], &sources("full.csv", "one.csv"))
        .expect_err("a series of one price");
    assert_eq!(
        line_and_field(&e),
        (2, "close".to_string()),
        "a one-price series is an error on its last line, field `close`: {e}"
    );
    let early = read_csv_str("early.csv", "date,close\n2021-03-01,10\n2021-03-02,11\n").unwrap();
    let e = align(&[full, early], &sources("full.csv", "early.csv"))
        .expect_err("a series that ends early");
    assert_eq!(
        line_and_field(&e),
        (3, "date".to_string()),
        "a series that ends early is a gap on its last line: {e}"
    );
    assert!(e.to_string().contains("early.csv"), "names the source: {e}");
}
