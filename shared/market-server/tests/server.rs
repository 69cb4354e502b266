//! Tests of the given server. They talk to it with a bare `TcpStream`, independent of any
//! client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use market_server::{Fault, MarketServer, ServerConfig};

/// Sends a raw request and returns the whole response (the server closes the connection).
fn raw(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read the response");
    out
}

fn get(addr: SocketAddr, path: &str) -> String {
    raw(addr, &format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"))
}

#[test]
fn serves_prices_tickers_and_errors() {
    let server = MarketServer::start(ServerConfig::new(3, 10, 1)).unwrap();
    let addr = server.addr();
    assert!(addr.ip().is_loopback());
    let ok = get(addr, "/prices/AST001");
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    let body = ok.split("\r\n\r\n").nth(1).unwrap();
    assert_eq!(Some(body), server.csv("AST001"));
    assert!(ok.contains(&format!("Content-Length: {}\r\n", body.len())));
    let series = finance::series::read_csv_str("AST001", body).unwrap();
    assert_eq!(series.len(), 10);
    assert!(get(addr, "/tickers").ends_with("AST000\nAST001\nAST002\n"));
    assert!(get(addr, "/health").ends_with("\r\n\r\nok"));
    assert!(get(addr, "/prices/NOPE").starts_with("HTTP/1.1 404"));
    assert!(get(addr, "/elsewhere").starts_with("HTTP/1.1 404"));
    assert!(raw(addr, "POST /prices/AST000 HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
    assert!(raw(addr, "nonsense\r\n\r\n").starts_with("HTTP/1.1 400"));
    assert_eq!(server.requests_for("AST001"), 1);
    assert_eq!(server.requests_for("NOPE"), 1);
    assert_eq!(server.total_requests(), 7);
}

#[test]
fn faults_happen_as_configured() {
    let mut cfg = ServerConfig::new(4, 10, 2);
    cfg.faults.insert("AST000".into(), Fault::Unavailable(2));
    cfg.faults
        .insert("AST001".into(), Fault::CloseMidResponse(1));
    cfg.faults.insert("AST002".into(), Fault::MalformedCsv);
    let server = MarketServer::start(cfg).unwrap();
    let addr = server.addr();
    assert!(get(addr, "/prices/AST000").starts_with("HTTP/1.1 503"));
    assert!(get(addr, "/prices/AST000").starts_with("HTTP/1.1 503"));
    assert!(get(addr, "/prices/AST000").starts_with("HTTP/1.1 200"));
    let cut = get(addr, "/prices/AST001");
    let body = cut.split("\r\n\r\n").nth(1).unwrap();
    assert_eq!(body.len(), server.csv("AST001").unwrap().len() / 2);
    assert!(get(addr, "/prices/AST001").starts_with("HTTP/1.1 200"));
    let bad = get(addr, "/prices/AST002");
    assert!(bad.contains("\n2015-01-07,n/a\n"), "{bad}"); // line 5 of the CSV
}

#[test]
fn transient_failures_are_reproducible() {
    let statuses = || {
        let cfg = ServerConfig {
            failure_rate: 0.5,
            ..ServerConfig::new(2, 5, 3)
        };
        let server = MarketServer::start(cfg).unwrap();
        (0..40)
            .map(|_| get(server.addr(), "/prices/AST001")[9..12].to_string())
            .collect::<Vec<_>>()
    };
    let first = statuses();
    assert_eq!(first, statuses());
    let failures = first.iter().filter(|s| *s == "503").count();
    assert!((8..=32).contains(&failures), "{failures} of 40 failed");
}

#[test]
fn stops_after_its_request_budget_and_on_drop() {
    let cfg = ServerConfig {
        max_requests: 2,
        ..ServerConfig::new(1, 5, 4)
    };
    let server = MarketServer::start(cfg).unwrap();
    let addr = server.addr();
    get(addr, "/health");
    get(addr, "/health");
    server.wait(); // returns: the budget is used up
    assert!(TcpStream::connect(addr).is_err());

    let stalled = {
        let mut cfg = ServerConfig::new(1, 5, 5);
        cfg.faults.insert("AST000".into(), Fault::Stall(1));
        MarketServer::start(cfg).unwrap()
    };
    let mut s = TcpStream::connect(stalled.addr()).unwrap();
    s.write_all(b"GET /prices/AST000 HTTP/1.1\r\n\r\n").unwrap();
    while stalled.requests_for("AST000") == 0 {
        std::thread::yield_now();
    }
    // Dropping the server ends the stalled handler at once rather than after 30 s.
    drop(stalled);
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = Vec::new();
    assert_eq!(s.read_to_end(&mut out).map(|_| out.len()).unwrap_or(0), 0);
}
