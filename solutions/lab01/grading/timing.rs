//! The timing program of lab 01, compiled by `cargo xtask grade` in release mode against the
//! student's code and against the reference solution (docs/AUTHORING.md).
//!
//! Workloads (each sequential run takes 0.1–0.5 s on one core of the course machine):
//! - `price_mc`: one call, 30 M paths. `seq` calls `price_mc`; `par` calls
//!   `price_mc_parallel` with the requested threads.
//! - `price_book`: 2 000 options × 16 384 paths in a rayon pool of 1 thread (`seq`) or of
//!   the requested threads (`par`).
//!
//! Inputs are built here, not taken from the student's crate, so both builds time the same
//! work. Try it: `cd solutions && cargo run --release -p lab01
//! --example lab01-timing -- price_mc par 2 5`.

use finance::bs::Contract;
use parlab_harness::{Request, Workload};
use std::hint::black_box;

/// 30 M paths: about 0.2 s on one core (1 831 blocks, the last one partial).
const MC_PATHS: u64 = 30_000_000;
/// 2 000 options of one block each: about 0.2 s on one core.
const BOOK_OPTIONS: usize = 2_000;
const BOOK_PATHS: u64 = 16_384;
const SEED: u64 = 2024;

/// A book of calls and puts across strikes, volatilities and expiries.
fn book(n: usize) -> Vec<Contract> {
    (0..n)
        .map(|i| {
            let strike = 80.0 + (i % 41) as f64;
            let vol = 0.1 + 0.05 * (i % 7) as f64;
            let expiry = 0.25 * (1 + i % 8) as f64;
            if i % 2 == 0 {
                Contract::call(100.0, strike, 0.03, vol, expiry)
            } else {
                Contract::put(100.0, strike, 0.03, vol, expiry)
            }
        })
        .collect()
}

fn prepare(req: &Request) -> Option<Workload> {
    let threads = if req.is_sequential() {
        1
    } else {
        req.threads.max(1)
    };
    match req.workload.as_str() {
        "price_mc" => {
            let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
            if req.is_sequential() {
                Some(Box::new(move || {
                    black_box(lab01::price_mc(&c, MC_PATHS, SEED).ok());
                }))
            } else {
                Some(Box::new(move || {
                    black_box(lab01::price_mc_parallel(&c, MC_PATHS, SEED, threads).ok());
                }))
            }
        }
        "price_book" => {
            let contracts = book(BOOK_OPTIONS);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("cannot build a rayon thread pool");
            Some(Box::new(move || {
                pool.install(|| black_box(lab01::price_book(&contracts, BOOK_PATHS, SEED).ok()));
            }))
        }
        _ => None,
    }
}

fn main() {
    parlab_harness::main(prepare);
}
