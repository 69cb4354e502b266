//! Hidden tests, task 3: the block scheme at its edges.

use finance::bs::{self, Contract};
use finance::mc::{self, BLOCK_PATHS, Estimate, McConfig, McError};
use lab01::{PriceError, price_mc, price_mc_parallel};

fn call() -> Contract {
    Contract::call(100.0, 100.0, 0.05, 0.2, 1.0)
}

fn same_bits(a: &Estimate, b: &Estimate) -> bool {
    a.value.to_bits() == b.value.to_bits() && a.std_error.to_bits() == b.std_error.to_bits()
}

fn assert_same(a: &Estimate, b: &Estimate, what: &str) {
    assert!(same_bits(a, b), "{what}: {a:?} vs {b:?}");
}

#[test]
fn price_mc_equals_finance_european_bit_for_bit() {
    let put = Contract::put(95.0, 100.0, 0.01, 0.35, 2.0).with_dividend(0.02);
    for (c, paths, seed) in [
        (call(), 1, 0),
        (call(), BLOCK_PATHS, 1),
        (call(), 3 * BLOCK_PATHS + 17, 2),
        (put, 100_000, u64::MAX),
    ] {
        let reference = mc::european(&c, &McConfig::new(paths, seed)).unwrap();
        assert_same(
            &price_mc(&c, paths, seed).unwrap(),
            &reference,
            &format!("{paths} paths, seed {seed}"),
        );
    }
}

#[test]
fn parallel_keeps_the_remainder_paths() {
    // 5 blocks and 777 paths more: the partial last block must be simulated, by every
    // thread count, whether or not it divides the blocks or the paths.
    let paths = 5 * BLOCK_PATHS + 777;
    let reference = mc::european(&call(), &McConfig::new(paths, 31)).unwrap();
    for threads in [1, 2, 3, 4, 6, 7] {
        let est = price_mc_parallel(&call(), paths, 31, threads).unwrap();
        assert_same(&est, &reference, &format!("{threads} threads"));
    }
}

#[test]
fn fewer_paths_than_one_block_on_many_threads() {
    let reference = price_mc(&call(), 1_000, 4).unwrap();
    for threads in [2, 5, 64] {
        let est = price_mc_parallel(&call(), 1_000, 4, threads).unwrap();
        assert_same(&est, &reference, &format!("1 000 paths, {threads} threads"));
    }
}

#[test]
fn threads_far_beyond_the_block_count() {
    // 3 blocks and a bit: 4 blocks in all, 16 and 100 threads.
    let paths = 3 * BLOCK_PATHS + 1;
    let reference = price_mc(&call(), paths, 12).unwrap();
    for threads in [4, 16, 100] {
        let est = price_mc_parallel(&call(), paths, 12, threads).unwrap();
        assert_same(&est, &reference, &format!("{threads} threads"));
    }
}

#[test]
fn one_path_is_a_valid_simulation() {
    // One path: a value (the discounted payoff of one draw), but no standard error (NaN:
    // a sample variance needs two samples).
    let one = price_mc(&call(), 1, 9).unwrap();
    assert!(one.value.is_finite() && one.value >= 0.0, "{one:?}");
    for threads in [1, 2, 8] {
        assert_same(
            &price_mc_parallel(&call(), 1, 9, threads).unwrap(),
            &one,
            &format!("one path, {threads} threads"),
        );
    }
}

#[test]
fn thread_count_does_not_change_many_block_results() {
    // 40 blocks: enough for any scheme that sums per thread, or seeds per thread, to differ.
    let put = Contract::put(100.0, 90.0, 0.02, 0.4, 1.5);
    let paths = 40 * BLOCK_PATHS;
    let reference = price_mc(&put, paths, 5).unwrap();
    for threads in [2, 3, 4, 5, 8, 13] {
        let est = price_mc_parallel(&put, paths, 5, threads).unwrap();
        assert_same(&est, &reference, &format!("{threads} threads"));
    }
}

#[test]
fn different_seeds_give_different_estimates() {
    let a = price_mc_parallel(&call(), 50_000, 1, 2).unwrap();
    let b = price_mc_parallel(&call(), 50_000, 2, 2).unwrap();
    assert_ne!(a.value, b.value);
    // Both honest: within 4 standard errors of the closed form.
    for est in [a, b] {
        assert!(est.z_score(bs::price(&call())).abs() < 4.0, "{est:?}");
    }
}

#[test]
fn parallel_errors_on_invalid_input() {
    assert_eq!(
        price_mc_parallel(&call(), 10, 1, 0),
        Err(PriceError::ZeroThreads)
    );
    assert_eq!(
        price_mc_parallel(&call(), 0, 1, 16),
        Err(PriceError::Mc(McError::ZeroPaths))
    );
    let nan_spot = Contract::put(f64::NAN, 100.0, 0.05, 0.2, 1.0);
    assert!(matches!(
        price_mc_parallel(&nan_spot, 10, 1, 2),
        Err(PriceError::Mc(McError::InvalidContract(_)))
    ));
    assert!(matches!(
        price_mc(&nan_spot, 10, 1),
        Err(McError::InvalidContract(_))
    ));
}

#[test]
fn zero_volatility_gives_the_discounted_forward_value() {
    // Without volatility every path ends at the forward: the estimate is the discounted
    // intrinsic value of the forward, with no noise (up to rounding).
    let c = Contract::call(100.0, 90.0, 0.05, 0.0, 1.0);
    let est = price_mc_parallel(&c, 3 * BLOCK_PATHS + 5, 1, 3).unwrap();
    let exact = bs::price(&c);
    assert!(
        (est.value - exact).abs() < 1e-9 * exact,
        "{est:?} vs {exact}"
    );
    assert!(est.std_error < 1e-6, "{est:?}");
}

#[test]
fn pricers_report_the_first_failed_check_when_several_inputs_are_wrong() {
    // The documented order: threads, then paths, then the contract.
    let bad = Contract::call(100.0, 100.0, 0.05, -0.2, 1.0);
    assert_eq!(price_mc(&bad, 0, 1), Err(McError::ZeroPaths));
    assert_eq!(
        price_mc_parallel(&bad, 0, 1, 0),
        Err(PriceError::ZeroThreads)
    );
    assert_eq!(
        price_mc_parallel(&bad, 0, 1, 2),
        Err(PriceError::Mc(McError::ZeroPaths))
    );
}
