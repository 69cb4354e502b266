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
//! The client speaks just enough HTTP/1.1 to talk to [`crate::server`]: one `GET` per
//! connection, `Connection: close`, a body of `Content-Length` bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use finance::series::{PriceSeries, SeriesError};

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
        todo!("is_transient({self:?}): which errors may succeed if tried again?")
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
    todo!(
        "http_get({addr}, {path}, {timeout:?}): connect, send the request, read the whole response"
    )
}
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
    todo!("fetch_prices({addr}, {ticker}, {cfg:?}): http_get, parse, retry what is transient")
}

/// [`fetch_universe_with`] with `workers` threads and otherwise [`FetchConfig::default`].
pub fn fetch_universe(
    addr: SocketAddr,
    tickers: &[String],
    workers: usize,
) -> BTreeMap<String, Result<PriceSeries, FetchError>> {
    todo!(
        "fetch_universe({addr}, {} tickers, {workers} workers): fetch_universe_with",
        tickers.len()
    )
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
    todo!(
        "fetch_universe_with({addr}, {} tickers, {cfg:?}): a bounded pool of threads",
        tickers.len()
    )
}
