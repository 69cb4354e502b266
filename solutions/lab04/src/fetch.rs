//! Task 5: market data over the network, concurrently.
//!
//! Fetching 500 tickers one after another from a server that takes 20 ms per request takes
//! 500 × 20 ms = 10 s, almost all of it waiting. The waiting is the server's and the
//! network's, not the CPU's, so a pool of 50 threads with a request in flight each overlaps
//! 50 waits: about 500 / 50 × 20 ms = 0.2 s (the lecture's "500 tickers in 10 s instead of
//! 500 s"). Threads, not cores, are the resource here; the pool is *bounded* so that 100,000
//! tickers do not mean 100,000 threads or connections.
//!
//! A real network fails: a request can time out, a server can answer `503 Service
//! Unavailable` or close the connection in the middle of a response. Those failures are
//! *transient*: the same request may well succeed a moment later, so they are retried, after
//! a wait that doubles each time (exponential backoff) so that a struggling server is not
//! hammered. Other failures are *permanent*: an unknown ticker (`404`) or a malformed CSV body
//! will fail the same way again, so they are reported at once.
//!
//! The client speaks just enough HTTP/1.1 to talk to `market_server::MarketServer`: one `GET` per
//! connection, `Connection: close`, a body of `Content-Length` bytes.

// BEGIN SOLUTION
use std::collections::{BTreeMap, BTreeSet};
// END SOLUTION use std::collections::BTreeMap;
use std::fmt;
// BEGIN SOLUTION
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use finance::series::{PriceSeries, SeriesError, read_csv_str};
// STUB
// use std::io;
// use std::net::SocketAddr;
// use std::time::Duration;

// use finance::series::{PriceSeries, SeriesError};
// END SOLUTION

/// Largest response accepted, so a misbehaving server cannot exhaust memory.
pub const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// Longest wait between two attempts, however many retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchConfig {
    /// Threads with a request in flight, at least 1.
    pub workers: usize,
    /// Limit for one attempt: connecting, sending and receiving the whole response.
    pub timeout: Duration,
    /// Further attempts after a transient failure (0: try once).
    pub retries: u32,
    /// Wait before the first retry; each later retry waits twice as long (at most
    /// [`MAX_BACKOFF`]).
    pub backoff: Duration,
}

impl Default for FetchConfig {
    /// 8 workers, 2 s per attempt, 3 retries, 10 ms first backoff.
    fn default() -> Self {
        Self {
            workers: 8,
            timeout: Duration::from_secs(2),
            retries: 3,
            backoff: Duration::from_millis(10),
        }
    }
}

/// A response: its status code and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code, e.g. 200.
    pub status: u16,
    /// The body (exactly `Content-Length` bytes when the header is present).
    pub body: String,
}

/// Why a fetch failed.
#[derive(Debug)]
pub enum FetchError {
    /// This lab only talks to servers on this machine (`127.0.0.0/8` or `::1`).
    NotLoopback(SocketAddr),
    /// A ticker must be non-empty ASCII letters, digits, `.`, `_` or `-`.
    InvalidTicker(String),
    /// The attempt did not complete within [`FetchConfig::timeout`]. Transient.
    Timeout,
    /// Connecting, sending or receiving failed (refused, reset, closed early). Transient.
    Io(io::Error),
    /// The connection closed after `received` of the `expected` body bytes. Transient.
    Truncated {
        /// `Content-Length`.
        expected: usize,
        /// Bytes received.
        received: usize,
    },
    /// The response is not HTTP as this client understands it.
    BadResponse(String),
    /// `404`: the server does not know this ticker.
    NotFound(String),
    /// Another status code than 200 or 404; 5xx and 429 are transient.
    Status(u16),
    /// The body is not a valid price series (names the ticker, line and field).
    Csv(SeriesError),
    /// Every attempt failed with a transient error; `last` is the last one.
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The error of the last attempt.
        last: Box<FetchError>,
    },
}

impl FetchError {
    /// Whether trying again may succeed: timeouts, I/O errors, truncated responses, `5xx`
    /// and `429`.
    pub fn is_transient(&self) -> bool {
        // BEGIN SOLUTION
        match self {
            Self::Timeout | Self::Io(_) | Self::Truncated { .. } => true,
            Self::Status(code) => *code >= 500 || *code == 429,
            _ => false,
        }
        // END SOLUTION todo!("is_transient({self:?}): which errors may succeed if tried again?")
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotLoopback(a) => write!(f, "{a} is not a loopback address"),
            Self::InvalidTicker(t) => write!(f, "invalid ticker {t:?}"),
            Self::Timeout => write!(f, "timed out"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::Truncated { expected, received } => write!(
                f,
                "connection closed after {received} of {expected} body bytes"
            ),
            Self::BadResponse(why) => write!(f, "bad response: {why}"),
            Self::NotFound(t) => write!(f, "unknown ticker {t} (404)"),
            Self::Status(code) => write!(f, "HTTP status {code}"),
            Self::Csv(e) => write!(f, "malformed CSV: {e}"),
            Self::GaveUp { attempts, last } => {
                write!(f, "gave up after {attempts} attempts: {last}")
            }
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::Csv(e) => Some(e),
            Self::GaveUp { last, .. } => Some(&**last),
            _ => None,
        }
    }
}
// BEGIN SOLUTION

fn io_error(e: io::Error) -> FetchError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => FetchError::Timeout,
        _ => FetchError::Io(e),
    }
}

/// The status code and `Content-Length` of a response head, or why it is malformed.
fn parse_head(head: &str) -> Result<(u16, Option<usize>), FetchError> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut words = status_line.split_whitespace();
    let status = match (words.next(), words.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") => code.parse::<u16>().ok(),
        _ => None,
    }
    .ok_or_else(|| FetchError::BadResponse(format!("status line {status_line:?}")))?;
    let mut length = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let n = value.trim().parse::<usize>().map_err(|_| {
                FetchError::BadResponse(format!("Content-Length {:?}", value.trim()))
            })?;
            length = Some(n);
        }
    }
    Ok((status, length))
}

// END SOLUTION
/// One `GET path` to `addr`: connect, send, read the whole response, all within `timeout`.
///
/// # Errors
/// [`FetchError::NotLoopback`], [`FetchError::Timeout`], [`FetchError::Io`] (including a
/// connection closed before the end of the headers), [`FetchError::Truncated`] (closed
/// before `Content-Length` body bytes), [`FetchError::BadResponse`]. Any status code is a
/// successful response here; interpreting it is the caller's business.
pub fn http_get(
    addr: SocketAddr,
    path: &str,
    timeout: Duration,
) -> Result<HttpResponse, FetchError> {
    // BEGIN SOLUTION
    if !addr.ip().is_loopback() {
        return Err(FetchError::NotLoopback(addr));
    }
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io_error)?;
    stream.set_nodelay(true).map_err(io_error)?;
    stream.set_write_timeout(Some(timeout)).map_err(io_error)?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(io_error)?;

    let mut buf = Vec::with_capacity(8 << 10);
    let mut chunk = [0u8; 16 << 10];
    let mut head: Option<(usize, u16, Option<usize>)> = None; // (body start, status, length)
    loop {
        if let Some((start, _, Some(len))) = head
            && buf.len() - start >= len
        {
            break; // the whole body is here; no need to wait for the close
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(FetchError::Timeout);
        }
        stream.set_read_timeout(Some(left)).map_err(io_error)?;
        let k = match stream.read(&mut chunk) {
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(e)),
        };
        if k == 0 {
            break; // the server closed the connection
        }
        buf.extend_from_slice(&chunk[..k]);
        if buf.len() > MAX_RESPONSE_BYTES {
            return Err(FetchError::BadResponse(format!(
                "response larger than {MAX_RESPONSE_BYTES} bytes"
            )));
        }
        if head.is_none()
            && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let text = std::str::from_utf8(&buf[..end])
                .map_err(|_| FetchError::BadResponse("headers are not UTF-8".into()))?;
            let (status, len) = parse_head(text)?;
            head = Some((end + 4, status, len));
        }
    }
    let Some((start, status, len)) = head else {
        return Err(FetchError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed before the end of the response headers",
        )));
    };
    let mut body = buf.split_off(start);
    if let Some(len) = len {
        if body.len() < len {
            return Err(FetchError::Truncated {
                expected: len,
                received: body.len(),
            });
        }
        body.truncate(len);
    }
    let body =
        String::from_utf8(body).map_err(|_| FetchError::BadResponse("body is not UTF-8".into()))?;
    Ok(HttpResponse { status, body })
}

fn valid_ticker(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

// STUB
//     todo!(
//         "http_get({addr}, {path}, {timeout:?}): connect, send the request, read the whole response"
//     )
// }
// END SOLUTION
/// Fetches and parses `GET /prices/{ticker}`, retrying transient failures.
///
/// At most `1 + cfg.retries` attempts; before retry `k` (from 1) it sleeps
/// `cfg.backoff × 2^(k-1)`, capped at [`MAX_BACKOFF`].
///
/// # Errors
/// A permanent error at once ([`FetchError::NotFound`], [`FetchError::Csv`], ...), or
/// [`FetchError::GaveUp`] when every attempt failed with a transient one.
pub fn fetch_prices(
    addr: SocketAddr,
    ticker: &str,
    cfg: &FetchConfig,
) -> Result<PriceSeries, FetchError> {
    // BEGIN SOLUTION
    if !valid_ticker(ticker) {
        return Err(FetchError::InvalidTicker(ticker.to_string()));
    }
    let path = format!("/prices/{ticker}");
    let attempts = cfg.retries.saturating_add(1);
    let mut wait = cfg.backoff;
    for attempt in 1..=attempts {
        let result = http_get(addr, &path, cfg.timeout).and_then(|resp| match resp.status {
            200 => read_csv_str(ticker, &resp.body).map_err(FetchError::Csv),
            404 => Err(FetchError::NotFound(ticker.to_string())),
            code => Err(FetchError::Status(code)),
        });
        match result {
            Ok(series) => return Ok(series),
            Err(e) if !e.is_transient() => return Err(e),
            Err(e) if attempt == attempts => {
                return Err(FetchError::GaveUp {
                    attempts,
                    last: Box::new(e),
                });
            }
            Err(_) => {
                thread::sleep(wait);
                wait = (wait * 2).min(MAX_BACKOFF);
            }
        }
    }
    unreachable!("the last attempt returns")
    // END SOLUTION todo!("fetch_prices({addr}, {ticker}, {cfg:?}): http_get, parse, retry what is transient")
}

/// [`fetch_universe_with`] with `workers` threads and otherwise [`FetchConfig::default`].
pub fn fetch_universe(
    addr: SocketAddr,
    tickers: &[String],
    workers: usize,
) -> BTreeMap<String, Result<PriceSeries, FetchError>> {
    // BEGIN SOLUTION
    let cfg = FetchConfig {
        workers,
        ..FetchConfig::default()
    };
    fetch_universe_with(addr, tickers, &cfg)
    // STUB
    // todo!(
    //     "fetch_universe({addr}, {} tickers, {workers} workers): fetch_universe_with",
    //     tickers.len()
    // )
    // END SOLUTION
}

/// Fetches every ticker with [`fetch_prices`] on a pool of `cfg.workers` threads (fewer if
/// there are fewer tickers), each taking the next ticker when it is done with one.
///
/// Returns one entry per distinct ticker: the series, or why it could not be had. One
/// ticker failing does not stop the others.
///
/// # Panics
/// If `cfg.workers == 0`.
pub fn fetch_universe_with(
    addr: SocketAddr,
    tickers: &[String],
    cfg: &FetchConfig,
) -> BTreeMap<String, Result<PriceSeries, FetchError>> {
    // BEGIN SOLUTION
    assert!(cfg.workers > 0, "fetch_universe needs at least one worker");
    let unique: Vec<&String> = tickers
        .iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let next = AtomicUsize::new(0);
    thread::scope(|s| {
        let workers: Vec<_> = (0..cfg.workers.min(unique.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        // A shared counter is the whole work queue: each ticker is taken once.
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&ticker) = unique.get(i) else { break };
                        done.push((ticker.clone(), fetch_prices(addr, ticker, cfg)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a fetch worker panicked"))
            .collect()
    })
    // STUB
    // todo!(
    //     "fetch_universe_with({addr}, {} tickers, {cfg:?}): a bounded pool of threads",
    //     tickers.len()
    // )
    // END SOLUTION
}
