//! Lab 02 benchmarks, beside the lecture's Python figures (README, "Measured results").
//!
//! ```text
//! cargo bench -p lab02                 # everything (about two minutes)
//! cargo bench -p lab02 -- counters     # one group
//! ```
//!
//! Criterion reports time per iteration and, where a throughput is set, elements per
//! second; the README divides to get nanoseconds per increment or per task.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use finance::bs::{Contract, price};
use lab02::counters::{
    AtomicCounter, Counter, LockCounter, MutexCounter, RacyCounter, ShardedCounter, hammer,
};
use lab02::fetch::{SimulatedSource, fetch_all};
use lab02::pool::ThreadPool;
use lab02::threads::parallel_sum;

/// The lecture's race demo: 4 threads, 100,000 increments each.
const THREADS: usize = 4;
const PER_THREAD: u64 = 100_000;

fn counters(c: &mut Criterion) {
    let mut group = c.benchmark_group("counters");
    group.throughput(Throughput::Elements(THREADS as u64 * PER_THREAD));
    group.sample_size(20);
    let run = |counter: &dyn Counter| {
        hammer(counter, THREADS, PER_THREAD);
        black_box(counter.get());
    };
    group.bench_function("racy_load_store", |b| b.iter(|| run(&RacyCounter::new())));
    group.bench_function("std_mutex", |b| b.iter(|| run(&MutexCounter::new())));
    group.bench_function("parking_lot", |b| b.iter(|| run(&LockCounter::new())));
    group.bench_function("atomic_fetch_add", |b| {
        b.iter(|| run(&AtomicCounter::new()))
    });
    group.bench_function("sharded", |b| b.iter(|| run(&ShardedCounter::new(THREADS))));
    group.finish();
}

fn pool(c: &mut Criterion) {
    let mut group = c.benchmark_group("pool");
    // Per-task overhead: 10,000 tasks that do nothing, on 2 workers kept busy by `map`. Each
    // benchmark starts its pool inside its own closure, which criterion calls only when the
    // benchmark is selected: a run filtered to another task's benchmark never needs the pool.
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("map_10000_trivial_tasks", |b| {
        let pool = ThreadPool::new(2);
        b.iter(|| black_box(pool.map(0..10_000u64, |x| x)))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("submit_join_one_task", |b| {
        let pool = ThreadPool::new(2);
        b.iter(|| black_box(pool.submit(|| 1u64).join()))
    });
    // Python's pool_overhead row: start a 2-worker pool, run 2 trivial tasks, shut down.
    group.bench_function("start_2_tasks_shutdown", |b| {
        b.iter(|| {
            let pool = ThreadPool::new(2);
            let handles = [pool.submit(|| 1u64), pool.submit(|| 2u64)];
            for h in handles {
                black_box(h.join().ok());
            }
        })
    });
    group.finish();
}

fn fetch(c: &mut Criterion) {
    let mut group = c.benchmark_group("fetch");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    // The lecture's example d): 500 tickers, 10 ms each, 50 threads; ideal 100 ms.
    let source = Arc::new(SimulatedSource::new(Duration::from_millis(10)));
    let tickers: Vec<String> = (0..500).map(|i| format!("T{i:03}")).collect();
    group.bench_function("500_fetches_10ms_50_workers", |b| {
        b.iter(|| black_box(fetch_all(&tickers, Arc::clone(&source), 50)))
    });
    group.finish();
}

fn cpu_bound(c: &mut Criterion) {
    let mut group = c.benchmark_group("parallel_sum");
    // A book of 200,000 calls priced with Black-Scholes: CPU-bound, no shared state.
    let spots: Vec<f64> = (0..200_000)
        .map(|i| 50.0 + (i % 1000) as f64 * 0.1)
        .collect();
    group.throughput(Throughput::Elements(spots.len() as u64));
    for threads in [1, 2, 4] {
        group.bench_with_input(BenchmarkId::new("bs_book", threads), &threads, |b, &t| {
            b.iter(|| {
                parallel_sum(&spots, t, |&s| {
                    price(&Contract::call(s, 100.0, 0.03, 0.25, 1.0))
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, counters, pool, fetch, cpu_bound);
criterion_main!(benches);
