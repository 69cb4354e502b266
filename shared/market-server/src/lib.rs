//! A small market-data server for lab 04's task 5 and lab 05, written with `std::net` only.
//! **Given code**: a crate of its own that the labs depend on; read it, run it, but you do not
//! change it (the grader tests your client against this very crate).
//!
//! # The HTTP interface
//! Plain HTTP/1.1 on `127.0.0.1` (loopback only), one request per connection (every response
//! says `Connection: close` and the server closes the connection after it):
//!
//! | request | response |
//! |---|---|
//! | `GET /prices/{ticker}` | `200 OK`, `Content-Type: text/csv`: header `date,close`, one `yyyy-mm-dd,price` line per day ([`finance::series::read_csv_str`] reads it) |
//! | `GET /tickers` | `200 OK`, `text/plain`: the universe, one ticker per line |
//! | `GET /health` | `200 OK`, body `ok` |
//! | an unknown ticker | `404 Not Found` |
//! | another path / method | `404 Not Found` / `405 Method Not Allowed` |
//! | a malformed request | `400 Bad Request` |
//! | too many requests at once | `503 Service Unavailable` (transient: try again) |
//!
//! Every response carries `Content-Length`. Each request waits [`ServerConfig::latency`]
//! before its response, like a distant server would; that wait is the server's, not the
//! client's, so a client with many connections in flight overlaps the waits.
//!
//! # Failures on purpose
//! A client must survive a flaky network. [`ServerConfig::failure_rate`] turns a fraction of
//! the price requests into transient `503`s, chosen by a hash of (seed, ticker, how many
//! times that ticker was asked for), so the same run fails the same requests.
//! [`ServerConfig::faults`] gives chosen tickers a [`Fault`]: a number of `503`s, a response
//! cut in the middle, a CSV body with a bad line, or no response at all.
//!
//! # Bounded
//! The server binds loopback only, stops accepting after [`ServerConfig::max_requests`]
//! connections or after [`ServerConfig::lifetime`], handles at most
//! [`ServerConfig::max_in_flight`] connections at once, bounds every read, and stops (and
//! waits for its threads) when the [`MarketServer`] is dropped.
//!
//! It is also a program, for lab 05 and for poking at with `curl`:
//!
//! ```text
//! cargo run -p market-server -- --port 8080 --latency-ms 20
//! curl -i http://127.0.0.1:8080/prices/AST001
//! ```

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use finance::market::{MarketConfig, simulate};
use finance::rng::splitmix64;

/// A misbehaviour of the server for one ticker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The first `n` requests for the ticker get `503 Service Unavailable`; later ones succeed.
    Unavailable(u32),
    /// The first `n` responses announce the full `Content-Length` but stop half-way through the
    /// body and close the connection.
    CloseMidResponse(u32),
    /// Every response is `200 OK` with a CSV body whose fifth line has `n/a` for a price.
    MalformedCsv,
    /// The first `n` requests get no response at all: the connection stays open and silent
    /// (until the client gives up, the server stops, or [`ServerConfig::stall`] passes).
    Stall(u32),
}

/// How the server behaves. Start from [`ServerConfig::new`] and override fields:
///
/// ```
/// use std::time::Duration;
/// use market_server::ServerConfig;
/// let cfg = ServerConfig { latency: Duration::from_millis(20), ..ServerConfig::new(50, 252, 7) };
/// assert_eq!(cfg.market.assets, 50);
/// ```
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The universe served: tickers `AST000`, `AST001`, ... and their simulated closes.
    pub market: MarketConfig,
    /// Port on 127.0.0.1; 0 lets the operating system choose a free one (see
    /// [`MarketServer::addr`]).
    pub port: u16,
    /// Wait before each response: the simulated network and server time.
    pub latency: Duration,
    /// Fraction of price requests answered with a transient `503`, in `[0, 1]`.
    pub failure_rate: f64,
    /// Seed of the transient failures.
    pub seed: u64,
    /// Per-ticker misbehaviours.
    pub faults: HashMap<String, Fault>,
    /// How long a [`Fault::Stall`] keeps a connection open before closing it.
    pub stall: Duration,
    /// Connections handled at once; more get an immediate `503`.
    pub max_in_flight: usize,
    /// Connections accepted in total before the server stops by itself.
    pub max_requests: u64,
    /// Time after which the server stops by itself.
    pub lifetime: Duration,
}

impl ServerConfig {
    /// `assets` tickers with `days` daily closes from `finance::market` with `seed`; no
    /// latency, no failures, at most 256 connections at once, a million requests or ten
    /// minutes.
    pub fn new(assets: usize, days: usize, seed: u64) -> Self {
        Self {
            market: MarketConfig::new(assets, days, seed),
            port: 0,
            latency: Duration::ZERO,
            failure_rate: 0.0,
            seed,
            faults: HashMap::new(),
            stall: Duration::from_secs(30),
            max_in_flight: 256,
            max_requests: 1_000_000,
            lifetime: Duration::from_secs(600),
        }
    }
}

/// State shared by the server's threads.
struct Shared {
    config: ServerConfig,
    /// Ticker -> the CSV body, rendered once at start.
    bodies: HashMap<String, Arc<str>>,
    tickers: Vec<String>,
    /// Requests per ticker so far (counts every `/prices/{ticker}` request, 404s included).
    counts: Mutex<HashMap<String, u64>>,
    total: AtomicU64,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    /// Whether the server is stopping and whether it still accepts connections; waits
    /// (latency, stalls, [`MarketServer::wait`]) watch it through `wake`.
    state: Mutex<State>,
    wake: Condvar,
    stopped: AtomicBool,
    /// Live connection handlers, and a condition variable signalled when one ends.
    handlers: Mutex<usize>,
    handler_done: Condvar,
}

#[derive(Clone, Copy)]
struct State {
    /// Abort: no more connections, and every wait ends now (drop, end of lifetime).
    stopping: bool,
    /// The accept loop is running (false once it ended, e.g. when the budget is used up;
    /// connections already accepted are still served).
    accepting: bool,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits `d` unless the server stops first; returns false if it is stopping.
    fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut state = self.state();
        loop {
            if state.stopping {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            state = self
                .wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn stop(&self, addr: SocketAddr) {
        self.state().stopping = true;
        self.wake.notify_all();
        if !self.stopped.swap(true, Ordering::SeqCst) {
            // Wake the accept loop, blocked in `accept`, with a connection of our own.
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
    }

    fn is_stopping(&self) -> bool {
        self.state().stopping
    }
}

/// A running market-data server; it stops when dropped.
pub struct MarketServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
    watchdog: Option<JoinHandle<()>>,
}

impl MarketServer {
    /// Simulates the market, binds `127.0.0.1:port` and starts serving in background
    /// threads.
    ///
    /// # Errors
    /// If the port cannot be bound.
    pub fn start(config: ServerConfig) -> io::Result<MarketServer> {
        let market = simulate(&config.market);
        let tickers = market.tickers.clone();
        let bodies = (0..market.assets())
            .map(|i| {
                let csv = market.series(i).to_csv();
                (market.tickers[i].clone(), Arc::from(csv))
            })
            .collect();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        let addr = listener.local_addr()?;
        let lifetime = config.lifetime;
        let shared = Arc::new(Shared {
            config,
            bodies,
            tickers,
            counts: Mutex::new(HashMap::new()),
            total: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
            state: Mutex::new(State {
                stopping: false,
                accepting: true,
            }),
            wake: Condvar::new(),
            stopped: AtomicBool::new(false),
            handlers: Mutex::new(0),
            handler_done: Condvar::new(),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("market-accept".into())
                .spawn(move || accept_loop(listener, &shared))?
        };
        let watchdog = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("market-watchdog".into())
                .spawn(move || {
                    // Stops the server when its lifetime is over (or returns early on drop).
                    shared.pause(lifetime);
                    shared.stop(addr);
                })?
        };
        Ok(MarketServer {
            addr,
            shared,
            accept: Some(accept),
            watchdog: Some(watchdog),
        })
    }

    /// The address the server listens on (`127.0.0.1` and the port it was given).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The tickers of the universe, in order.
    pub fn tickers(&self) -> &[String] {
        &self.shared.tickers
    }

    /// The CSV body served for `ticker` (what a successful fetch must parse to).
    pub fn csv(&self, ticker: &str) -> Option<&str> {
        self.shared.bodies.get(ticker).map(|b| &**b)
    }

    /// Connections accepted so far.
    pub fn total_requests(&self) -> u64 {
        self.shared.total.load(Ordering::SeqCst)
    }

    /// `GET /prices/{ticker}` requests received so far for `ticker`.
    pub fn requests_for(&self, ticker: &str) -> u64 {
        let counts = self
            .shared
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.get(ticker).copied().unwrap_or(0)
    }

    /// The largest number of requests that were being handled at the same time, each from
    /// the acceptance of its connection to the start of its response.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Blocks until the server stops accepting connections by itself (its lifetime or its
    /// request budget is used up).
    pub fn wait(&self) {
        let mut state = self.shared.state();
        while state.accepting {
            state = self
                .shared
                .wake
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for MarketServer {
    fn drop(&mut self) {
        self.shared.stop(self.addr);
        for handle in [self.accept.take(), self.watchdog.take()]
            .into_iter()
            .flatten()
        {
            let _ = handle.join();
        }
        // Handlers watch `stopping` in every wait, so they end promptly; bounded anyway.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut live = self
            .shared
            .handlers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *live > 0 && Instant::now() < deadline {
            live = self
                .shared
                .handler_done
                .wait_timeout(live, Duration::from_millis(50))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

fn accept_loop(listener: TcpListener, shared: &Arc<Shared>) {
    serve_connections(&listener, shared);
    drop(listener); // closed before anyone learns that the server stopped accepting
    shared.state().accepting = false;
    shared.wake.notify_all();
}

fn serve_connections(listener: &TcpListener, shared: &Arc<Shared>) {
    let max = shared.config.max_requests;
    for stream in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        let total = shared.total.fetch_add(1, Ordering::SeqCst) + 1;
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        if now > shared.config.max_in_flight {
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            write_response(&stream, 503, "text/plain", b"server busy\n");
        } else {
            shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
            *shared
                .handlers
                .lock()
                .unwrap_or_else(PoisonError::into_inner) += 1;
            let worker = Arc::clone(shared);
            let spawned = thread::Builder::new()
                .name("market-conn".into())
                .spawn(move || {
                    handle(stream, &worker); // releases its in-flight slot
                    let mut live = worker
                        .handlers
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    *live -= 1;
                    worker.handler_done.notify_all();
                });
            if spawned.is_err() {
                shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                *shared
                    .handlers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) -= 1;
            }
        }
        if total >= max {
            break; // the request budget is used up
        }
    }
}

/// Reads the request head (up to the blank line), at most 8 KiB and 5 seconds.
fn read_head(stream: &mut TcpStream, shared: &Shared) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > 8192 || Instant::now() > deadline || shared.is_stopping() {
            let _ = stream.shutdown(Shutdown::Both);
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    String::from_utf8(buf).ok()
}

/// One accepted connection. It counts as *in flight* until its response starts: the slot is
/// released just before the first byte is written, so a client that has read a whole
/// response and opens its next connection never finds its previous one still counted.
struct Conn<'a> {
    stream: TcpStream,
    shared: &'a Shared,
    counted: bool,
}

impl Conn<'_> {
    fn release(&mut self) {
        if std::mem::take(&mut self.counted) {
            self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Writes a whole response and closes the connection; errors (a client that left) are
    /// ignored.
    fn respond(&mut self, status: u16, content_type: &str, body: &[u8]) {
        self.release();
        write_response(&self.stream, status, content_type, body);
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

fn handle(stream: TcpStream, shared: &Shared) {
    let mut conn = Conn {
        stream,
        shared,
        counted: true,
    };
    let _ = conn.stream.set_write_timeout(Some(Duration::from_secs(5)));
    let _ = conn.stream.set_nodelay(true);
    let Some(head) = read_head(&mut conn.stream, shared) else {
        return;
    };
    if shared.is_stopping() {
        return;
    }
    let mut words = head.lines().next().unwrap_or("").split_whitespace();
    let (Some(method), Some(path), Some(version)) = (words.next(), words.next(), words.next())
    else {
        conn.respond(400, "text/plain", b"malformed request line\n");
        return;
    };
    if !version.starts_with("HTTP/1.") {
        conn.respond(400, "text/plain", b"HTTP/1.x only\n");
        return;
    }
    if !shared.pause(shared.config.latency) {
        return;
    }
    if method != "GET" {
        conn.respond(405, "text/plain", b"only GET is supported\n");
        return;
    }
    match path {
        "/health" => conn.respond(200, "text/plain", b"ok"),
        "/tickers" => {
            let list: String = shared.tickers.iter().map(|t| format!("{t}\n")).collect();
            conn.respond(200, "text/plain", list.as_bytes());
        }
        _ => match path.strip_prefix("/prices/") {
            Some(ticker) => serve_prices(&mut conn, ticker),
            None => conn.respond(404, "text/plain", b"no such path\n"),
        },
    }
}

fn serve_prices(conn: &mut Conn<'_>, ticker: &str) {
    let shared = conn.shared;
    let attempt = {
        let mut counts = shared.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(ticker.to_string()).or_insert(0);
        *count += 1;
        *count // 1 for the first request
    };
    let Some(body) = shared.bodies.get(ticker) else {
        let msg = format!("unknown ticker {ticker}\n");
        conn.respond(404, "text/plain", msg.as_bytes());
        return;
    };
    let within = |n: u32| attempt <= u64::from(n);
    match shared.config.faults.get(ticker).copied() {
        Some(Fault::Unavailable(n)) if within(n) => {
            conn.respond(503, "text/plain", b"try again\n");
            return;
        }
        Some(Fault::CloseMidResponse(n)) if within(n) => {
            conn.release();
            let head = header(200, "text/csv", body.len());
            let _ = conn.stream.write_all(head.as_bytes());
            let _ = conn.stream.write_all(&body.as_bytes()[..body.len() / 2]);
            let _ = conn.stream.flush();
            let _ = conn.stream.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::Stall(n)) if within(n) => {
            shared.pause(shared.config.stall);
            return;
        }
        Some(Fault::MalformedCsv) => {
            let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
            if let Some(line) = lines.get_mut(4) {
                let date = line.split(',').next().unwrap_or("").to_string();
                *line = format!("{date},n/a");
            }
            let text = lines.join("\n") + "\n";
            conn.respond(200, "text/csv", text.as_bytes());
            return;
        }
        _ => {}
    }
    if transient_failure(shared, ticker, attempt) {
        conn.respond(503, "text/plain", b"try again\n");
        return;
    }
    conn.respond(200, "text/csv", body.as_bytes());
}

/// Whether request number `attempt` for `ticker` fails with a transient 503: a hash of
/// (seed, ticker, attempt) compared with the failure rate, so runs are reproducible.
fn transient_failure(shared: &Shared, ticker: &str, attempt: u64) -> bool {
    let rate = shared.config.failure_rate;
    if rate <= 0.0 {
        return false;
    }
    let mut h = splitmix64(shared.config.seed);
    for b in ticker.bytes() {
        h = splitmix64(h ^ u64::from(b));
    }
    let u = (splitmix64(h ^ attempt) >> 11) as f64 / (1u64 << 53) as f64;
    u < rate
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn header(status: u16, content_type: &str, len: usize) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n",
        reason(status)
    )
}

/// Writes a whole response and closes the connection; errors (a client that left) are
/// ignored.
fn write_response(mut stream: &TcpStream, status: u16, content_type: &str, body: &[u8]) {
    let mut out = header(status, content_type, body.len()).into_bytes();
    out.extend_from_slice(body);
    let _ = stream.write_all(&out);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}
