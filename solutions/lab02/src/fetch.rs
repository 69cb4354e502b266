//! Task 3: I/O-bound work on the pool. Fetching price histories from a slow data source
//! (simulated), and reading a folder of CSV price files.
//!
//! A thread waiting for I/O uses no CPU, so far more threads than cores help: with `W`
//! workers, `n` fetches of latency `L` take about `ceil(n / W) × L` instead of `n × L`.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use finance::market::{MarketConfig, simulate};
// BEGIN SOLUTION
use finance::series::{PriceSeries, SeriesError, read_csv};

use crate::pool::{TaskError, ThreadPool};
// END SOLUTION use finance::series::{PriceSeries, SeriesError};

/// Why a ticker's prices could not be fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The source does not know the ticker.
    NotFound(String),
    /// The fetch panicked (a bug in the source); holds the ticker and the panic message.
    Panicked {
        /// The ticker being fetched.
        ticker: String,
        /// The panic message.
        message: String,
    },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(ticker) => write!(f, "{ticker}: no such ticker"),
            Self::Panicked { ticker, message } => write!(f, "{ticker}: fetch panicked: {message}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// A source of price histories, such as a market-data web service.
pub trait DataSource: Send + Sync + 'static {
    /// The daily closes of `ticker`. May block for a long time (it is I/O).
    fn fetch(&self, ticker: &str) -> Result<PriceSeries, FetchError>;
}

/// A simulated market-data service: every fetch waits `latency` (the network round trip,
/// during which the thread sleeps and the CPU is free), then returns a year of simulated
/// prices, the same ones for the same ticker; tickers marked failing give
/// [`FetchError::NotFound`]. Given code.
#[derive(Debug)]
pub struct SimulatedSource {
    latency: Duration,
    days: usize,
    failing: Vec<String>,
    calls: AtomicUsize,
}

impl SimulatedSource {
    /// A source answering after `latency`, with 252 days per series and no failing ticker.
    pub fn new(latency: Duration) -> Self {
        Self {
            latency,
            days: 252,
            failing: Vec::new(),
            calls: AtomicUsize::new(0),
        }
    }

    /// The same source, answering [`FetchError::NotFound`] for these tickers.
    pub fn with_failing(mut self, tickers: &[&str]) -> Self {
        self.failing.extend(tickers.iter().map(|t| t.to_string()));
        self
    }

    /// The same source, with `days` days per series.
    pub fn with_days(mut self, days: usize) -> Self {
        self.days = days;
        self
    }

    /// How many fetches it has answered so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// The series this source returns for `ticker` (without the wait).
    pub fn series(&self, ticker: &str) -> PriceSeries {
        let mut hasher = DefaultHasher::new();
        ticker.hash(&mut hasher);
        let mut series = simulate(&MarketConfig::new(1, self.days, hasher.finish())).series(0);
        series.ticker = ticker.to_string();
        series
    }
}

impl DataSource for SimulatedSource {
    fn fetch(&self, ticker: &str) -> Result<PriceSeries, FetchError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(self.latency);
        if self.failing.iter().any(|t| t == ticker) {
            Err(FetchError::NotFound(ticker.to_string()))
        } else {
            Ok(self.series(ticker))
        }
    }
}

/// Fetches every ticker from `source` with `workers` threads, like the lecture's
/// `ThreadPoolExecutor(max_workers=workers).map(fetch, tickers)`; the results are in the order
/// of `tickers`, one per ticker, a failed or panicking fetch giving an `Err` in its slot.
///
/// At most `workers` fetches are in flight at any moment, and exactly that many while at
/// least `workers` remain (no more threads are started than there are tickers). No tickers
/// give an empty `Vec` and no fetch.
///
/// A fetch that panics gives `FetchError::Panicked { ticker, message }` with the panic's
/// message (the pool's [`TaskError::Panicked`](crate::pool::TaskError::Panicked)). A
/// [`TaskError::Lost`](crate::pool::TaskError::Lost), which a correct pool never gives,
/// becomes `FetchError::Panicked` too, with `TaskError::Lost.to_string()` as its message.
///
/// # Panics
/// If `workers == 0`, whatever the tickers. Check it before sizing the pool: the pool's
/// size `min(workers, tickers)` must be raised to 1 for an empty list of tickers
/// (`ThreadPool::new(0)` panics), and that would turn 0 workers into 1 unnoticed.
pub fn fetch_all<D, S>(
    tickers: &[S],
    source: Arc<D>,
    workers: usize,
) -> Vec<Result<PriceSeries, FetchError>>
where
    D: DataSource,
    S: AsRef<str>,
{
    // BEGIN SOLUTION
    assert!(workers > 0, "fetch_all needs at least one worker");
    let tickers: Vec<String> = tickers.iter().map(|t| t.as_ref().to_string()).collect();
    // Threads beyond the number of tickers would only wait for a job that never comes.
    let pool = ThreadPool::new(workers.min(tickers.len()).max(1));
    let results = pool.map(tickers.clone(), move |ticker| source.fetch(&ticker));
    results
        .into_iter()
        .zip(tickers)
        .map(|(result, ticker)| match result {
            Ok(fetched) => fetched,
            Err(TaskError::Panicked(message)) => Err(FetchError::Panicked { ticker, message }),
            Err(TaskError::Lost) => Err(FetchError::Panicked {
                ticker,
                message: TaskError::Lost.to_string(),
            }),
        })
        .collect()
    // STUB
    // let _ = (source, tickers);
    // todo!(
    //     "fetch_all(workers = {workers}): refuse 0 workers first, then a ThreadPool of min(workers, tickers).max(1) threads; map each ticker to source.fetch, then turn TaskErrors into FetchErrors"
    // )
    // END SOLUTION
}

/// The `.csv` files directly inside `dir`, sorted by name.
///
/// # Errors
/// If `dir` cannot be listed.
pub fn csv_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "csv") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and parses every `.csv` file of `dir` ([`finance::series::read_csv`]) with
/// `workers` threads; the results are in file-name order, one per file, so a malformed
/// file gives an `Err` in its own slot and does not stop the others. A folder without a
/// `.csv` file gives `Ok` of an empty `Vec` (the pool still needs one worker, as in
/// [`fetch_all`]).
///
/// `read_csv` reports every problem of a file as a `SeriesError` and does not panic. A task
/// that panicked anyway (a bug in `finance`), or a lost one, has no `SeriesError` to stand
/// for it: `load_folder` then panics with the task's error rather than hide a bug.
///
/// # Errors
/// If `dir` cannot be listed.
///
/// # Panics
/// If `workers == 0` (whatever the folder holds, as in [`fetch_all`]), or if a task
/// panicked.
pub fn load_folder(
    dir: &Path,
    workers: usize,
) -> io::Result<Vec<Result<PriceSeries, SeriesError>>> {
    // BEGIN SOLUTION
    assert!(workers > 0, "load_folder needs at least one worker");
    let files = csv_files(dir)?;
    let pool = ThreadPool::new(workers.min(files.len()).max(1));
    let results = pool.map(files, read_csv);
    Ok(results
        .into_iter()
        .map(|result| {
            // read_csv reports every problem as an error; a panic there would be a bug in
            // the finance crate, so it is passed on rather than hidden.
            result.unwrap_or_else(|e| panic!("reading a CSV file panicked: {e}"))
        })
        .collect())
    // STUB
    // todo!(
    //     "load_folder({}, workers = {workers}): refuse 0 workers, csv_files(dir)?, then read_csv on a ThreadPool of min(workers, files).max(1) threads",
    //     dir.display()
    // )
    // END SOLUTION
}
