//! The market-data server of labs 04 and 05 as a program, for lab 05 and for trying with `curl`:
//!
//! ```text
//! cargo run -p market-server -- --port 0 --latency-ms 20
//! curl -i http://127.0.0.1:<port>/prices/AST001
//! ```
//!
//! Options (all optional): `--port N` (0: the OS chooses; default 0), `--latency-ms N`
//! (default 20), `--assets N` (default 500), `--days N` (default 2520), `--seed N`
//! (default 42), `--failure-rate X` (transient 503s, default 0), `--max-requests N`
//! (default 1,000,000), `--lifetime-secs N` (default 3600). The server listens on 127.0.0.1
//! only and stops by itself after its lifetime or request budget; Ctrl-C stops it sooner.
//! The first line printed is `listening on http://127.0.0.1:<port>`.

use std::process::ExitCode;
use std::time::Duration;

use market_server::{MarketServer, ServerConfig};

fn parse<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("{flag}: cannot parse {value:?}"))
}

fn config() -> Result<ServerConfig, String> {
    let mut cfg = ServerConfig::new(500, 2520, 42);
    cfg.latency = Duration::from_millis(20);
    cfg.lifetime = Duration::from_secs(3600);
    let (mut assets, mut days, mut seed) = (500, 2520, 42);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => cfg.port = parse(&flag, args.next())?,
            "--latency-ms" => cfg.latency = Duration::from_millis(parse(&flag, args.next())?),
            "--assets" => assets = parse(&flag, args.next())?,
            "--days" => days = parse(&flag, args.next())?,
            "--seed" => seed = parse(&flag, args.next())?,
            "--failure-rate" => cfg.failure_rate = parse(&flag, args.next())?,
            "--max-requests" => cfg.max_requests = parse(&flag, args.next())?,
            "--lifetime-secs" => cfg.lifetime = Duration::from_secs(parse(&flag, args.next())?),
            "-h" | "--help" => {
                return Err(
                    "usage: server [--port N] [--latency-ms N] [--assets N] [--days N] \
                            [--seed N] [--failure-rate X] [--max-requests N] [--lifetime-secs N]"
                        .into(),
                );
            }
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    cfg.market = finance::market::MarketConfig::new(assets, days, seed);
    cfg.seed = seed;
    Ok(cfg)
}

fn main() -> ExitCode {
    let cfg = match config() {
        Ok(cfg) => cfg,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::FAILURE;
        }
    };
    let (assets, latency, lifetime) = (cfg.market.assets, cfg.latency, cfg.lifetime);
    let server = match MarketServer::start(cfg) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot start the server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{}", server.addr());
    eprintln!(
        "{assets} tickers, {} ms latency; stops after {} s or its request budget",
        latency.as_millis(),
        lifetime.as_secs()
    );
    server.wait();
    ExitCode::SUCCESS
}
