//! I/O-bound or CPU-bound? Each stage of this program is measured with your `profile` and
//! labelled with your `classify` (task 7), instead of being labelled by hand.
//!
//! ```text
//! cargo run -p lab02 --release --example stages
//! ```
//!
//! The stages: simulated network fetches on your pool (task 3), a Black-Scholes book summed
//! with your `parallel_sum` (task 1) on one thread, on every core and on twice as many
//! threads as cores, and a folder of large CSV files read with `load_folder` (task 3). The
//! column `busy` is `cpu / (wall × threads)`: how much of its threads' time the stage spent
//! on a CPU. Run it on a quiet machine (`uptime`): on a loaded one, computing threads wait
//! for a core, and `busy` drops for reasons that are not the stage's.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use finance::bs::{Contract, price};
use finance::market::{MarketConfig, simulate};
use finance::series::write_csv;
use finance::timing::available_cores;
use lab02::fetch::{SimulatedSource, fetch_all, load_folder};
use lab02::profile::{classify, profile};
use lab02::threads::parallel_sum;

/// Profiles `stage` on `threads` threads and prints one row.
fn row(name: &str, threads: usize, stage: impl FnOnce()) {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let ((), p) = profile(threads, stage).expect("every stage has a thread");
        (p, classify(&p).expect("every stage takes some time"))
    }));
    match outcome {
        Ok((p, bound)) => println!(
            "{name:<40} {threads:>7} {:>9.1} {:>9.1} {:>6.2}  {bound:?}",
            p.wall.as_secs_f64() * 1e3,
            p.cpu.as_secs_f64() * 1e3,
            p.cpu.as_secs_f64() / (p.wall.as_secs_f64() * threads as f64),
        ),
        Err(_) => println!("{name:<40} {threads:>7}  not implemented yet (todo!)"),
    }
}

fn main() {
    // Keep the todo!() panics of unwritten functions from cluttering the table.
    panic::set_hook(Box::new(|_| {}));
    let cores = available_cores();
    println!(
        "{:<40} {:>7} {:>9} {:>9} {:>6}  bound",
        "stage", "threads", "wall ms", "cpu ms", "busy"
    );

    let source = Arc::new(SimulatedSource::new(Duration::from_millis(20)));
    let tickers: Vec<String> = (0..40).map(|i| format!("T{i:02}")).collect();
    row("40 fetches x 20 ms, 8 workers", 8, || {
        let results = fetch_all(&tickers, Arc::clone(&source), 8);
        assert!(results.iter().all(Result::is_ok));
    });

    // 1.5 million calls: about 0.1 s on one core.
    let spots: Vec<f64> = (0..1_500_000)
        .map(|i| 50.0 + (i % 1000) as f64 * 0.1)
        .collect();
    let book = |threads: usize| {
        let sum = parallel_sum(&spots, threads, |&s| {
            price(&Contract::call(s, 100.0, 0.03, 0.25, 1.0))
        });
        assert!(sum > 0.0);
    };
    row("Black-Scholes book, 1 thread", 1, || book(1));
    row(
        &format!("Black-Scholes book, {cores} threads"),
        cores,
        || book(cores),
    );
    row(
        &format!("Black-Scholes book, {} threads", 2 * cores),
        2 * cores,
        || book(2 * cores),
    );

    let dir = tempfile::tempdir().expect("a temporary folder");
    let market = simulate(&MarketConfig::new(8, 100_000, 1));
    for i in 0..8 {
        let series = market.series(i);
        write_csv(&series, dir.path().join(format!("{}.csv", series.ticker)))
            .expect("writable temporary folder");
    }
    row(
        &format!("8 CSV files x 100,000 days, {cores} workers"),
        cores,
        || {
            let loaded = load_folder(dir.path(), cores).expect("readable folder");
            assert!(loaded.iter().all(Result::is_ok));
        },
    );
    let _ = panic::take_hook();
}
