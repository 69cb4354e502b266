//! The timing program of lab 04 (see docs/AUTHORING.md): builds each workload, the harness
//! times it. Compiled once against the student's code and once against the reference.
//!
//! `cd solutions && cargo run --release -p lab04 --example lab04-timing -- backtest par 2 5`
//!
//! Workloads, each a realistic size, "seq" on a one-thread rayon pool, "par" on `threads`:
//!
//! | workload | what |
//! |---|---|
//! | `backtest` | `backtest_grid` on the lecture's grid (7,830 pairs x 2,520 days), 8 price series |
//! | `bootstrap` | `bootstrap_sharpe`, 40,000 i.i.d. resamples of 2,520 returns |
//! | `correlation` | `correlation` of 500 assets x 2,520 days, 4 times |
//! | `var` | `mc_var`, 4 million scenarios x 10 assets |
//! | `fetch` | `fetch_universe`, 500 tickers from a 20 ms server with 50 workers |
//! | `cv` | `cv_backtest` of the lecture's grid, CPCV with N = 6, k = 2 (15 splits), 4 price series |

use std::hint::black_box;
use std::time::Duration;

use finance::linalg::{Matrix, covariance};
use finance::market::{MarketConfig, simulate};
use lab04::backtest::{Grid, backtest_grid};
use lab04::bootstrap::{BootstrapConfig, Resampling, bootstrap_sharpe};
use lab04::correlation::correlation;
use lab04::cv::{CvConfig, cv_backtest};
use lab04::fetch::fetch_universe;
use lab04::var::{VarConfig, mc_var};
use parlab_harness::{Request, Workload};

// The fetch workload runs against the given `market-server` crate, the same for every student.
use market_server as server;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .expect("a rayon pool")
}

fn prepare(req: &Request) -> Option<Workload> {
    let threads = if req.is_sequential() { 1 } else { req.threads };
    match req.workload.as_str() {
        "backtest" => {
            let market = simulate(&MarketConfig::new(8, 2520, 41));
            let series: Vec<Vec<f64>> = (0..8).map(|i| market.prices.column(i)).collect();
            let pool = pool(threads);
            Some(Box::new(move || {
                pool.install(|| {
                    for prices in &series {
                        black_box(backtest_grid(prices, &Grid::LECTURE));
                    }
                })
            }))
        }
        "bootstrap" => {
            let returns = simulate(&MarketConfig::new(1, 2521, 42))
                .returns()
                .column(0);
            let cfg = BootstrapConfig {
                resamples: 40_000,
                seed: 7,
                scheme: Resampling::Iid,
                confidence: 0.95,
            };
            let pool = pool(threads);
            Some(Box::new(move || {
                black_box(pool.install(|| bootstrap_sharpe(&returns, &cfg)));
            }))
        }
        "correlation" => {
            let returns = simulate(&MarketConfig::new(500, 2521, 43)).returns();
            let pool = pool(threads);
            Some(Box::new(move || {
                pool.install(|| {
                    for _ in 0..4 {
                        black_box(correlation(&returns));
                    }
                })
            }))
        }
        "var" => {
            let (weights, cov) = portfolio();
            let cfg = VarConfig {
                scenarios: 4_000_000,
                seed: 11,
                confidence: 0.99,
            };
            let pool = pool(threads);
            Some(Box::new(move || {
                black_box(pool.install(|| mc_var(&weights, &cov, 1e6, &cfg)).ok());
            }))
        }
        "cv" => {
            let market = simulate(&MarketConfig::new(4, 2520, 46));
            let series: Vec<Vec<f64>> = (0..4).map(|i| market.prices.column(i)).collect();
            let cfg = CvConfig {
                groups: 6,
                test_groups: 2,
                horizon: 1,
                embargo: 200,
            };
            let pool = pool(threads);
            Some(Box::new(move || {
                pool.install(|| {
                    for prices in &series {
                        black_box(cv_backtest(prices, &Grid::LECTURE, &cfg).ok());
                    }
                })
            }))
        }
        "fetch" => {
            let cfg = server::ServerConfig {
                latency: Duration::from_millis(20),
                ..server::ServerConfig::new(500, 252, 44)
            };
            let server = server::MarketServer::start(cfg).ok()?;
            let tickers = server.tickers().to_vec();
            Some(Box::new(move || {
                let got = fetch_universe(server.addr(), &tickers, 50);
                assert!(got.values().all(Result::is_ok), "every ticker is served");
                black_box(got);
            }))
        }
        _ => None,
    }
}

/// Ten assets from the simulated market, equally weighted; the covariance of their daily
/// log returns over ten years.
fn portfolio() -> (Vec<f64>, Matrix) {
    let market = simulate(&MarketConfig::new(10, 2520, 45));
    (vec![0.1; 10], covariance(&market.log_returns()))
}

fn main() {
    parlab_harness::main(prepare);
}
