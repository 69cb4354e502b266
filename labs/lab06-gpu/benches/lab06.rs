//! Criterion benchmarks of lab 06: the search on the CPU (1 thread and every core) and on the
//! GPU, and Monte Carlo payoffs on both: `cargo bench -p lab06`.

use criterion::{Criterion, criterion_group, criterion_main};
use finance::bs::Contract;
use lab06::Gpu;
use lab06::mc::{self, Launch};
use lab06::search::{self, GpuSearch, random_vectors};

fn benches(c: &mut Criterion) {
    let gpu = Gpu::from_env().expect("no GPU adapter");
    println!("{}", gpu.summary());
    let (m, q, dim) = (4096, 1024, 64);
    let existing = random_vectors(m, dim, 1);
    let queries = random_vectors(q, dim, 2);
    let mut g = c.benchmark_group("lab06");
    g.sample_size(10);
    for threads in [1, finance::timing::available_cores()] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_function(format!("search_cpu_4096x1024x64/{threads}t"), |b| {
            b.iter(|| pool.install(|| search::nearest_cpu(&existing, &queries, dim)))
        });
    }
    let s = GpuSearch::new(&gpu, &existing, dim).expect("search");
    g.bench_function("search_gpu_4096x1024x64", |b| {
        b.iter(|| s.chunk(&gpu, &queries))
    });
    let contract = Contract::call(100.0, 105.0, 0.03, 0.25, 1.0);
    g.bench_function("european_cpu_1m_paths", |b| {
        b.iter(|| mc::european_payoffs_cpu(&contract, 1 << 20, 1))
    });
    g.bench_function("european_gpu_1m_paths", |b| {
        b.iter(|| mc::european_payoffs_gpu(&gpu, &contract, 1 << 20, 1, &Launch::default()))
    });
    g.finish();
}

criterion_group!(lab06, benches);
criterion_main!(lab06);
