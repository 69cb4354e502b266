//! Task 5: market data over the network, against the given server.

use std::time::Duration;

use finance::series::read_csv_str;
use lab04::fetch::{
    FetchConfig, FetchError, fetch_prices, fetch_universe, fetch_universe_with, http_get,
};
use market_server::{Fault, MarketServer, ServerConfig};

/// Quick retries for tests: 1 ms, 2 ms, 4 ms...
fn quick(workers: usize, retries: u32) -> FetchConfig {
    FetchConfig {
        workers,
        timeout: Duration::from_secs(5),
        retries,
        backoff: Duration::from_millis(1),
    }
}

fn server_with(faults: &[(&str, Fault)]) -> MarketServer {
    let mut cfg = ServerConfig::new(6, 60, 7);
    for &(ticker, fault) in faults {
        cfg.faults.insert(ticker.to_string(), fault);
    }
    MarketServer::start(cfg).expect("the server starts")
}

#[test]
fn http_get_reads_status_and_body() {
    let server = server_with(&[]);
    let ok = http_get(server.addr(), "/health", Duration::from_secs(5)).unwrap();
    assert_eq!((ok.status, ok.body.as_str()), (200, "ok"));
    let prices = http_get(server.addr(), "/prices/AST003", Duration::from_secs(5)).unwrap();
    assert_eq!(prices.status, 200);
    assert_eq!(Some(prices.body.as_str()), server.csv("AST003"));
    let missing = http_get(server.addr(), "/prices/NOPE", Duration::from_secs(5)).unwrap();
    assert_eq!(missing.status, 404);
}

#[test]
fn fetches_every_ticker_with_a_bounded_pool() {
    let cfg = ServerConfig {
        latency: Duration::from_millis(5),
        ..ServerConfig::new(24, 100, 8)
    };
    let server = MarketServer::start(cfg).unwrap();
    let tickers = server.tickers().to_vec();
    let got = fetch_universe(server.addr(), &tickers, 4);
    assert_eq!(got.len(), 24);
    for t in &tickers {
        let expected = read_csv_str(t, server.csv(t).unwrap()).unwrap();
        match &got[t] {
            Ok(series) => assert_eq!(series, &expected),
            Err(e) => panic!("{t}: {e}"),
        }
        assert_eq!(server.requests_for(t), 1, "{t} fetched once");
    }
    assert!(
        server.peak_in_flight() <= 4,
        "{} connections at once with 4 workers",
        server.peak_in_flight()
    );
}

#[test]
fn unknown_ticker_is_not_found_and_not_retried() {
    let server = server_with(&[]);
    let err = fetch_prices(server.addr(), "NOPE", &quick(1, 3)).unwrap_err();
    assert!(
        matches!(err, FetchError::NotFound(ref t) if t == "NOPE"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert_eq!(
        server.requests_for("NOPE"),
        1,
        "a 404 is permanent: no retry"
    );
}

#[test]
fn transient_503s_are_retried() {
    let server = server_with(&[("AST001", Fault::Unavailable(2))]);
    let series = fetch_prices(server.addr(), "AST001", &quick(1, 3)).unwrap();
    assert_eq!(series.ticker, "AST001");
    assert_eq!(series.len(), 60);
    assert_eq!(server.requests_for("AST001"), 3, "two 503s, then success");
}

#[test]
fn gives_up_after_the_last_retry() {
    let server = server_with(&[("AST002", Fault::Unavailable(100))]);
    let err = fetch_prices(server.addr(), "AST002", &quick(1, 2)).unwrap_err();
    match err {
        FetchError::GaveUp { attempts, last } => {
            assert_eq!(attempts, 3);
            assert!(matches!(*last, FetchError::Status(503)), "{last:?}");
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    assert_eq!(server.requests_for("AST002"), 3);
}

#[test]
fn malformed_csv_is_a_clear_error() {
    let server = server_with(&[("AST004", Fault::MalformedCsv)]);
    let tickers: Vec<String> = ["AST003", "AST004", "AST005"].map(String::from).to_vec();
    let got = fetch_universe_with(server.addr(), &tickers, &quick(2, 3));
    assert!(
        got["AST003"].is_ok() && got["AST005"].is_ok(),
        "others unaffected"
    );
    let err = got["AST004"].as_ref().unwrap_err();
    assert!(matches!(err, FetchError::Csv(_)), "{err:?}");
    // The message names the ticker, the line and the field, like a compiler error.
    let msg = err.to_string();
    assert!(msg.contains("AST004:5: field `close`"), "{msg}");
    assert_eq!(
        server.requests_for("AST004"),
        1,
        "a malformed body is not retried"
    );
}
