//! Hidden tests of task 5, against the given `market-server` crate (no student edits it).

use std::net::TcpListener;
use std::time::Duration;

use finance::series::read_csv_str;
use lab04::fetch::{FetchConfig, FetchError, fetch_prices, fetch_universe, fetch_universe_with};

use market_server::{Fault, MarketServer, ServerConfig};

fn quick(workers: usize, retries: u32, timeout_ms: u64) -> FetchConfig {
    FetchConfig {
        workers,
        timeout: Duration::from_millis(timeout_ms),
        retries,
        backoff: Duration::from_millis(1),
    }
}

fn server_with(faults: &[(&str, Fault)]) -> MarketServer {
    let mut cfg = ServerConfig::new(8, 40, 51);
    for &(ticker, fault) in faults {
        cfg.faults.insert(ticker.to_string(), fault);
    }
    MarketServer::start(cfg).expect("the server starts")
}

#[test]
fn a_silent_server_times_out() {
    let server = server_with(&[("AST000", Fault::Stall(u32::MAX))]);
    let err = fetch_prices(server.addr(), "AST000", &quick(1, 1, 150)).unwrap_err();
    match err {
        FetchError::GaveUp { attempts, last } => {
            assert_eq!(attempts, 2);
            assert!(matches!(*last, FetchError::Timeout), "{last:?}");
        }
        other => panic!("expected GaveUp after timeouts, got {other:?}"),
    }
    assert_eq!(server.requests_for("AST000"), 2);
}

#[test]
fn a_stalled_request_is_retried() {
    let server = server_with(&[("AST001", Fault::Stall(1))]);
    // The stalled first attempt times out after 300 ms; the second is served at once.
    let series = fetch_prices(server.addr(), "AST001", &quick(1, 3, 300)).unwrap();
    assert_eq!(series.len(), 40);
    assert_eq!(server.requests_for("AST001"), 2);
}

#[test]
fn a_response_cut_in_the_middle_is_retried() {
    let server = server_with(&[("AST002", Fault::CloseMidResponse(2))]);
    let series = fetch_prices(server.addr(), "AST002", &quick(1, 3, 5000)).unwrap();
    let expected = read_csv_str("AST002", server.csv("AST002").unwrap()).unwrap();
    assert_eq!(series, expected);
    assert_eq!(server.requests_for("AST002"), 3);
}

#[test]
fn a_response_always_cut_is_reported_as_truncated() {
    let server = server_with(&[("AST003", Fault::CloseMidResponse(u32::MAX))]);
    let err = fetch_prices(server.addr(), "AST003", &quick(1, 2, 5000)).unwrap_err();
    let len = server.csv("AST003").unwrap().len();
    match err {
        FetchError::GaveUp { attempts: 3, last } => match *last {
            FetchError::Truncated { expected, received } => {
                assert_eq!((expected, received), (len, len / 2));
            }
            other => panic!("expected Truncated, got {other:?}"),
        },
        other => panic!("expected GaveUp after 3 attempts, got {other:?}"),
    }
}

#[test]
fn the_pool_has_at_most_workers_connections_and_uses_them() {
    let cfg = ServerConfig {
        latency: Duration::from_millis(30),
        ..ServerConfig::new(30, 20, 52)
    };
    let server = MarketServer::start(cfg).unwrap();
    let tickers = server.tickers().to_vec();
    let got = fetch_universe(server.addr(), &tickers, 5);
    assert!(got.values().all(Result::is_ok));
    let peak = server.peak_in_flight();
    assert!(peak <= 5, "{peak} connections at once with 5 workers");
    // Thirty requests of 30 ms each: a pool of five overlaps them.
    assert!(
        peak >= 2,
        "never more than one request in flight: no concurrency"
    );
}

#[test]
fn duplicates_are_fetched_once_and_failures_stay_separate() {
    let server = server_with(&[("AST004", Fault::Unavailable(u32::MAX))]);
    let tickers: Vec<String> = ["AST005", "NOPE", "AST005", "AST004", "AST006", "NOPE"]
        .map(String::from)
        .to_vec();
    let got = fetch_universe_with(server.addr(), &tickers, &quick(3, 1, 5000));
    let keys: Vec<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(keys, ["AST004", "AST005", "AST006", "NOPE"]);
    assert!(got["AST005"].is_ok() && got["AST006"].is_ok());
    assert!(matches!(got["NOPE"], Err(FetchError::NotFound(_))));
    assert!(matches!(
        got["AST004"],
        Err(FetchError::GaveUp { attempts: 2, .. })
    ));
    assert_eq!(server.requests_for("AST005"), 1);
    assert_eq!(server.requests_for("NOPE"), 1);
}

#[test]
fn a_flaky_server_is_survived_with_retries() {
    // 30% of requests fail with a 503, the same ones every run (seeded). Seven attempts.
    let cfg = ServerConfig {
        failure_rate: 0.3,
        ..ServerConfig::new(40, 30, 53)
    };
    let server = MarketServer::start(cfg).unwrap();
    let tickers = server.tickers().to_vec();
    let got = fetch_universe_with(server.addr(), &tickers, &quick(8, 6, 5000));
    for (t, r) in &got {
        assert!(r.is_ok(), "{t}: {:?}", r.as_ref().err());
    }
    let total: u64 = tickers.iter().map(|t| server.requests_for(t)).sum();
    assert!(
        total > 40,
        "some requests failed and were retried ({total} requests)"
    );
}

#[test]
fn a_refused_connection_is_transient() {
    // A port nobody listens on: bind one, note it, close it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = fetch_prices(port, "AST000", &quick(1, 1, 1000)).unwrap_err();
    match err {
        FetchError::GaveUp { attempts: 2, last } => {
            assert!(last.is_transient(), "{last:?}");
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
}
