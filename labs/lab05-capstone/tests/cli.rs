//! The `risk-engine` program, run as a user would: the demo, determinism across thread
//! counts, the report's schema, and every kind of bad input (exit code 2, a message naming
//! the file, line and field, and no report.json).

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use finance::market::{MarketConfig, simulate};
use finance::series::write_csv;
use market_server::{Fault, MarketServer, ServerConfig};
use serde_json::Value;
use tempfile::TempDir;

/// The program, at a path fixed at compile time: works from any folder, any environment.
fn engine() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("risk-engine")
}

/// A small market (10 assets × 500 days, seed 7) in `dir/prices`, and an equal-weight
/// portfolio of its first `positions` tickers in `dir/portfolio.csv`.
fn setup(dir: &Path, positions: usize) -> (PathBuf, PathBuf) {
    let market = simulate(&MarketConfig::new(10, 500, 7));
    let prices = dir.join("prices");
    std::fs::create_dir_all(&prices).unwrap();
    for i in 0..market.assets() {
        write_csv(
            &market.series(i),
            prices.join(format!("{}.csv", market.tickers[i])),
        )
        .unwrap();
    }
    let mut pf = String::from("ticker,weight\n");
    for t in &market.tickers[..positions] {
        pf.push_str(&format!("{t},{}\n", 1.0 / positions as f64));
    }
    let portfolio = dir.join("portfolio.csv");
    std::fs::write(&portfolio, pf).unwrap();
    (portfolio, prices)
}

/// `run` on a portfolio and a folder with quick settings, the report in `out`.
fn run(portfolio: &Path, prices: &Path, out: &Path) -> Command {
    let mut cmd = engine();
    cmd.arg("run")
        .arg("--portfolio")
        .arg(portfolio)
        .arg("--prices")
        .arg(prices)
        .arg("--out")
        .arg(out)
        .args(["--scenarios", "20000", "--bootstrap", "200", "--quiet"]);
    cmd
}

/// Runs `cmd`, expects exit code 2 with every piece of `wanted` in stderr, and no report.
fn fails_with(cmd: &mut Command, out: &Path, wanted: &[&str]) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "exit code; stderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "a panic is not an error message:\n{stderr}"
    );
    for w in wanted {
        assert!(stderr.contains(w), "stderr should contain {w:?}:\n{stderr}");
    }
    assert!(
        !out.join("report.json").exists(),
        "a failed run must leave no report.json"
    );
}

fn report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn demo_runs_in_one_command_and_help_documents_the_flags() {
    let help = engine().args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--portfolio",
        "--prices",
        "--server",
        "--threads",
        "--seed",
        "--max-memory",
        "--quiet",
        "--normalize",
    ] {
        assert!(help.contains(flag), "`run --help` should document {flag}");
    }
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("demo");
    engine()
        .arg("demo")
        .arg("--dir")
        .arg(&dir)
        .args([
            "--assets",
            "6",
            "--days",
            "300",
            "--book",
            "12",
            "--scenarios",
            "20000",
            "--bootstrap",
            "200",
            "--quiet",
        ])
        .assert()
        .success();
    for f in ["report.json", "report.md", "timings.json", "pnl.svg"] {
        assert!(
            dir.join("report").join(f).is_file(),
            "demo should write report/{f}"
        );
    }
    let r = report(&dir.join("report"));
    assert_eq!(r["options"]["positions"].as_array().unwrap().len(), 12);
    assert!(r["monte_carlo"]["var"].as_f64().unwrap() > 0.0);
    // timings.json labels every stage by what was measured: its CPU time against the CPU
    // time its threads could have used (lab02's task 7), never by hand.
    let t: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report").join("timings.json")).unwrap(),
    )
    .unwrap();
    let stages = t["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 7, "{stages:?}");
    for st in stages {
        let (wall, cpu) = (
            st["seconds"].as_f64().unwrap(),
            st["cpu_seconds"].as_f64().unwrap(),
        );
        let threads = st["threads"].as_f64().unwrap();
        assert!(cpu >= 0.0 && threads >= 1.0, "{st}");
        let busy = st["busy"].as_f64().unwrap();
        assert!(
            (busy * wall * threads - cpu).abs() <= 1e-9 + 1e-9 * cpu,
            "{st}"
        );
        let bound = st["bound"].as_str().unwrap();
        assert!(["io", "mixed", "cpu", "short"].contains(&bound), "{st}");
        assert_eq!(bound == "short", wall < 1e-3, "{st}");
    }
}

#[test]
fn report_is_byte_identical_for_1_2_and_4_threads() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 10);
    let mut reports = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = tmp.path().join(format!("out{threads}"));
        run(&portfolio, &prices, &out)
            .args(["--threads", threads, "--seed", "11"])
            .assert()
            .success();
        reports.push(std::fs::read(out.join("report.json")).unwrap());
    }
    assert!(
        reports[0] == reports[1],
        "report.json differs between 1 and 2 threads"
    );
    assert!(
        reports[0] == reports[2],
        "report.json differs between 1 and 4 threads"
    );
}

#[test]
fn report_json_follows_the_documented_schema() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 4);
    let out = tmp.path().join("out");
    run(&portfolio, &prices, &out)
        .args(["--confidence", "0.975", "--horizon", "5"])
        .assert()
        .success();
    let r = report(&out);
    assert_eq!(r["schema"], "parlab.risk-engine.report/1");
    assert_eq!(r["inputs"]["confidence"], 0.975);
    assert_eq!(r["inputs"]["horizon_days"], 5);
    assert_eq!(r["inputs"]["days"], 500);
    assert_eq!(r["returns"]["observations"], 499);
    assert_eq!(r["portfolio"]["positions"].as_array().unwrap().len(), 4);
    assert_eq!(r["returns"]["correlation"].as_array().unwrap().len(), 4);
    for section in ["historical", "parametric", "monte_carlo"] {
        let (var, es) = (
            r[section]["var"].as_f64().unwrap(),
            r[section]["es"].as_f64().unwrap(),
        );
        assert!(var > 0.0 && es >= var, "{section}: VaR {var}, ES {es}");
        let amount = r[section]["var_amount"].as_f64().unwrap();
        assert!(
            (amount - var * 1e6).abs() < 1e-6 * amount,
            "{section}: var_amount = var × notional"
        );
    }
    for key in [
        "mean",
        "std_dev",
        "min",
        "max",
        "quantile_error_bound",
        "passes",
        "histogram",
    ] {
        assert!(
            !r["monte_carlo"][key].is_null(),
            "monte_carlo.{key} is missing"
        );
    }
    let (lo, hi) = (
        r["sharpe"]["lo"].as_f64().unwrap(),
        r["sharpe"]["hi"].as_f64().unwrap(),
    );
    assert!(lo < hi, "Sharpe interval [{lo}, {hi}]");
    assert!(
        r.get("timings").is_none() && r["inputs"].get("threads").is_none(),
        "no timings in report.json"
    );
}

#[test]
fn missing_portfolio_file_is_a_clear_error() {
    let tmp = TempDir::new().unwrap();
    let (_, prices) = setup(tmp.path(), 3);
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&tmp.path().join("nope.csv"), &prices, &out),
        &out,
        &["nope.csv"],
    );
}

#[test]
fn empty_portfolio_file_names_line_1() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    std::fs::write(&portfolio, "").unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["portfolio.csv:1:"],
    );
}

#[test]
fn malformed_weight_names_file_line_and_field() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    std::fs::write(
        &portfolio,
        "ticker,weight\nAST000,0.5\nAST001,0.2x\nAST002,0.3\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["portfolio.csv:3:", "weight", "0.2x"],
    );
}

#[test]
fn unknown_ticker_names_the_portfolio_line() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    std::fs::write(&portfolio, "ticker,weight\nAST000,0.5\nNOPE,0.5\n").unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["portfolio.csv:3:", "ticker", "NOPE"],
    );
}

#[test]
fn non_positive_price_names_the_price_file_line() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    let file = prices.join("AST001.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let date = lines[9].split(',').next().unwrap().to_string();
    lines[9] = format!("{date},-3.5");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["AST001.csv:10:", "close"],
    );
}

#[test]
fn duplicate_date_names_the_price_file_line() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    let file = prices.join("AST002.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[20] = lines[19].clone();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["AST002.csv:21:", "date", "duplicate"],
    );
}

#[test]
fn a_gap_in_one_series_names_its_file_and_date() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    let file = prices.join("AST001.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let missing = lines.remove(30).split(',').next().unwrap().to_string();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["AST001.csv:31:", "date", &missing],
    );
}

#[test]
fn weights_must_sum_to_one_unless_normalize() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    std::fs::write(&portfolio, "ticker,weight\nAST000,2\nAST001,1\nAST002,1\n").unwrap();
    let out = tmp.path().join("out");
    fails_with(
        &mut run(&portfolio, &prices, &out),
        &out,
        &["portfolio.csv", "weight", "--normalize"],
    );
    run(&portfolio, &prices, &out)
        .arg("--normalize")
        .assert()
        .success();
    let weights: Vec<f64> = report(&out)["portfolio"]["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["weight"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, [0.5, 0.25, 0.25]);
}

#[test]
fn confidence_outside_the_open_unit_interval_is_rejected() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    let out = tmp.path().join("out");
    for c in ["1.5", "0", "1", "-0.1"] {
        fails_with(
            run(&portfolio, &prices, &out).args(["--confidence", c]),
            &out,
            &["--confidence"],
        );
    }
}

#[test]
fn an_impossible_memory_budget_is_rejected_before_any_work() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    let out = tmp.path().join("out");
    fails_with(
        run(&portfolio, &prices, &out).args(["--max-memory", "2"]),
        &out,
        &["--max-memory", "MiB"],
    );
    run(&portfolio, &prices, &out)
        .args(["--max-memory", "256"])
        .assert()
        .success();
}

#[test]
fn server_run_gives_the_folder_run_report() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 5);
    let server = MarketServer::start(ServerConfig::new(10, 500, 7)).unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&portfolio, &prices, &a).assert().success();
    engine()
        .arg("run")
        .arg("--portfolio")
        .arg(&portfolio)
        .args(["--server", &server.addr().to_string()])
        .arg("--out")
        .arg(&b)
        .args(["--scenarios", "20000", "--bootstrap", "200", "--quiet"])
        .assert()
        .success();
    let (mut ra, mut rb) = (report(&a), report(&b));
    assert_eq!(ra["inputs"]["source"], "folder");
    assert_eq!(rb["inputs"]["source"], "server");
    ra["inputs"]["source"] = Value::Null;
    rb["inputs"]["source"] = Value::Null;
    assert_eq!(
        ra, rb,
        "the same prices must give the same report from a folder or a server"
    );
}

#[test]
fn a_server_that_is_down_is_named_with_the_ticker() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, _) = setup(tmp.path(), 3);
    // Bind a port, then free it: nothing listens there any more.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = tmp.path().join("out");
    let mut cmd = engine();
    cmd.arg("run")
        .arg("--portfolio")
        .arg(&portfolio)
        .args(["--server", &addr.to_string(), "--quiet"])
        .arg("--out")
        .arg(&out);
    fails_with(&mut cmd, &out, &[&addr.to_string(), "AST000"]);
}

#[test]
fn a_stalled_server_times_out_naming_the_ticker() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, _) = setup(tmp.path(), 3);
    let mut cfg = ServerConfig::new(10, 500, 7);
    cfg.faults.insert("AST001".into(), Fault::Stall(100));
    cfg.stall = Duration::from_secs(20);
    let server = MarketServer::start(cfg).unwrap();
    let out = tmp.path().join("out");
    let mut cmd = engine();
    cmd.arg("run")
        .arg("--portfolio")
        .arg(&portfolio)
        .args([
            "--server",
            &server.addr().to_string(),
            "--timeout-ms",
            "300",
            "--quiet",
        ])
        .arg("--out")
        .arg(&out);
    fails_with(&mut cmd, &out, &["AST001", "timed out"]);
}

#[test]
fn malformed_option_line_names_its_field() {
    let tmp = TempDir::new().unwrap();
    let (portfolio, prices) = setup(tmp.path(), 3);
    let book = tmp.path().join("book.csv");
    std::fs::write(
        &book,
        "ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate\n\
         AST000,call,100,1,10,european,,,\n\
         AST001,straddle,100,1,10,european,,,\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    fails_with(
        run(&portfolio, &prices, &out).arg("--options").arg(&book),
        &out,
        &["book.csv:3:", "kind", "straddle"],
    );
}
