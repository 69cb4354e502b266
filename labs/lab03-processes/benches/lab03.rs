//! Benchmarks of lab 03: what a process pool costs, and when it pays.
//!
//! ```sh
//! cargo bench -p lab03                      # everything, a few minutes
//! cargo bench -p lab03 -- startup           # one group
//! ```
//!
//! * `startup`: a pool started, one task per worker answered, the pool dropped.
//! * `dispatch`: 100,000 trivial tasks at chunk sizes 1 to 10,000: the per-task overhead.
//! * `break_even`: tasks that keep a core busy for 1, 10 or 100 µs, in this process and on
//!   the pool (chunk sizes 1 and 100): from which task length does the pool win?
//! * `primes`: is i prime for i in 0..1,000,000 (unequal tasks): a loop, rayon, and the pool
//!   with dynamic and static chunks.
//! * `equal_cpu`: is 9,999,991 prime, 100,000 times: a loop, rayon, the pool.
//! * `serialization`: the mean of each chunk of 1e7 floats, in 1,000 or 100,000 chunks: in
//!   this process, or sent to the pool.
//!
//! Pools are started outside the timed loop except in `startup`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lab03::pool::{ProcessPool, WorkerCommand, python_chunksize};
use lab03::task::{Task, is_prime, mean};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A pool of one worker per core. Each benchmark starts its own inside its closure, which
/// criterion calls only when that benchmark is selected: a run filtered to one group
/// (`-- primes`) never runs another group's code, and a pool's start is never timed.
fn pool() -> ProcessPool {
    ProcessPool::new(cores(), worker()).expect("the worker pool starts")
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    for workers in [1, 2] {
        let tasks = vec![Task::Pid; workers];
        g.bench_function(BenchmarkId::new("start_run_drop", workers), |b| {
            b.iter(|| {
                let mut pool = ProcessPool::new(workers, worker()).unwrap();
                black_box(pool.map(&tasks, 1).unwrap());
            })
        });
    }
    g.finish();
}

fn dispatch(c: &mut Criterion) {
    let mut g = c.benchmark_group("dispatch");
    const N: u64 = 100_000;
    g.throughput(Throughput::Elements(N));
    let tasks: Vec<Task> = (0..N).map(|i| Task::IsPrime(i % 4)).collect();
    for chunksize in [1, 10, 100, 1_000, 10_000] {
        g.bench_function(BenchmarkId::new("trivial_tasks", chunksize), |b| {
            let mut pool = pool();
            b.iter(|| black_box(pool.map(&tasks, chunksize).unwrap()))
        });
    }
    g.finish();
}

fn break_even(c: &mut Criterion) {
    let mut g = c.benchmark_group("break_even");
    for micros in [1, 10, 100] {
        let n = (200_000 / micros) as usize;
        let tasks = vec![Task::Spin { micros }; n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("in_process", micros), |b| {
            b.iter(|| tasks.iter().for_each(|t| drop(black_box(t.run()))))
        });
        for chunksize in [1, 100] {
            g.bench_function(
                BenchmarkId::new(format!("pool_chunk_{chunksize}"), micros),
                |b| {
                    let mut pool = pool();
                    b.iter(|| black_box(pool.map(&tasks, chunksize).unwrap()))
                },
            );
        }
    }
    g.finish();
}

fn primes(c: &mut Criterion) {
    let mut g = c.benchmark_group("primes");
    const N: u64 = 1_000_000;
    let workers = cores();
    let tasks: Vec<Task> = (0..N).map(Task::IsPrime).collect();
    g.bench_function("sequential", |b| {
        b.iter(|| (0..N).filter(|&n| is_prime(black_box(n))).count())
    });
    g.bench_function("rayon", |b| {
        b.iter(|| (0..N).into_par_iter().filter(|&n| is_prime(n)).count())
    });
    let contiguous = (N as usize).div_ceil(workers);
    g.bench_function(BenchmarkId::new("pool_dynamic", 10_000), |b| {
        let mut pool = pool();
        b.iter(|| black_box(pool.map(&tasks, 10_000).unwrap()))
    });
    g.bench_function(BenchmarkId::new("pool_dynamic", "python_chunksize"), |b| {
        let chunksize = python_chunksize(N as usize, workers);
        let mut pool = pool();
        b.iter(|| black_box(pool.map(&tasks, chunksize).unwrap()))
    });
    for chunksize in [10_000, contiguous] {
        g.bench_function(BenchmarkId::new("pool_static", chunksize), |b| {
            let mut pool = pool();
            b.iter(|| black_box(pool.map_static(&tasks, chunksize).unwrap()))
        });
    }
    g.finish();
}

fn equal_cpu(c: &mut Criterion) {
    let mut g = c.benchmark_group("equal_cpu");
    const N: usize = 100_000;
    let workers = cores();
    let tasks = vec![Task::IsPrime(9_999_991); N];
    g.bench_function("sequential", |b| {
        b.iter(|| (0..N).filter(|_| is_prime(black_box(9_999_991))).count())
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            (0..N)
                .into_par_iter()
                .filter(|_| is_prime(black_box(9_999_991)))
                .count()
        })
    });
    g.bench_function("pool", |b| {
        let mut pool = pool();
        b.iter(|| black_box(pool.map(&tasks, python_chunksize(N, workers)).unwrap()))
    });
    g.finish();
}

fn serialization(c: &mut Criterion) {
    let mut g = c.benchmark_group("serialization");
    let data: Vec<f64> = (0..10_000_000).map(|i| (i % 1000) as f64).collect();
    let workers = cores();
    for chunks in [1_000, 100_000] {
        let len = data.len() / chunks;
        g.bench_function(BenchmarkId::new("in_process", chunks), |b| {
            b.iter(|| data.chunks(len).map(mean).collect::<Vec<_>>())
        });
        let tasks: Vec<Task> = data.chunks(len).map(|c| Task::Mean(c.to_vec())).collect();
        g.bench_function(BenchmarkId::new("pool", chunks), |b| {
            let mut pool = pool();
            b.iter(|| black_box(pool.map(&tasks, python_chunksize(chunks, workers)).unwrap()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = startup, dispatch, break_even, primes, equal_cpu, serialization
}
criterion_main!(benches);
