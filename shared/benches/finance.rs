//! Benchmarks of the `finance` primitives: `cargo bench -p finance` (add `-- --quick` for a
//! fast pass, or a name filter such as `-- mc/european`).
//!
//! The figures to watch: `bs/price` (goal: under 50 ns) and `mc/european` in elements per
//! second, i.e. samples per second (goal: at most 5 ns per path on one core). `mc_floor`
//! times the pieces of a European path apart, per path: the generator alone (one 64-bit
//! draw), the normal transform alone (the ziggurat's fast path on draws made beforehand),
//! the payoff alone (exponential, max and sums on normals drawn beforehand, every path), and
//! both first two together (`Ziggurat::sample`, as `mc::european_block` draws). The sum of the
//! three pieces is the floor that `mc/european` is compared with (`european_block` computes
//! the exponential only for paths that can pay, so it may beat that sum).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use finance::bs::{self, Barrier, BarrierKind, Contract};
use finance::{fastmath, mc, normal, rng, ziggurat::Ziggurat};
use rand::RngExt;
use rand_distr::StandardNormal;
use std::hint::black_box;

fn closed_forms(c: &mut Criterion) {
    let call = Contract::call(100.0, 105.0, 0.03, 0.25, 0.75).with_dividend(0.01);
    let call_price = bs::price(&call);
    let barrier = Barrier {
        kind: BarrierKind::DownOut,
        level: 90.0,
        rebate: 1.0,
    };

    let mut g = c.benchmark_group("bs");
    g.bench_function("price", |b| b.iter(|| bs::price(black_box(&call))));
    g.bench_function("greeks", |b| b.iter(|| bs::greeks(black_box(&call))));
    g.bench_function("implied_vol", |b| {
        b.iter(|| bs::implied_vol(black_box(&call), black_box(call_price)))
    });
    g.bench_function("asian_geometric", |b| {
        b.iter(|| bs::asian_geometric(black_box(&call), black_box(12)))
    });
    g.bench_function("barrier", |b| {
        b.iter(|| bs::barrier(black_box(&call), black_box(&barrier)))
    });
    g.finish();

    let mut g = c.benchmark_group("normal");
    g.bench_function("cdf", |b| b.iter(|| normal::cdf(black_box(-1.3))));
    g.bench_function("inv_cdf", |b| b.iter(|| normal::inv_cdf(black_box(0.03))));
    g.finish();
}

fn random_numbers(c: &mut Criterion) {
    const N: u64 = 1 << 16;
    let mut g = c.benchmark_group("rng");
    g.throughput(Throughput::Elements(N));
    let mut stream = rng::stream(1, 0);
    g.bench_function("u64", |b| {
        b.iter(|| (0..N).fold(0u64, |acc, _| acc ^ stream.next_u64()))
    });
    g.bench_function("standard_normal", |b| {
        b.iter(|| {
            (0..N)
                .map(|_| stream.sample::<f64, _>(StandardNormal))
                .sum::<f64>()
        })
    });
    g.finish();
}

fn monte_carlo(c: &mut Criterion) {
    // Four blocks: long enough to amortise the per-block set-up, as in real use.
    const PATHS: u64 = 4 * mc::BLOCK_PATHS;
    let call = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
    let plain = mc::McConfig::new(PATHS, 42);
    let antithetic = plain.with_antithetic();

    let mut g = c.benchmark_group("mc");
    // Throughput in samples: criterion reports time per sample as "time / elements".
    g.throughput(Throughput::Elements(PATHS));
    g.bench_function("european", |b| {
        b.iter(|| mc::european(black_box(&call), &plain))
    });
    g.bench_function("european_antithetic", |b| {
        b.iter(|| mc::european(black_box(&call), &antithetic))
    });

    // Path-dependent payoffs: the throughput is in simulated steps (normals) instead.
    const STEPS: usize = 16;
    const SHORT: u64 = mc::BLOCK_PATHS;
    let short = mc::McConfig::new(SHORT, 42);
    let barrier = Barrier {
        kind: BarrierKind::UpOut,
        level: 130.0,
        rebate: 0.0,
    };
    g.throughput(Throughput::Elements(SHORT * STEPS as u64));
    g.bench_function("asian_arithmetic_cv_per_step", |b| {
        b.iter(|| mc::asian_arithmetic(black_box(&call), STEPS, &short, true))
    });
    g.bench_function("barrier_per_step", |b| {
        b.iter(|| mc::barrier(black_box(&call), &barrier, STEPS, &short))
    });
    g.finish();
}

/// The pieces of a European path, each alone, per path (see the module documentation).
fn monte_carlo_floor(c: &mut Criterion) {
    const N: usize = 1 << 16;
    let normal = Ziggurat::new();
    let mut stream = rng::stream(1, 0);
    let bits: Vec<u64> = (0..N).map(|_| stream.next_u64()).collect();
    let z: Vec<f64> = (0..N).map(|_| normal.sample(&mut stream)).collect();

    let mut g = c.benchmark_group("mc_floor");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("generator", |b| {
        b.iter(|| (0..N).fold(0u64, |acc, _| acc ^ stream.next_u64()))
    });
    g.bench_function("normal_transform", |b| {
        b.iter(|| fast_path_sum(&normal, black_box(&bits)))
    });
    g.bench_function("payoff", |b| b.iter(|| payoff_sum(black_box(&z))));
    g.bench_function("generator_and_normal_transform", |b| {
        b.iter(|| (0..N).map(|_| normal.sample(&mut stream)).sum::<f64>())
    });
    g.finish();
}

/// The ziggurat's fast path on every draw of `bits`: the sum of the accepted values.
fn fast_path_sum(normal: &Ziggurat, bits: &[u64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn avx2(normal: &Ziggurat, bits: &[u64]) -> f64 {
        kernel(normal, bits)
    }
    #[inline(always)]
    fn kernel(normal: &Ziggurat, bits: &[u64]) -> f64 {
        let mut s = [0.0; 8];
        for b in bits.as_chunks::<8>().0 {
            for (s, &b) in s.iter_mut().zip(b) {
                let (x, accepted) = normal.fast_path(b);
                *s += if accepted { x } else { 0.0 };
            }
        }
        s.iter().sum()
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { avx2(normal, bits) };
    }
    kernel(normal, bits)
}

/// The payoff of a European call (S = K = 100, r = 5%, σ = 20%, T = 1) for each normal of
/// `z`, summed with its square in eight partial sums, as `mc::european_block` does.
fn payoff_sum(z: &[f64]) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn avx2(z: &[f64]) -> (f64, f64) {
        kernel(z)
    }
    #[inline(always)]
    fn kernel(z: &[f64]) -> (f64, f64) {
        let (log_fwd, vol_sqrt_t, strike) = (100f64.ln() + 0.03, 0.2, 100.0);
        let (mut s, mut s2) = ([0.0; 8], [0.0; 8]);
        for z in z.as_chunks::<8>().0 {
            for k in 0..8 {
                let x = (fastmath::exp(log_fwd + vol_sqrt_t * z[k]) - strike).max(0.0);
                s[k] += x;
                s2[k] += x * x;
            }
        }
        (s.iter().sum(), s2.iter().sum())
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { avx2(z) };
    }
    kernel(z)
}

criterion_group!(
    benches,
    closed_forms,
    random_numbers,
    monte_carlo,
    monte_carlo_floor
);
criterion_main!(benches);
