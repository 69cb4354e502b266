//! Bounded memory: the Monte Carlo stage must not keep its scenarios. The program runs 20
//! million of them on one asset and 2 threads, and its peak resident set size must stay
//! within its own memory estimate, the figure `--max-memory` checks.

use finance::market::{MarketConfig, simulate};
use finance::series::write_csv;
use serde_json::Value;
use tempfile::TempDir;

/// Scenarios of the run: 1 221 blocks of `BLOCK_SCENARIOS` (16 384), 152.6 MiB of `f64` if
/// they were all kept.
const SCENARIOS: u64 = 20_000_000;

#[test]
fn twenty_million_scenarios_stay_within_the_memory_estimate() {
    let tmp = TempDir::new().unwrap();
    let market = simulate(&MarketConfig::new(1, 500, 3));
    let prices = tmp.path().join("prices");
    std::fs::create_dir_all(&prices).unwrap();
    write_csv(
        &market.series(0),
        prices.join(format!("{}.csv", market.tickers[0])),
    )
    .unwrap();
    let portfolio = tmp.path().join("portfolio.csv");
    std::fs::write(
        &portfolio,
        format!("ticker,weight\n{},1\n", market.tickers[0]),
    )
    .unwrap();
    let out = tmp.path().join("out");
    assert_cmd::cargo::cargo_bin_cmd!("risk-engine")
        .arg("run")
        .arg("--portfolio")
        .arg(&portfolio)
        .arg("--prices")
        .arg(&prices)
        .arg("--out")
        .arg(&out)
        .args(["--scenarios", &SCENARIOS.to_string()])
        .args(["--threads", "2", "--bootstrap", "100", "--quiet"])
        .assert()
        .success();
    let timings: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("timings.json")).unwrap()).unwrap();
    // Both figures come from the given src/memory.rs: the peak is VmHWM of
    // /proc/self/status at the end of the run, the estimate `memory::estimate_mib`.
    let peak = timings["peak_rss_mib"].as_f64().unwrap();
    let estimate = timings["estimated_mib"].as_f64().unwrap();
    assert!(
        peak > 0.0,
        "no peak RSS measured: this test reads /proc/self/status (Linux)"
    );
    // The bound, derived. What the algorithm needs by design does not grow with the
    // scenarios: per worker two counting histograms of (BINS + 2) × 8 bytes (512 KiB each)
    // and a block buffer (128 KiB), 64 bytes per block, and at most COLLECT_CAP kept values
    // (32 MiB). The estimate adds these up for this run (1 asset, 500 days, 2 threads,
    // 1 221 blocks) with 16 MiB (BASELINE_MIB) for the program itself: code, the standard
    // library, thread stacks, the allocator's slack. About 53 MiB. Keeping every scenario
    // takes 20 000 000 × 8 bytes = 152.6 MiB on top of that, three times the bound. The
    // reference solution peaks at about 9 MiB.
    assert!(
        peak <= estimate,
        "peak RSS {peak:.1} MiB for {SCENARIOS} scenarios, above the run's own estimate of \
         {estimate} MiB: is every scenario kept in memory (they would take {:.1} MiB)?",
        (SCENARIOS * 8) as f64 / f64::from(1 << 20)
    );
}
