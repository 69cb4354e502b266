//! Hidden tests, task 3: I/O-bound work.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use finance::market::{MarketConfig, simulate};
use finance::series::{PriceSeries, write_csv};
use lab02::fetch::{DataSource, FetchError, SimulatedSource, fetch_all, load_folder};

/// Counts fetches in flight; each fetch waits (inside the fetch) until `target` are in
/// flight together, with a safety timeout.
struct Rendezvous {
    target: usize,
    state: Mutex<(usize, usize, bool, Vec<String>)>, // in flight, most, released, fetched
    changed: Condvar,
}

impl Rendezvous {
    fn new(target: usize) -> Arc<Self> {
        Arc::new(Self {
            target,
            state: Mutex::new((0, 0, false, Vec::new())),
            changed: Condvar::new(),
        })
    }
}

impl DataSource for Rendezvous {
    fn fetch(&self, ticker: &str) -> Result<PriceSeries, FetchError> {
        let mut s = self.state.lock().unwrap();
        s.0 += 1;
        s.1 = s.1.max(s.0);
        s.3.push(ticker.to_string());
        if s.0 >= self.target {
            s.2 = true;
            self.changed.notify_all();
        }
        let (mut s, _) = self
            .changed
            .wait_timeout_while(s, Duration::from_secs(20), |s| !s.2)
            .unwrap();
        s.0 -= 1;
        Err(FetchError::NotFound(format!("{ticker}!")))
    }
}

#[test]
fn fetch_all_with_more_workers_than_tickers() {
    let source = Rendezvous::new(3);
    let results = fetch_all(&["X", "Y", "Z"], Arc::clone(&source), 10);
    let s = source.state.lock().unwrap();
    assert!(s.2, "the three fetches never ran together");
    assert_eq!(s.1, 3);
    assert_eq!(
        results,
        ["X!", "Y!", "Z!"]
            .map(|t| Err(FetchError::NotFound(t.into())))
            .to_vec()
    );
}

#[test]
fn fetch_all_with_one_worker_fetches_one_at_a_time() {
    let source = Rendezvous::new(1);
    let tickers: Vec<String> = (0..12).map(|i| format!("S{i}")).collect();
    let results = fetch_all(&tickers, Arc::clone(&source), 1);
    assert_eq!(results.len(), 12);
    let s = source.state.lock().unwrap();
    assert_eq!(s.1, 1, "one worker, yet fetches overlapped");
    let mut fetched = s.3.clone();
    fetched.sort();
    let mut expected = tickers.clone();
    expected.sort();
    assert_eq!(fetched, expected, "each ticker is fetched exactly once");
}

#[test]
fn fetch_all_with_many_workers_keeps_fifty_in_flight() {
    let source = Rendezvous::new(50);
    let tickers: Vec<String> = (0..120).map(|i| format!("U{i:03}")).collect();
    let results = fetch_all(&tickers, Arc::clone(&source), 50);
    let s = source.state.lock().unwrap();
    assert!(s.2 && s.1 == 50, "most in flight: {}", s.1);
    for (t, r) in tickers.iter().zip(results) {
        assert_eq!(r, Err(FetchError::NotFound(format!("{t}!"))));
    }
}

#[test]
fn fetch_all_of_no_tickers_is_empty() {
    let source = Arc::new(SimulatedSource::new(Duration::from_millis(1)));
    let none: [&str; 0] = [];
    assert!(fetch_all(&none, Arc::clone(&source), 4).is_empty());
    assert_eq!(source.calls(), 0);
}

#[test]
fn fetch_all_fetches_duplicate_tickers_each_time() {
    let source = Arc::new(SimulatedSource::new(Duration::ZERO).with_failing(&["B"]));
    let results = fetch_all(&["A", "B", "A", "B", "C"], Arc::clone(&source), 2);
    assert_eq!(source.calls(), 5);
    assert_eq!(results[0], Ok(source.series("A")));
    assert_eq!(results[2], Ok(source.series("A")));
    assert_eq!(results[1], Err(FetchError::NotFound("B".into())));
    assert_eq!(results[3], Err(FetchError::NotFound("B".into())));
    assert_eq!(results[4], Ok(source.series("C")));
}

#[test]
fn load_folder_of_an_empty_directory_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load_folder(dir.path(), 3).unwrap().is_empty());
}

#[test]
fn load_folder_of_a_missing_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load_folder(&dir.path().join("nope"), 3).is_err());
}

#[test]
fn load_folder_reads_many_files_with_many_workers() {
    let dir = tempfile::tempdir().unwrap();
    let market = simulate(&MarketConfig::new(150, 30, 3));
    for i in 0..150 {
        let s = market.series(i);
        write_csv(&s, dir.path().join(format!("{}.csv", s.ticker))).unwrap();
    }
    let loaded = load_folder(dir.path(), 16).unwrap();
    assert_eq!(loaded.len(), 150);
    for (i, r) in loaded.into_iter().enumerate() {
        assert_eq!(r.unwrap(), market.series(i));
    }
}

#[test]
fn fetch_all_and_load_folder_refuse_zero_workers() {
    let source = Arc::new(SimulatedSource::new(Duration::ZERO));
    let one = fetch_all(&["A"], Arc::clone(&source), 1);
    assert_eq!(one, vec![Ok(source.series("A"))], "one worker fetches A");
    let zero = std::panic::catch_unwind(|| fetch_all(&["A"], Arc::clone(&source), 0));
    assert!(
        zero.is_err(),
        "fetch_all with 0 workers must panic (documented), not run with 1"
    );
    let dir = tempfile::tempdir().unwrap();
    write_csv(&source.series("A"), dir.path().join("A.csv")).unwrap();
    let loaded = load_folder(dir.path(), 1).expect("the folder can be listed");
    assert_eq!(loaded.len(), 1, "one file, one result");
    let zero = std::panic::catch_unwind(|| load_folder(dir.path(), 0));
    assert!(
        zero.is_err(),
        "load_folder with 0 workers must panic (documented), not run with 1"
    );
}
