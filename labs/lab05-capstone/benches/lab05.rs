//! Criterion benchmarks of the engine's CPU stages, each on 1 thread and on every core:
//! `cargo bench -p lab05`. The whole program's figures come from the binary itself
//! (timings.json), see the README's reflection section.

use criterion::{Criterion, criterion_group, criterion_main};
use finance::market::{MarketConfig, simulate};
use indicatif::ProgressBar;
use lab05::returns::{portfolio_returns, risk_inputs};
use lab05::var::{McModel, monte_carlo};

fn stages(c: &mut Criterion) {
    let market = simulate(&MarketConfig::new(20, 1_260, 3));
    let inputs = risk_inputs(&market.prices);
    let weights = vec![0.05; 20];
    let model = McModel::new(&inputs.mean, &inputs.cov, &weights, 1).expect("positive definite");
    let returns = portfolio_returns(&market.prices, &weights);
    let cores = finance::timing::available_cores();
    let mut g = c.benchmark_group("lab05");
    g.sample_size(10);
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_function(format!("monte_carlo_200k_20_assets/{threads}t"), |b| {
            b.iter(|| {
                pool.install(|| monte_carlo(&model, 200_000, 0.99, 1, &ProgressBar::hidden()))
            })
        });
        g.bench_function(format!("bootstrap_1000/{threads}t"), |b| {
            b.iter(|| {
                pool.install(|| {
                    lab05::bootstrap::sharpe_interval(
                        &returns,
                        1_000,
                        0.95,
                        1,
                        &ProgressBar::hidden(),
                    )
                })
            })
        });
    }
    g.bench_function("risk_inputs_20x1260", |b| {
        b.iter(|| risk_inputs(&market.prices))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
