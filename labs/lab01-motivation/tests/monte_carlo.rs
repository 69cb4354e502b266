//! Task 3: Monte Carlo pricing on one thread (`price_mc`) and on many
//! (`price_mc_parallel`), with results that do not depend on the number of threads.
//!
//! Run: `cargo test -p lab01 --test monte_carlo`.
//!
//! Tolerances: an estimate lies within 4 standard errors of the exact price unless
//! something is wrong (or with probability 6e-5 by bad luck; the seeds are fixed, so a
//! correct solution passes every time).

use finance::bs::{self, Contract};
use finance::mc::{BLOCK_PATHS, Estimate, McError, block_count};
use lab01::{PriceError, price_mc, price_mc_parallel};

/// The lecture's option: S = 100, K = 100, r = 5%, σ = 20%, T = 1 year.
fn lecture_call() -> Contract {
    Contract::call(100.0, 100.0, 0.05, 0.2, 1.0)
}

/// Equal bit for bit (unlike `==`, also when the standard error is NaN).
fn same_bits(a: &Estimate, b: &Estimate) -> bool {
    a.value.to_bits() == b.value.to_bits() && a.std_error.to_bits() == b.std_error.to_bits()
}

fn assert_near_black_scholes(est: &Estimate, c: &Contract) {
    let exact = bs::price(c);
    let z = (est.value - exact) / est.std_error;
    assert!(
        z.abs() < 4.0,
        "estimate {} ± {} is {z:.1} standard errors from Black-Scholes {exact}",
        est.value,
        est.std_error
    );
}

#[test]
fn price_mc_is_within_4_standard_errors_of_black_scholes() {
    let c = lecture_call();
    let est = price_mc(&c, 200_000, 2024).unwrap();
    assert_near_black_scholes(&est, &c);
    // 200 000 paths: the standard error is about 14.7 / √200 000 ≈ 0.033.
    assert!(
        est.std_error > 0.02 && est.std_error < 0.05,
        "std_error {}",
        est.std_error
    );
}

#[test]
fn price_mc_prices_a_put() {
    let put = Contract::put(100.0, 110.0, 0.03, 0.25, 0.5);
    let est = price_mc(&put, 200_000, 11).unwrap();
    assert_near_black_scholes(&est, &put);
}

#[test]
fn bit_identical_for_1_2_3_8_threads() {
    // 200 000 = 12 full blocks of 16 384 + 3 392: 13 blocks, the last one partial. The
    // threads share out blocks, not paths, and 13 blocks divide by none of 2, 3 or 8: every
    // thread count gets unequal shares (7 + 6, 5 + 4 + 4, 2 2 2 2 2 1 1 1). (The path count
    // itself divides by 2 and 8; that is beside the point, since no thread ever gets
    // "paths / threads" paths.)
    let c = lecture_call();
    let paths = 200_000;
    assert_ne!(paths % BLOCK_PATHS, 0, "the last block must be partial");
    let blocks = block_count(paths);
    assert_eq!(blocks, 13);
    for threads in [2, 3, 8] {
        assert_ne!(
            blocks % threads,
            0,
            "{threads} threads must get unequal shares"
        );
    }
    let sequential = price_mc(&c, paths, 99).unwrap();
    for threads in [1, 2, 3, 8] {
        let parallel = price_mc_parallel(&c, paths, 99, threads).unwrap();
        assert!(
            same_bits(&parallel, &sequential),
            "{threads} threads: {parallel:?}, one thread (price_mc): {sequential:?}"
        );
    }
}

#[test]
fn parallel_put_is_within_4_standard_errors_of_black_scholes() {
    let put = Contract::put(42.0, 40.0, 0.10, 0.20, 0.5); // Hull, Example 15.6: 0.81
    let est = price_mc_parallel(&put, 200_000, 5, 2).unwrap();
    assert_near_black_scholes(&est, &put);
}

#[test]
fn zero_paths_is_an_error() {
    let c = lecture_call();
    assert_eq!(price_mc(&c, 0, 1), Err(McError::ZeroPaths));
    assert_eq!(
        price_mc_parallel(&c, 0, 1, 2),
        Err(PriceError::Mc(McError::ZeroPaths))
    );
}

#[test]
fn zero_threads_is_an_error() {
    assert_eq!(
        price_mc_parallel(&lecture_call(), 1_000, 1, 0),
        Err(PriceError::ZeroThreads)
    );
}

#[test]
fn invalid_contract_is_an_error() {
    let bad = Contract::call(100.0, 100.0, 0.05, -0.2, 1.0); // negative volatility
    assert!(matches!(
        price_mc(&bad, 1_000, 1),
        Err(McError::InvalidContract(_))
    ));
    assert!(matches!(
        price_mc_parallel(&bad, 1_000, 1, 2),
        Err(PriceError::Mc(McError::InvalidContract(_)))
    ));
}

#[test]
fn more_threads_than_blocks_works() {
    // 20 000 paths are 2 blocks; 8 threads must not break anything.
    let c = lecture_call();
    let sequential = price_mc(&c, 20_000, 3).unwrap();
    let parallel = price_mc_parallel(&c, 20_000, 3, 8).unwrap();
    assert!(
        same_bits(&parallel, &sequential),
        "{parallel:?} vs {sequential:?}"
    );
}
