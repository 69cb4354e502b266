//! Lab 02's timing workloads, run by `cargo xtask grade` against the student's code and
//! against this reference (see docs/AUTHORING.md):
//!
//! ```text
//! cd solutions && cargo run --release -p lab02 --example lab02-timing -- parallel_sum par 2 5
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use finance::bs::{Contract, price};
use lab02::counters::{Counter, ShardedCounter, hammer};
use lab02::fetch::{SimulatedSource, fetch_all};
use lab02::pool::ThreadPool;
use lab02::threads::parallel_sum;
use parlab_harness::{Request, Workload};

fn prepare(req: &Request) -> Option<Workload> {
    let threads = if req.is_sequential() { 1 } else { req.threads };
    match req.workload.as_str() {
        // CPU-bound: Black-Scholes prices of a book of calls, summed. "seq" is the
        // student's own parallel_sum on one thread, "par" on all cores.
        "parallel_sum" => {
            let spots: Vec<f64> = (0..1_500_000)
                .map(|i| 50.0 + (i % 1000) as f64 * 0.1)
                .collect();
            Some(Box::new(move || {
                black_box(parallel_sum(&spots, threads, |&s| {
                    price(&Contract::call(s, 100.0, 0.03, 0.25, 1.0))
                }));
            }))
        }
        // I/O-bound: the lecture's 500 fetches of 10 ms with 50 threads (ideal: 100 ms),
        // whatever the number of cores: sleeping threads need none.
        "fetch_all" => {
            let source = Arc::new(SimulatedSource::new(Duration::from_millis(10)));
            let tickers: Vec<String> = (0..500).map(|i| format!("T{i:03}")).collect();
            Some(Box::new(move || {
                black_box(fetch_all(&tickers, Arc::clone(&source), 50));
            }))
        }
        // Contention: every core increments the same sharded counter.
        "sharded_counter" => Some(Box::new(move || {
            let counter = ShardedCounter::new(threads);
            hammer(&counter, threads, 20_000_000 / threads as u64);
            black_box(counter.get());
        })),
        // Pool overhead: 200,000 tasks that do nothing, on one worker per core.
        "pool_overhead" => {
            let pool = ThreadPool::new(threads);
            Some(Box::new(move || {
                black_box(pool.map(0..200_000u64, |x| x));
            }))
        }
        _ => None,
    }
}

fn main() {
    parlab_harness::main(prepare);
}
