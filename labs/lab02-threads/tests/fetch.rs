//! Task 3: I/O-bound work (`src/fetch.rs`).

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use finance::market::{MarketConfig, simulate};
use finance::series::{PriceSeries, SeriesError, write_csv};
use lab02::fetch::{DataSource, FetchError, SimulatedSource, fetch_all, load_folder};

fn tickers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("T{i:02}")).collect()
}

#[test]
fn fetch_all_keeps_the_order_of_the_tickers() {
    let source = Arc::new(SimulatedSource::new(Duration::from_millis(1)));
    let names = tickers(25);
    let results = fetch_all(&names, Arc::clone(&source), 5);
    assert_eq!(results.len(), 25);
    for (name, result) in names.iter().zip(&results) {
        assert_eq!(result.as_ref().unwrap(), &source.series(name), "{name}");
    }
    assert_eq!(source.calls(), 25, "each ticker is fetched exactly once");
}

#[test]
fn fetch_all_reports_each_failure_in_its_own_slot() {
    let source =
        Arc::new(SimulatedSource::new(Duration::from_millis(1)).with_failing(&["BAD1", "BAD2"]));
    let names = ["AAA", "BAD1", "BBB", "CCC", "BAD2"];
    let results = fetch_all(&names, Arc::clone(&source), 3);
    assert_eq!(results[1], Err(FetchError::NotFound("BAD1".into())));
    assert_eq!(results[4], Err(FetchError::NotFound("BAD2".into())));
    for i in [0, 2, 3] {
        assert_eq!(results[i].as_ref().unwrap().ticker, names[i]);
    }
}

/// A source whose fetches wait, inside the fetch, until `target` fetches are in flight at
/// once; it records the most it ever saw.
struct Gate {
    target: usize,
    state: Mutex<(usize, usize, bool)>, // (in flight, most in flight, released)
    changed: Condvar,
}

impl DataSource for Gate {
    fn fetch(&self, ticker: &str) -> Result<PriceSeries, FetchError> {
        let mut s = self.state.lock().unwrap();
        s.0 += 1;
        s.1 = s.1.max(s.0);
        if s.0 >= self.target {
            s.2 = true;
            self.changed.notify_all();
        }
        // The timeout is only a safety net against a hang: a correct fetch_all releases
        // the gate at once.
        let (mut s, _) = self
            .changed
            .wait_timeout_while(s, Duration::from_secs(20), |s| !s.2)
            .unwrap();
        s.0 -= 1;
        Err(FetchError::NotFound(ticker.to_string()))
    }
}

#[test]
fn fetch_all_has_exactly_workers_fetches_in_flight() {
    let gate = Arc::new(Gate {
        target: 6,
        state: Mutex::new((0, 0, false)),
        changed: Condvar::new(),
    });
    let results = fetch_all(&tickers(30), Arc::clone(&gate), 6);
    assert_eq!(results.len(), 30);
    let s = gate.state.lock().unwrap();
    assert!(s.2, "6 workers never had 6 fetches in flight at once");
    assert_eq!(s.1, 6, "more fetches in flight than workers");
}

struct Crashy;

impl DataSource for Crashy {
    fn fetch(&self, ticker: &str) -> Result<PriceSeries, FetchError> {
        if ticker == "CRASH" {
            panic!("parser bug on {ticker}");
        }
        Err(FetchError::NotFound(ticker.to_string()))
    }
}

#[test]
fn fetch_all_turns_a_panicking_fetch_into_an_error() {
    let results = fetch_all(&["A", "CRASH", "B"], Arc::new(Crashy), 2);
    assert_eq!(
        results,
        vec![
            Err(FetchError::NotFound("A".into())),
            Err(FetchError::Panicked {
                ticker: "CRASH".into(),
                message: "parser bug on CRASH".into()
            }),
            Err(FetchError::NotFound("B".into())),
        ]
    );
}

#[test]
fn load_folder_reads_every_csv_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let market = simulate(&MarketConfig::new(12, 60, 7));
    // Written in reverse, so the directory's own order is unlikely to be the sorted one.
    for i in (0..12).rev() {
        let series = market.series(i);
        write_csv(&series, dir.path().join(format!("{}.csv", series.ticker))).unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "not a price file").unwrap();
    let loaded = load_folder(dir.path(), 4).unwrap();
    assert_eq!(loaded.len(), 12, "only .csv files are read");
    for (i, result) in loaded.into_iter().enumerate() {
        assert_eq!(result.unwrap(), market.series(i));
    }
}

#[test]
fn load_folder_reports_a_malformed_file_and_reads_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let market = simulate(&MarketConfig::new(3, 20, 11));
    for i in 0..3 {
        let s = market.series(i);
        write_csv(&s, dir.path().join(format!("{}.csv", s.ticker))).unwrap();
    }
    std::fs::write(
        dir.path().join("AST001.csv"),
        "date,close\n2015-01-02,abc\n",
    )
    .unwrap();
    let loaded = load_folder(dir.path(), 2).unwrap();
    assert_eq!(loaded[0].as_ref().unwrap(), &market.series(0));
    assert!(
        matches!(
            &loaded[1],
            Err(SeriesError::Csv {
                line: 2,
                field: "close",
                ..
            })
        ),
        "{:?}",
        loaded[1]
    );
    assert_eq!(loaded[2].as_ref().unwrap(), &market.series(2));
}
