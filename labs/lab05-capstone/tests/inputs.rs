//! The inputs: argument checks, the portfolio and options-book parsers, the loaders (folder
//! and server) and the alignment of the series.

use std::time::Duration;

use clap::Parser;
use finance::bs::{BarrierKind, OptionKind};
use finance::market::{MarketConfig, simulate};
use finance::series::{read_csv_str, write_csv};
use lab05::cli::{Cli, Command};
use lab05::error::EngineError;
use lab05::load::{TickerRef, align, load_folder, load_server};
use lab05::portfolio::{Size, Style, parse_book, parse_portfolio};
use market_server::{Fault, MarketServer, ServerConfig};

fn refs(tickers: &[&str]) -> Vec<TickerRef> {
    tickers
        .iter()
        .enumerate()
        .map(|(i, t)| TickerRef {
            ticker: t.to_string(),
            file: "pf.csv".into(),
            line: i + 2,
        })
        .collect()
}

/// The file, line and field of an input error.
fn where_(e: &EngineError) -> (String, usize, String) {
    match e {
        EngineError::Input {
            file, line, field, ..
        } => (file.clone(), *line, field.clone()),
        other => panic!("expected an Input error, got {other:?}"),
    }
}

#[test]
fn check_rejects_out_of_range_settings() {
    let args = |extra: &[&str]| {
        let mut v = vec![
            "risk-engine",
            "run",
            "--portfolio",
            "p.csv",
            "--prices",
            "d",
        ];
        v.extend_from_slice(extra);
        match Cli::parse_from(v).command {
            Command::Run(r) => r.engine,
            Command::Demo(_) => unreachable!(),
        }
    };
    assert!(args(&[]).check().is_ok());
    assert!(args(&["--confidence", "0.5"]).check().is_ok());
    for bad in [
        &["--confidence", "1"][..],
        &["--confidence", "0"],
        &["--horizon", "0"],
        &["--scenarios", "0"],
        &["--bootstrap", "1"],
        &["--notional", "0"],
    ] {
        let e = args(bad).check().unwrap_err();
        assert!(matches!(e, EngineError::Usage(_)), "{bad:?}");
        assert!(
            e.to_string().contains(bad[0]),
            "the message names the flag: {e}"
        );
        assert_eq!(e.exit_code(), 2);
    }
}

#[test]
fn portfolio_of_weights_and_of_quantities() {
    let p = parse_portfolio(
        "pf.csv",
        "ticker,weight\nAST000, 0.25\n\nAST001,0.75\n",
        false,
    )
    .unwrap();
    assert_eq!(p.positions.len(), 2);
    assert_eq!(p.positions[1].ticker, "AST001");
    assert_eq!(p.positions[1].size, Size::Weight(0.75));
    assert_eq!(p.positions[1].line, 4, "line numbers count blank lines");
    let q = parse_portfolio(
        "pf.csv",
        "\u{feff}ticker,quantity\r\nAST003,100\r\nAST004,-20\r\n",
        false,
    )
    .unwrap();
    assert_eq!(q.positions[1].size, Size::Quantity(-20.0));
    let (w, value) = q.weights(&[10.0, 5.0], 1.0).unwrap();
    assert_eq!(value, 900.0);
    assert_eq!(w, [1000.0 / 900.0, -100.0 / 900.0]);
}

#[test]
fn portfolio_errors_name_line_and_field() {
    let cases: [(&str, usize, &str); 7] = [
        ("", 1, "header"),
        ("ticker,size\nA,1\n", 1, "header"),
        ("ticker,weight\n", 1, "header"),
        ("ticker,weight\nAST000,0.5\nAST001,abc\n", 3, "weight"),
        ("ticker,weight\nAST000,0.5\nAST001,NaN\n", 3, "weight"),
        ("ticker,weight\nAST000,0.5\nAST000,0.5\n", 3, "ticker"),
        ("ticker,weight\nAST000,0.5\nAST001\n", 3, "weight"),
    ];
    for (text, line, field) in cases {
        let e = parse_portfolio("pf.csv", text, false).unwrap_err();
        assert_eq!(
            where_(&e),
            ("pf.csv".to_string(), line, field.to_string()),
            "{text:?}: {e}"
        );
    }
}

#[test]
fn weights_not_summing_to_one_are_an_error_unless_normalized() {
    let text = "ticker,weight\nA,1\nB,3\n";
    let e = parse_portfolio("pf.csv", text, false).unwrap_err();
    assert_eq!(where_(&e).2, "weight");
    assert!(
        e.to_string().contains('4'),
        "the message gives the sum: {e}"
    );
    let p = parse_portfolio("pf.csv", text, true).unwrap();
    assert_eq!(p.positions[0].size, Size::Weight(0.25));
    assert_eq!(p.positions[1].size, Size::Weight(0.75));
    assert!(parse_portfolio("pf.csv", "ticker,weight\nA,0.3333333\nB,0.6666667\n", false).is_ok());
}

#[test]
fn options_book_of_every_style() {
    let text = "ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate\n\
                AST000,call,100,0.5,10,european,,,\n\
                AST001,Put,90,1,-5,asian\n\
                AST002,call,100,1,3,barrier,down-out,80,1.5\n\
                AST002,put,100,1,3,barrier,up-in,120,\n";
    let book = parse_book("book.csv", text).unwrap();
    assert_eq!(book.len(), 4);
    assert_eq!(book[0].kind, OptionKind::Call);
    assert_eq!(
        (book[0].strike, book[0].expiry, book[0].quantity),
        (100.0, 0.5, 10.0)
    );
    assert_eq!(book[1].kind, OptionKind::Put);
    assert_eq!(book[1].style, Style::Asian);
    assert_eq!(
        book[2].style,
        Style::Barrier {
            kind: BarrierKind::DownOut,
            level: 80.0,
            rebate: 1.5
        }
    );
    assert_eq!(
        book[3].style,
        Style::Barrier {
            kind: BarrierKind::UpIn,
            level: 120.0,
            rebate: 0.0
        }
    );
    assert_eq!(book[3].line, 5);
}

#[test]
fn options_book_errors_name_line_and_field() {
    let h = "ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate\n";
    let cases = [
        ("A,call,-1,1,1,european,,,\n", "strike"),
        ("A,call,100,0,1,european,,,\n", "expiry"),
        ("A,call,100,1,x,european,,,\n", "quantity"),
        ("A,call,100,1,1,bermudan,,,\n", "style"),
        ("A,call,100,1,1,barrier,sideways,80,0\n", "barrier_kind"),
        ("A,call,100,1,1,barrier,down-out,,0\n", "barrier_level"),
        ("A,call,100,1,1,barrier,down-out,80,-1\n", "rebate"),
        ("A,call,100,1,1,european,down-out,80,0\n", "barrier_kind"),
    ];
    for (line, field) in cases {
        let e = parse_book("book.csv", &format!("{h}{line}")).unwrap_err();
        assert_eq!(
            where_(&e),
            ("book.csv".to_string(), 2, field.to_string()),
            "{line:?}: {e}"
        );
    }
    assert_eq!(
        where_(&parse_book("book.csv", "ticker,kind\n").unwrap_err()).2,
        "header"
    );
}

#[test]
fn folder_loading_keeps_the_order_of_the_refs() {
    let tmp = tempfile::TempDir::new().unwrap();
    let market = simulate(&MarketConfig::new(6, 50, 3));
    for i in 0..6 {
        write_csv(
            &market.series(i),
            tmp.path().join(format!("{}.csv", market.tickers[i])),
        )
        .unwrap();
    }
    let wanted = ["AST004", "AST000", "AST005", "AST002"];
    for threads in [1, 3] {
        let series = load_folder(tmp.path(), &refs(&wanted), threads).unwrap();
        let got: Vec<&str> = series.iter().map(|s| s.ticker.as_str()).collect();
        assert_eq!(got, wanted);
        assert_eq!(series[0], market.series(4));
    }
    let e = load_folder(tmp.path(), &refs(&["AST001", "ZZZ", "YYY"]), 2).unwrap_err();
    assert_eq!(
        where_(&e),
        ("pf.csv".to_string(), 3, "ticker".to_string()),
        "the first unknown ticker: {e}"
    );
    assert!(e.to_string().contains("ZZZ"));
}

#[test]
fn align_builds_the_matrix_and_finds_gaps() {
    let a = read_csv_str(
        "a.csv",
        "date,close\n2020-01-02,10\n2020-01-03,11\n2020-01-06,12\n",
    )
    .unwrap();
    let b = read_csv_str(
        "b.csv",
        "date,close\n2020-01-02,20\n2020-01-03,21\n2020-01-06,22\n",
    )
    .unwrap();
    let gap = read_csv_str("c.csv", "date,close\n2020-01-02,20\n2020-01-06,22\n").unwrap();
    let sources = vec!["a.csv".to_string(), "b.csv".into(), "c.csv".into()];
    let m = align(&[a.clone(), b.clone()], &sources[..2]).unwrap();
    assert_eq!(m.prices.shape(), (3, 2));
    assert_eq!(m.prices.row(2), [12.0, 22.0]);
    assert_eq!(m.tickers, ["a.csv", "b.csv"]);
    let e = align(&[a.clone(), b, gap], &sources).unwrap_err();
    assert_eq!(where_(&e), ("c.csv".to_string(), 3, "date".to_string()));
    assert!(
        e.to_string().contains("2020-01-03"),
        "names the missing date: {e}"
    );
    let short = read_csv_str("d.csv", "date,close\n2020-01-02,20\n").unwrap();
    let e = align(&[short, a], &["d.csv".to_string(), "a.csv".into()]).unwrap_err();
    assert_eq!(where_(&e).0, "d.csv");
}

#[test]
fn server_loading_matches_the_served_csv_and_survives_503s() {
    let mut cfg = ServerConfig::new(8, 120, 5);
    cfg.faults.insert("AST002".into(), Fault::Unavailable(2));
    cfg.latency = Duration::from_millis(20);
    let server = MarketServer::start(cfg).unwrap();
    let wanted = ["AST000", "AST002", "AST007", "AST003"];
    let series = load_server(
        &server.addr().to_string(),
        &refs(&wanted),
        Duration::from_secs(5),
        2,
    )
    .unwrap();
    for (s, t) in series.iter().zip(wanted) {
        assert_eq!(s.ticker, t);
        let served = read_csv_str(t, server.csv(t).unwrap()).unwrap();
        assert_eq!(s.prices, served.prices);
        assert_eq!(s.dates, served.dates);
    }
    assert_eq!(server.requests_for("AST002"), 3, "two 503s, then success");
    assert!(server.peak_in_flight() >= 2, "requests should overlap");
}

#[test]
fn server_errors_name_the_ticker() {
    let mut cfg = ServerConfig::new(4, 60, 5);
    cfg.faults.insert("AST001".into(), Fault::Stall(10));
    let server = MarketServer::start(cfg).unwrap();
    let addr = server.addr().to_string();
    let e = load_server(&addr, &refs(&["AST000", "NOPE"]), Duration::from_secs(5), 2).unwrap_err();
    assert_eq!(
        where_(&e),
        ("pf.csv".to_string(), 3, "ticker".to_string()),
        "404 is an unknown ticker: {e}"
    );
    let e = load_server(
        &addr,
        &refs(&["AST000", "AST001"]),
        Duration::from_millis(200),
        2,
    )
    .unwrap_err();
    assert!(
        matches!(&e, EngineError::Server { ticker, .. } if ticker == "AST001"),
        "{e:?}"
    );
    assert!(e.to_string().contains("timed out"), "{e}");
}
