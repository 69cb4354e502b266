//! Task 4: a book of options (`price_book`) and a volatility grid (`vol_grid`), with rayon.
//!
//! Run: `cargo test -p lab01 --test book`.

use finance::bs::{self, Contract};
use finance::mc::{Estimate, McError};
use lab01::{PriceError, contract_seed, price_book, price_mc, vol_grid};

/// A small book of calls and puts across strikes, volatilities and expiries.
fn small_book() -> Vec<Contract> {
    (0..12)
        .map(|i| {
            let strike = 85.0 + 5.0 * (i % 6) as f64;
            let vol = 0.15 + 0.05 * (i % 4) as f64;
            let expiry = 0.25 * (1 + i % 3) as f64;
            if i % 2 == 0 {
                Contract::call(100.0, strike, 0.03, vol, expiry)
            } else {
                Contract::put(100.0, strike, 0.03, vol, expiry)
            }
        })
        .collect()
}

fn same_bits(a: &Estimate, b: &Estimate) -> bool {
    a.value.to_bits() == b.value.to_bits() && a.std_error.to_bits() == b.std_error.to_bits()
}

#[test]
fn book_of_calls_and_puts_matches_black_scholes() {
    // 12 options: each lies within 4.5 standard errors unless wrong (chance of a false
    // alarm among 12: 12 × 6.8e-6 ≈ 1e-4; the seed is fixed anyway).
    let book = small_book();
    let prices = price_book(&book, 50_000, 7).unwrap();
    assert_eq!(prices.len(), book.len());
    for (c, est) in book.iter().zip(&prices) {
        let z = est.z_score(bs::price(c));
        assert!(
            z.abs() < 4.5,
            "{c:?}: {est:?} is {z:.1} standard errors off"
        );
    }
}

#[test]
fn book_entry_i_is_price_mc_with_contract_seed_i() {
    let book = small_book();
    let prices = price_book(&book, 5_000, 42).unwrap();
    for (i, c) in book.iter().enumerate() {
        let alone = price_mc(c, 5_000, contract_seed(42, i)).unwrap();
        assert!(
            same_bits(&prices[i], &alone),
            "contract {i}: {:?} in the book, {alone:?} alone",
            prices[i]
        );
    }
}

#[test]
fn book_does_not_depend_on_the_number_of_threads() {
    let book = small_book();
    let on = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| price_book(&book, 5_000, 3).unwrap())
    };
    let (one, three) = (on(1), on(3));
    assert!(one.iter().zip(&three).all(|(a, b)| same_bits(a, b)));
}

#[test]
fn book_errors_name_the_bad_contract() {
    let mut book = small_book();
    assert_eq!(
        price_book(&book, 0, 1),
        Err(PriceError::Mc(McError::ZeroPaths))
    );
    book[5].strike = f64::NAN;
    assert!(matches!(
        price_book(&book, 1_000, 1),
        Err(PriceError::InvalidContract { index: 5, .. })
    ));
}

#[test]
fn vol_grid_is_increasing_even_on_a_fine_grid() {
    // Steps of 0.001 in volatility move an at-the-money price by about 0.04, a little less
    // than one standard error of each price (0.047 with 100 000 paths): priced from
    // independent seeds the grid would zigzag. From common random numbers the noise of a
    // difference is about 0.0002, two hundred times smaller than the step.
    let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
    let vols: Vec<f64> = (0..=20).map(|i| 0.20 + 0.001 * i as f64).collect();
    let grid = vol_grid(&c, &vols, 100_000, 8).unwrap();
    assert_eq!(grid.len(), vols.len());
    for (i, pair) in grid.windows(2).enumerate() {
        assert!(
            pair[0].value < pair[1].value,
            "price at vol {} ({}) is not below the price at vol {} ({})",
            vols[i],
            pair[0].value,
            vols[i + 1],
            pair[1].value
        );
    }
}

#[test]
fn vol_grid_prices_every_vol_from_the_same_seed() {
    let put = Contract::put(100.0, 105.0, 0.02, 0.3, 0.5);
    let vols = [0.1, 0.2, 0.4];
    let grid = vol_grid(&put, &vols, 30_000, 77).unwrap();
    for (&vol, est) in vols.iter().zip(&grid) {
        let alone = price_mc(&Contract { vol, ..put }, 30_000, 77).unwrap();
        assert!(same_bits(est, &alone), "vol {vol}: {est:?} vs {alone:?}");
    }
}
