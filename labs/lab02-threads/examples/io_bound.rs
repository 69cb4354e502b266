//! I/O-bound work on your pool: simulated network fetches and a folder of CSV files.
//!
//! ```text
//! cargo run -p lab02 --release --example io_bound
//! ```
//!
//! Part 1 fetches 25 tickers from a source that answers after 100 ms, with 1 to 25
//! workers, beside the ideal `ceil(25 / workers) x 100 ms`. Part 2 writes two folders of
//! price files (many small ones, a few large ones) and reads each with 1 to 8 workers. The
//! files were just written, so they come from the operating system's page cache, not from
//! the disk: what is measured is the cost of the system calls and of parsing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use finance::market::{MarketConfig, simulate};
use finance::series::write_csv;
use lab02::fetch::{SimulatedSource, fetch_all, load_folder};

/// Median wall time of `runs` runs of `f`.
fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn fetches() {
    let latency = Duration::from_millis(100);
    let source = Arc::new(SimulatedSource::new(latency).with_failing(&["T13"]));
    let tickers: Vec<String> = (0..25).map(|i| format!("T{i:02}")).collect();
    println!("25 fetches, 100 ms each (T13 fails):");
    println!(
        "{:>8} {:>10} {:>10} {:>8}",
        "workers", "time ms", "ideal ms", "ratio"
    );
    for workers in [1, 2, 5, 10, 25] {
        let mut failures = 0;
        let time = median_time(1, || {
            let results = fetch_all(&tickers, Arc::clone(&source), workers);
            failures = results.iter().filter(|r| r.is_err()).count();
        });
        let ideal = latency * 25usize.div_ceil(workers) as u32;
        println!(
            "{workers:>8} {:>10.0} {:>10.0} {:>8.3}   ({failures} failed)",
            time.as_secs_f64() * 1e3,
            ideal.as_secs_f64() * 1e3,
            time.as_secs_f64() / ideal.as_secs_f64()
        );
    }
}

fn folder(label: &str, files: usize, days: usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let market = simulate(&MarketConfig::new(files, days, 1));
    for i in 0..files {
        let series = market.series(i);
        write_csv(&series, dir.path().join(format!("{}.csv", series.ticker)))
            .expect("writable temporary folder");
    }
    let bytes: u64 = std::fs::read_dir(dir.path())
        .expect("listable")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "\n{label}: {files} files x {days} days ({:.1} MB)",
        bytes as f64 / 1e6
    );
    println!("{:>8} {:>10} {:>8}", "workers", "time ms", "speedup");
    let mut one = None;
    for workers in [1, 2, 4, 8] {
        let time = median_time(5, || {
            let loaded = load_folder(dir.path(), workers).expect("readable folder");
            assert!(loaded.iter().all(Result::is_ok));
        });
        let base = *one.get_or_insert(time);
        println!(
            "{workers:>8} {:>10.1} {:>8.2}",
            time.as_secs_f64() * 1e3,
            base.as_secs_f64() / time.as_secs_f64()
        );
    }
}

fn main() {
    fetches();
    folder("small files", 2_000, 20);
    folder("large files", 16, 100_000);
}
