//! Loading the price histories, concurrently: from a folder of CSV files or from the lab 04
//! market-data server. Types given; the loaders and [`align`] are yours.
//!
//! Loading is I/O-bound (disk, network), so it runs on plain threads, more than the cores
//! when waiting dominates, rather than on rayon's pool, which is sized for computation.

// BEGIN SOLUTION
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
// END SOLUTION
use std::path::Path;
// BEGIN SOLUTION
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
// END SOLUTION use std::time::Duration;

use finance::linalg::Matrix;
// BEGIN SOLUTION
use finance::series::{Date, PriceSeries, read_csv, read_csv_str};
// END SOLUTION use finance::series::{Date, PriceSeries};

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

// BEGIN SOLUTION
/// Runs `f` on every item with `workers` threads pulling the next index from a shared
/// counter; results come back in item order, so the outcome does not depend on scheduling.
/// When several items fail, the error of the first one (in item order) is returned.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> Result<R, EngineError> + Sync,
) -> Result<Vec<R>, EngineError> {
    let next = AtomicUsize::new(0);
    let workers = workers.clamp(1, items.len().max(1));
    let mut results: Vec<(usize, Result<R, EngineError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The error for a ticker that does not exist at the source.
fn unknown(r: &TickerRef, why: String) -> EngineError {
    EngineError::input(
        &r.file,
        r.line,
        "ticker",
        format!("unknown ticker {}: {why}", r.ticker),
    )
}

// END SOLUTION
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
    // BEGIN SOLUTION
    parallel_map(refs, threads, |r| {
        let path = dir.join(format!("{}.csv", r.ticker));
        if !path.is_file() {
            return Err(unknown(r, format!("no file {}", path.display())));
        }
        Ok(read_csv(&path)?)
    })
}

/// The outcome of one HTTP GET.
enum Reply {
    /// Status and body.
    Status(u16, String),
}

/// One `GET path` on a fresh connection, within `deadline`.
fn http_get(addr: SocketAddr, path: &str, deadline: Instant) -> std::io::Result<Reply> {
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out"))
    };
    let mut stream = TcpStream::connect_timeout(&addr, left()?)?;
    stream.set_write_timeout(Some(left()?))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        // Re-arm the read timeout with what is left, so a slow trickle still ends in time.
        stream.set_read_timeout(Some(left()?))?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "timed out",
                ));
            }
            Err(e) => return Err(e),
        }
    }
    let invalid = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let text = String::from_utf8(raw).map_err(|_| invalid("response is not UTF-8"))?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid("response has no header end"))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("malformed status line"))?;
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    if let Some(length) = length
        && body.len() != length
    {
        return Err(invalid(&format!(
            "response cut short: {} of {length} bytes",
            body.len()
        )));
    }
    Ok(Reply::Status(status, body.to_string()))
    // STUB
    //     let _ = (dir, refs, threads);
    //     todo!(
    //         "load_folder: read dir/TICKER.csv with finance::series::read_csv on `threads` threads; keep the order of refs; a missing file is an unknown ticker"
    //     )
    // END SOLUTION
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
    // BEGIN SOLUTION
    let server_error = |ticker: &str, message: String| EngineError::Server {
        addr: addr.to_string(),
        ticker: ticker.to_string(),
        message,
    };
    let resolved = addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            EngineError::Usage(format!(
                "--server {addr} is not a valid address (host:port)"
            ))
        })?;
    // Waiting, not computing: many more connections than cores.
    let workers = threads.max(16);
    parallel_map(refs, workers, |r| {
        let deadline = Instant::now() + timeout;
        let url = format!("http://{addr}/prices/{}", r.ticker);
        let mut attempt = 0;
        loop {
            let outcome = http_get(resolved, &format!("/prices/{}", r.ticker), deadline);
            let retry = match outcome {
                Ok(Reply::Status(200, body)) => {
                    let mut s = read_csv_str(&url, &body)?;
                    s.ticker = r.ticker.clone();
                    return Ok(s);
                }
                Ok(Reply::Status(404, _)) => {
                    return Err(unknown(
                        r,
                        format!("the server {addr} does not know it (404)"),
                    ));
                }
                Ok(Reply::Status(503, _)) => "503 Service Unavailable".to_string(),
                Ok(Reply::Status(code, _)) => {
                    return Err(server_error(&r.ticker, format!("HTTP status {code}")));
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Err(server_error(
                        &r.ticker,
                        format!("timed out after {} ms", timeout.as_millis()),
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => e.to_string(),
                Err(e) => return Err(server_error(&r.ticker, format!("cannot connect: {e}"))),
            };
            attempt += 1;
            if attempt > SERVER_RETRIES {
                return Err(server_error(
                    &r.ticker,
                    format!("gave up after {attempt} attempts: {retry}"),
                ));
            }
            let pause = Duration::from_millis(10 << attempt.min(6));
            if Instant::now() + pause >= deadline {
                return Err(server_error(
                    &r.ticker,
                    format!("timed out after {} ms", timeout.as_millis()),
                ));
            }
            std::thread::sleep(pause);
        }
    })
    // STUB
    // let _ = (addr, refs, timeout, threads);
    // todo!(
    //     "load_server: one HTTP/1.1 GET /prices/TICKER per ticker over std::net::TcpStream, many in flight, a deadline per ticker, retry 503s"
    // )
    // END SOLUTION
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
    // BEGIN SOLUTION
    for (s, src) in series.iter().zip(sources) {
        if s.len() < 2 {
            return Err(EngineError::input(
                src,
                s.len() + 1,
                "close",
                format!("{} needs at least 2 prices, found {}", s.ticker, s.len()),
            ));
        }
    }
    let Some(first) = series.first() else {
        return Err(EngineError::Usage("no ticker to load".into()));
    };
    for (s, src) in series.iter().zip(sources).skip(1) {
        let mismatch =
            (0..first.len().max(s.len())).find(|&i| first.dates.get(i) != s.dates.get(i));
        if let Some(i) = mismatch {
            let message = match (first.dates.get(i), s.dates.get(i)) {
                (Some(want), Some(got)) if got > want => {
                    format!(
                        "gap: {want} is missing ({} has it); found {got}",
                        first.ticker
                    )
                }
                (Some(want), Some(got)) => {
                    format!("extra date {got}: {} has {want} here", first.ticker)
                }
                (Some(want), None) => {
                    format!("ends early: {want} is missing ({} has it)", first.ticker)
                }
                (None, Some(got)) => format!("extra date {got}: {} ends before it", first.ticker),
                (None, None) => unreachable!("a mismatch has at least one date"),
            };
            return Err(EngineError::input(
                src,
                (i + 2).min(s.len() + 1),
                "date",
                message,
            ));
        }
    }
    let (days, assets) = (first.len(), series.len());
    let prices = Matrix::from_fn(days, assets, |t, j| series[j].prices[t]);
    Ok(Market {
        tickers: series.iter().map(|s| s.ticker.clone()).collect(),
        sources: sources.to_vec(),
        dates: first.dates.clone(),
        prices,
    })
    // STUB
    // let _ = (series, sources);
    // todo!(
    //     "align: check lengths and that every series has the dates of the first; build the days x tickers matrix"
    // )
    // END SOLUTION
}
