//! Hidden tests of the program on another market and portfolio.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use finance::market::{MarketConfig, simulate};
use finance::series::write_csv;
use market_server::{MarketServer, ServerConfig};
use serde_json::Value;
use tempfile::TempDir;

fn engine() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("risk-engine")
}

/// 12 assets × 450 days (seed 1234), a quantity portfolio of 6 and a small book.
fn setup(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let market = simulate(&MarketConfig::new(12, 450, 1234));
    let prices = dir.join("px");
    std::fs::create_dir_all(&prices).unwrap();
    for i in 0..12 {
        write_csv(
            &market.series(i),
            prices.join(format!("{}.csv", market.tickers[i])),
        )
        .unwrap();
    }
    let pf = dir.join("holdings.csv");
    std::fs::write(
        &pf,
        "ticker,quantity\nAST011,50\nAST003,120\nAST007,80\nAST000,10\nAST005,-30\nAST009,60\n",
    )
    .unwrap();
    let book = dir.join("book.csv");
    std::fs::write(
        &book,
        "ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate\n\
         AST003,call,100,0.5,10,european,,,\n\
         AST010,put,90,1,-5,asian,,,\n\
         AST007,call,100,1,4,barrier,up-out,400,2\n",
    )
    .unwrap();
    (pf, prices, book)
}

fn run(pf: &Path, prices: &Path, book: &Path, out: &Path) -> Command {
    let mut c = engine();
    c.arg("run")
        .arg("--portfolio")
        .arg(pf)
        .arg("--prices")
        .arg(prices)
        .arg("--options")
        .arg(book)
        .arg("--out")
        .arg(out);
    c.args([
        "--scenarios",
        "25000",
        "--bootstrap",
        "150",
        "--option-paths",
        "20000",
        "--quiet",
    ]);
    c
}

fn report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

fn fails(cmd: &mut Command, out: &Path, wanted: &[&str]) {
    let o = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for w in wanted {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
    assert!(!out.join("report.json").exists());
}

#[test]
fn hidden_cli_report_identical_for_1_and_3_threads_with_a_book() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&pf, &px, &book, &a)
        .args(["--threads", "1", "--seed", "5", "--confidence", "0.95"])
        .assert()
        .success();
    run(&pf, &px, &book, &b)
        .args(["--threads", "3", "--seed", "5", "--confidence", "0.95"])
        .assert()
        .success();
    assert!(
        std::fs::read(a.join("report.json")).unwrap()
            == std::fs::read(b.join("report.json")).unwrap()
    );
    let r = report(&a);
    assert_eq!(r["options"]["positions"].as_array().unwrap().len(), 3);
    assert_eq!(r["options"]["positions"][1]["method"], "monte-carlo");
    assert_eq!(r["portfolio"]["positions"][0]["ticker"], "AST011");
}

#[test]
fn hidden_cli_seed_changes_the_monte_carlo_but_not_the_history() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&pf, &px, &book, &a)
        .args(["--seed", "1"])
        .assert()
        .success();
    run(&pf, &px, &book, &b)
        .args(["--seed", "2"])
        .assert()
        .success();
    let (ra, rb) = (report(&a), report(&b));
    assert_eq!(ra["historical"], rb["historical"]);
    assert_ne!(ra["monte_carlo"]["var"], rb["monte_carlo"]["var"]);
}

#[test]
fn hidden_cli_horizon_scales_the_historical_var() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&pf, &px, &book, &a).assert().success();
    run(&pf, &px, &book, &b)
        .args(["--horizon", "4"])
        .assert()
        .success();
    let (v1, v4) = (
        report(&a)["historical"]["var"].as_f64().unwrap(),
        report(&b)["historical"]["var"].as_f64().unwrap(),
    );
    assert!((v4 - 2.0 * v1).abs() < 1e-12, "{v4} vs 2 × {v1}");
    let (m1, m4) = (
        report(&a)["monte_carlo"]["var"].as_f64().unwrap(),
        report(&b)["monte_carlo"]["var"].as_f64().unwrap(),
    );
    assert!(
        m4 > 1.6 * m1 && m4 < 2.4 * m1,
        "MC VaR over 4 days ≈ 2 × 1 day: {m4} vs {m1}"
    );
}

#[test]
fn hidden_cli_extra_field_in_a_price_file() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let f = px.join("AST007.csv");
    let mut lines: Vec<String> = std::fs::read_to_string(&f)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines[5].push_str(",oops");
    std::fs::write(&f, lines.join("\n")).unwrap();
    let out = tmp.path().join("out");
    fails(&mut run(&pf, &px, &book, &out), &out, &["AST007.csv:6:"]);
}

#[test]
fn hidden_cli_unknown_book_ticker_names_the_book_line() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let mut text = std::fs::read_to_string(&book).unwrap();
    text.push_str("ZZZ9,call,100,1,1,european,,,\n");
    std::fs::write(&book, text).unwrap();
    let out = tmp.path().join("out");
    fails(
        &mut run(&pf, &px, &book, &out),
        &out,
        &["book.csv:5:", "ZZZ9"],
    );
}

#[test]
fn hidden_cli_flaky_server_still_gives_the_folder_report() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let mut cfg = ServerConfig::new(12, 450, 1234);
    cfg.failure_rate = 0.3;
    let server = MarketServer::start(cfg).unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&pf, &px, &book, &a).assert().success();
    let mut c = engine();
    c.arg("run")
        .arg("--portfolio")
        .arg(&pf)
        .args(["--server", &server.addr().to_string()])
        .arg("--options")
        .arg(&book)
        .arg("--out")
        .arg(&b);
    c.args([
        "--scenarios",
        "25000",
        "--bootstrap",
        "150",
        "--option-paths",
        "20000",
        "--quiet",
    ])
    .assert()
    .success();
    let (mut ra, mut rb) = (report(&a), report(&b));
    ra["inputs"]["source"] = Value::Null;
    rb["inputs"]["source"] = Value::Null;
    assert_eq!(ra, rb);
}

#[test]
fn hidden_cli_scaling_writes_the_plot_and_keeps_report_json_clean() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&pf, &px, &book, &a)
        .args(["--threads", "2"])
        .assert()
        .success();
    run(&pf, &px, &book, &b)
        .args(["--threads", "2", "--scaling"])
        .assert()
        .success();
    assert!(b.join("scaling.svg").is_file());
    assert!(
        std::fs::read(a.join("report.json")).unwrap()
            == std::fs::read(b.join("report.json")).unwrap()
    );
    let t: Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("timings.json")).unwrap()).unwrap();
    assert_eq!(t["scaling"].as_array().unwrap().len(), 2);
}

#[test]
fn hidden_cli_header_only_price_file() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, book) = setup(tmp.path());
    std::fs::write(px.join("AST003.csv"), "date,close\n").unwrap();
    let out = tmp.path().join("out");
    fails(&mut run(&pf, &px, &book, &out), &out, &["AST003.csv"]);
}

#[test]
fn hidden_cli_summary_prints_the_confidence_and_an_empty_book_as_given() {
    let tmp = TempDir::new().unwrap();
    let (pf, px, _) = setup(tmp.path());
    let out = tmp.path().join("out");
    let o = engine()
        .arg("run")
        .arg("--portfolio")
        .arg(&pf)
        .arg("--prices")
        .arg(&px)
        .arg("--out")
        .arg(&out)
        .args([
            "--scenarios",
            "20000",
            "--bootstrap",
            "100",
            "--confidence",
            "0.975",
        ])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the run fails: {summary}");
    assert!(
        summary.contains(": 97.5% 1-day VaR"),
        "the summary gives --confidence 0.975 as 97.5%: {summary}"
    );
    assert!(
        summary.contains("0 option(s) worth 0.00;"),
        "a run without a book holds 0 options worth 0.00, not -0.00: {summary}"
    );
    let text = std::fs::read_to_string(out.join("report.json")).unwrap();
    assert!(
        text.contains("\"total_value\": 0.0,"),
        "report.json gives an empty book's total_value as 0.0, not -0.0"
    );
}
