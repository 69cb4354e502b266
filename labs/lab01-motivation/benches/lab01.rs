//! Benchmarks of lab 01: `cargo bench -p lab01`. For a fast pass, or only some benchmarks,
//! name the bench target: `cargo bench -p lab01 --bench lab01 -- --quick price_mc_parallel`.
//!
//! What criterion prints, for each benchmark: `time: [low estimate high]`, the time of one
//! *iteration* (one call of the function: 2^20 or 2^22 paths, or a whole book), and, because
//! the three pricing groups set `Throughput::Elements(paths)`, `thrpt: [low estimate high]` in
//! paths per second (`Melem/s`: millions of paths per second). Neither is a time per path:
//! ns per path = 1000 / (the `thrpt` estimate in Melem/s), or the `time` divided by the
//! paths of one call. The speedup is not printed either: divide two times yourself.
//!
//! - `price_mc/paths`: one call of `price_mc`, 2^20 = 1,048,576 paths, on one thread.
//! - `price_mc_parallel/threads/n`: one call of `price_mc_parallel`, 2^22 = 4,194,304
//!   paths, on n threads; the speedup on n threads is the time for 1 divided by the time
//!   for n.
//! - `price_book/options`: a book of 256 options × 16,384 paths (4,194,304 paths) on
//!   rayon's pool (all cores unless `RAYON_NUM_THREADS` says otherwise).
//! - `calibration/threads/n`: the grader's calibration kernel (`finance::timing`) on n
//!   threads, with no paths (its throughput is not set): its time for 1 divided by its time
//!   for n is what this machine delivers right now, the speedup to compare yours with.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use finance::bs::Contract;
use std::hint::black_box;

const SEED: u64 = 2024;

fn lecture_call() -> Contract {
    Contract::call(100.0, 100.0, 0.05, 0.2, 1.0)
}

/// The logical cores, from the standard library rather than from `lab01::cores` (task code):
/// a run filtered to one benchmark must not need another task done.
fn logical_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn sequential(c: &mut Criterion) {
    const PATHS: u64 = 1 << 20;
    let call = lecture_call();
    let mut g = c.benchmark_group("price_mc");
    g.throughput(Throughput::Elements(PATHS));
    g.bench_function("paths", |b| {
        b.iter(|| lab01::price_mc(black_box(&call), PATHS, SEED))
    });
    g.finish();
}

fn parallel(c: &mut Criterion) {
    const PATHS: u64 = 1 << 22;
    let call = lecture_call();
    let logical = logical_cores();
    let mut g = c.benchmark_group("price_mc_parallel");
    g.throughput(Throughput::Elements(PATHS));
    let mut counts: Vec<usize> = vec![1, 2, 4, logical];
    counts.sort_unstable();
    counts.dedup();
    for threads in counts {
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &n| {
            b.iter(|| lab01::price_mc_parallel(black_box(&call), PATHS, SEED, n))
        });
    }
    g.finish();
}

fn book(c: &mut Criterion) {
    const OPTIONS: usize = 256;
    const PATHS_EACH: u64 = 16_384;
    let contracts: Vec<Contract> = (0..OPTIONS)
        .map(|i| {
            let strike = 80.0 + (i % 41) as f64;
            let vol = 0.1 + 0.05 * (i % 7) as f64;
            if i % 2 == 0 {
                Contract::call(100.0, strike, 0.03, vol, 1.0)
            } else {
                Contract::put(100.0, strike, 0.03, vol, 1.0)
            }
        })
        .collect();
    let mut g = c.benchmark_group("price_book");
    g.throughput(Throughput::Elements(OPTIONS as u64 * PATHS_EACH));
    g.sample_size(20);
    g.bench_function("options", |b| {
        b.iter(|| lab01::price_book(black_box(&contracts), PATHS_EACH, SEED))
    });
    g.finish();
}

/// What the machine delivers: the grader's calibration kernel on 1 thread and on every core.
fn calibration(c: &mut Criterion) {
    let logical = logical_cores();
    let mut g = c.benchmark_group("calibration");
    g.sample_size(10);
    let mut counts = vec![1, logical];
    counts.dedup();
    for threads in counts {
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &n| {
            b.iter(|| finance::timing::calibration_kernel(n))
        });
    }
    g.finish();
}

criterion_group!(benches, sequential, parallel, book, calibration);
criterion_main!(benches);
