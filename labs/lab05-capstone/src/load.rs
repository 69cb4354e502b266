//! Loading the price histories, concurrently: from a folder of CSV files or from the lab 04
//! market-data server. Types given; the loaders and [`align`] are yours.
//!
//! Loading is I/O-bound (disk, network), so it runs on plain threads, more than the cores
//! when waiting dominates, rather than on rayon's pool, which is sized for computation.

use std::path::Path;
use std::time::Duration;

use finance::linalg::Matrix;
use finance::series::{Date, PriceSeries};

use crate::error::EngineError;

/// A ticker to load, with where it was first named (for "unknown ticker" errors).
#[derive(Clone, Debug, PartialEq)]
pub struct TickerRef {
    /// The ticker.
    pub ticker: String,
    /// The file that names it (the portfolio or the options book).
    pub file: String,
    /// The line of that file.
    pub line: usize,
}

/// Loaded and aligned prices: one column per ticker, one row per date.
#[derive(Clone, Debug, PartialEq)]
pub struct Market {
    /// Tickers, in the order of the [`TickerRef`]s.
    pub tickers: Vec<String>,
    /// Where each ticker's prices came from (a file path or a URL), for error messages.
    pub sources: Vec<String>,
    /// The common dates, strictly increasing.
    pub dates: Vec<Date>,
    /// `dates.len() × tickers.len()`: row `t` holds every close on `dates[t]`.
    pub prices: Matrix,
}

/// Server requests answered `503` are retried this many times before giving up.
pub const SERVER_RETRIES: u32 = 6;

/// Reads `dir/TICKER.csv` for every ticker with `finance::series::read_csv`, on `threads`
/// threads; returns the series in the order of `refs`.
///
/// # Errors
/// A missing file is an unknown ticker: [`EngineError::Input`] on the portfolio's (or book's)
/// line naming the ticker and the file looked for. A malformed file is
/// [`EngineError::Series`] (finance's error names file, line and field). With several
/// failures, the first ticker's (in `refs` order) is reported, so the message is the same
/// for every thread count.
pub fn load_folder(
    dir: &Path,
    refs: &[TickerRef],
    threads: usize,
) -> Result<Vec<PriceSeries>, EngineError> {
    let _ = (dir, refs, threads);
    todo!(
        "load_folder: read dir/TICKER.csv with finance::series::read_csv on `threads` threads; keep the order of refs; a missing file is an unknown ticker"
    )
}

/// Fetches `GET /prices/TICKER` from the market-data server at `addr` for every ticker, with
/// many connections in flight (the waits overlap: it is I/O-bound), and parses each body
/// with `finance::series::read_csv_str`, named by its URL `http://ADDR/prices/TICKER` so
/// that its errors name the URL. `read_csv_str` also names the series (its `ticker` field)
/// by that first argument: set each series' `ticker` to the ticker itself, as
/// [`load_folder`]'s series are, so that the report is the same from a server or a folder.
///
/// Each ticker has `timeout` in total. A `503` (or a response cut short) is retried up to
/// [`SERVER_RETRIES`] times with a growing pause; `404` is an unknown ticker.
///
/// # Errors
/// `404`: [`EngineError::Input`] on the ticker's portfolio line. A refused connection, a
/// timeout, retries exhausted or another status: [`EngineError::Server`] naming the address
/// and the ticker (a timeout says "timed out after N ms"). A malformed body:
/// [`EngineError::Series`]. The first failing ticker in `refs` order is reported.
pub fn load_server(
    addr: &str,
    refs: &[TickerRef],
    timeout: Duration,
    threads: usize,
) -> Result<Vec<PriceSeries>, EngineError> {
    let _ = (addr, refs, timeout, threads);
    todo!(
        "load_server: one HTTP/1.1 GET /prices/TICKER per ticker over std::net::TcpStream, many in flight, a deadline per ticker, retry 503s"
    )
}

/// Checks that every series covers the same dates and builds the price matrix.
///
/// `sources[i]` names where `series[i]` came from. Rules, each an [`EngineError::Input`]
/// naming the source, the line (`index + 2`: line 1 is the header) and the field `date` or
/// `close`: every series has at least 2 prices (else field `close` on line `len + 1`, the
/// file's last line: line 1 for an empty series, line 2 for a single price); series `i` has
/// exactly the dates of series 0 — the first difference is a gap (a date missing from one
/// series, or an extra one), reported on the first series that differs, field `date`, on
/// the line of the first date that differs (`index + 2`) or, if that series ends early, on
/// its last line (`len + 1`).
pub fn align(series: &[PriceSeries], sources: &[String]) -> Result<Market, EngineError> {
    let _ = (series, sources);
    todo!(
        "align: check lengths and that every series has the dates of the first; build the days x tickers matrix"
    )
}
