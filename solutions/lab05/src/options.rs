//! Pricing the options book: closed form where one exists, parallel Monte Carlo otherwise.

// BEGIN SOLUTION
use finance::bs::{self, Barrier, Contract};
use finance::mc;
// END SOLUTION use finance::bs::Contract;
use finance::rng::splitmix64;
use indicatif::ProgressBar;
// BEGIN SOLUTION
use rayon::prelude::*;

use crate::portfolio::{ASIAN_FIXINGS, OptionPosition, Style};
// STUB

// use crate::portfolio::OptionPosition;
// END SOLUTION

/// The price of one option of the book.
#[derive(Clone, Debug, PartialEq)]
pub struct PricedOption {
    /// Position in the book (from 0).
    pub index: usize,
    /// Underlying.
    pub ticker: String,
    /// `"european"`, `"asian"` or `"barrier"`.
    pub style: &'static str,
    /// `"closed-form"` or `"monte-carlo"`.
    pub method: &'static str,
    /// Price of one option.
    pub price: f64,
    /// Standard error of the price (0 for a closed form).
    pub std_error: f64,
    /// `price × quantity`.
    pub value: f64,
}

/// The seed of option `index` of the book: each option has its own independent streams,
/// fixed by its position, never by the thread that prices it. **Given.**
pub fn option_seed(seed: u64, index: usize) -> u64 {
    splitmix64(seed ^ splitmix64(index as u64 ^ 0x0f7e_a5c3_d1b2_9e4f))
}

/// The Black-Scholes contract of an option on an underlying at `spot` with annual
/// volatility `vol`, at risk-free `rate`, no dividend. **Given.**
pub fn contract(o: &OptionPosition, spot: f64, vol: f64, rate: f64) -> Contract {
    Contract {
        kind: o.kind,
        spot,
        strike: o.strike,
        rate,
        dividend: 0.0,
        vol,
        expiry: o.expiry,
    }
}

/// Prices every option of `book`, in parallel over the options (rayon), in book order.
///
/// `spots[i]` and `vols[i]` are the spot and annual volatility of option `i`'s underlying.
/// European: `bs::price`. Barrier: `bs::barrier` (continuous monitoring). Asian: Monte Carlo
/// with `paths` paths, `bs`'s geometric Asian as control variate and
/// [`crate::portfolio::ASIAN_FIXINGS`] fixings, in blocks of `mc::BLOCK_PATHS` (block `b` is
/// `mc::asian_arithmetic_block(c, ASIAN_FIXINGS, true, option_seed(seed, i), b,
/// mc::block_len(paths, b), false)`), the blocks' moments merged in block order: the result
/// does not depend on the thread count. `bar` advances by one per option.
pub fn price_book(
    book: &[OptionPosition],
    spots: &[f64],
    vols: &[f64],
    rate: f64,
    paths: u64,
    seed: u64,
    bar: &ProgressBar,
) -> Vec<PricedOption> {
    // BEGIN SOLUTION
    book.par_iter()
        .enumerate()
        .map(|(i, o)| {
            let c = contract(o, spots[i], vols[i], rate);
            let (style, method, price, std_error) = match o.style {
                Style::European => ("european", "closed-form", bs::price(&c), 0.0),
                Style::Barrier {
                    kind,
                    level,
                    rebate,
                } => {
                    let b = Barrier {
                        kind,
                        level,
                        rebate,
                    };
                    ("barrier", "closed-form", bs::barrier(&c, &b), 0.0)
                }
                Style::Asian => {
                    let s = option_seed(seed, i);
                    let moments: Vec<mc::Moments> = (0..mc::block_count(paths))
                        .into_par_iter()
                        .map(|b| {
                            mc::asian_arithmetic_block(
                                &c,
                                ASIAN_FIXINGS,
                                true,
                                s,
                                b,
                                mc::block_len(paths, b),
                                false,
                            )
                        })
                        .collect();
                    let e = moments
                        .into_iter()
                        .fold(mc::Moments::default(), mc::Moments::merge)
                        .estimate();
                    ("asian", "monte-carlo", e.value, e.std_error)
                }
            };
            bar.inc(1);
            PricedOption {
                index: i,
                ticker: o.ticker.clone(),
                style,
                method,
                price,
                std_error,
                value: price * o.quantity,
            }
        })
        .collect()
    // STUB
    // let _ = (book, spots, vols, rate, paths, seed, bar);
    // todo!(
    //     "price_book: par_iter over the book: bs::price, bs::barrier, or Asian blocks merged in block order"
    // )
    // END SOLUTION
}
