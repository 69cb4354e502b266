//! Task 2: a bootstrap confidence interval for the Sharpe ratio.
//!
//! The bootstrap (Efron, 1979) estimates the sampling distribution of a statistic by
//! recomputing it on *resamples* of the data: `n` observations drawn **with replacement** from
//! the `n` observed ones. The spread of the resampled statistics stands in for the spread of
//! the statistic across the samples we could have observed; the percentile interval takes
//! their `(1 - c) / 2` and `(1 + c) / 2` quantiles.
//!
//! Drawing single days assumes they are independent. Returns with autocorrelation (or
//! volatility clustering) need the *moving block bootstrap* (Künsch, 1989): draw blocks of
//! `b` consecutive days at uniformly random starts and concatenate them, so that the
//! dependence within a block survives.
//!
//! # Reproducible in parallel
//! Resample `i` draws everything from its own generator [`finance::rng::stream`]`(seed, i)`,
//! so its statistic depends on `(seed, i)` alone: the resamples can run on any number of
//! threads, in any order, and give bit-identical statistics.
// BEGIN SOLUTION

use finance::rng::{Stream, stream};
use finance::stats;

use crate::backtest::TRADING_DAYS;
use crate::molecules::{linear_molecules, mp_map};
// END SOLUTION

/// How a resample is drawn from the `n` observed returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resampling {
    /// `n` days drawn independently and uniformly, with replacement.
    Iid,
    /// Moving blocks (Künsch): `ceil(n / block)` blocks of `block` consecutive days, each
    /// starting at a uniformly random day in `0..=n - block`, concatenated and cut to `n`.
    MovingBlock {
        /// Days per block, from 1 (which is the i.i.d. bootstrap) to `n`.
        block: usize,
    },
}

/// What to compute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BootstrapConfig {
    /// Number of resamples, e.g. 10,000.
    pub resamples: usize,
    /// Master seed: resample `i` uses `finance::rng::stream(seed, i)`.
    pub seed: u64,
    /// How to draw a resample.
    pub scheme: Resampling,
    /// Confidence level of the interval, in `(0, 1)`, e.g. 0.95.
    pub confidence: f64,
}

/// A percentile bootstrap interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Bootstrap {
    /// The statistic on the observed returns.
    pub point: f64,
    /// The `(1 - confidence) / 2` quantile of the resampled statistics.
    pub lower: f64,
    /// The `(1 + confidence) / 2` quantile of the resampled statistics.
    pub upper: f64,
    /// The statistic of every resample, resample `i` at index `i`.
    pub statistics: Vec<f64>,
}

/// The annualised Sharpe ratio `mean / sd * sqrt(252)` (sample standard deviation) of daily
/// returns; 0 if they have no variance.
///
/// # Panics
/// If there are fewer than two returns or one is not finite.
pub fn sharpe(returns: &[f64]) -> f64 {
    // BEGIN SOLUTION
    match stats::sharpe(returns, TRADING_DAYS) {
        Ok(s) => s,
        Err(stats::StatsError::ZeroVariance) => 0.0,
        Err(e) => panic!("sharpe: {e}"),
    }
}

/// An index uniform in `0..n`: Lemire's multiply-shift, one 64-bit draw and no division.
/// Its bias (at most `n / 2^64`) is far below anything a bootstrap could detect.
#[inline]
fn uniform_index(rng: &mut Stream, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
    // STUB
    //     todo!(
    //         "sharpe of {} returns: finance::stats::sharpe with TRADING_DAYS",
    //         returns.len()
    //     )
    // END SOLUTION
}

/// The Sharpe ratio ([`sharpe`]) of resample `i`, drawn from `finance::rng::stream(seed, i)`.
///
/// # Panics
/// If there are fewer than two returns, or a block length is 0 or longer than the data.
pub fn resample_sharpe(returns: &[f64], scheme: Resampling, seed: u64, i: u64) -> f64 {
    // BEGIN SOLUTION
    let centre = stats::mean(returns).unwrap_or(0.0);
    let centred: Vec<f64> = returns.iter().map(|r| r - centre).collect();
    resample_sharpe_centred(&centred, centre, scheme, seed, i)
}

/// [`resample_sharpe`] on returns already centred on `centre`.
///
/// One pass, no resample materialised: the sum and the sum of squares of the drawn values.
/// Centring first keeps the one-pass variance `(Σx² - (Σx)²/n) / (n - 1)` accurate: with
/// a mean near 0 next to the spread, nothing cancels.
fn resample_sharpe_centred(
    centred: &[f64],
    centre: f64,
    scheme: Resampling,
    seed: u64,
    i: u64,
) -> f64 {
    let n = centred.len();
    assert!(n >= 2, "the bootstrap needs at least two returns, got {n}");
    let mut rng = stream(seed, i);
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    match scheme {
        Resampling::Iid => {
            for _ in 0..n {
                let x = centred[uniform_index(&mut rng, n)];
                sum += x;
                sum_sq += x * x;
            }
        }
        Resampling::MovingBlock { block } => {
            assert!(
                (1..=n).contains(&block),
                "block length must be in 1..={n}, got {block}"
            );
            let mut left = n;
            while left > 0 {
                let start = uniform_index(&mut rng, n - block + 1);
                let take = block.min(left);
                for &x in &centred[start..start + take] {
                    sum += x;
                    sum_sq += x * x;
                }
                left -= take;
            }
        }
    }
    let nf = n as f64;
    let var = (sum_sq - sum * sum / nf) / (nf - 1.0);
    if var > 0.0 {
        (centre + sum / nf) / var.sqrt() * TRADING_DAYS.sqrt()
    } else {
        0.0
    }
    // STUB
    //     todo!(
    //         "resample_sharpe({} returns, {scheme:?}, seed {seed}, resample {i}): finance::rng::stream(seed, i)",
    //         returns.len()
    //     )
    // END SOLUTION
}

/// The percentile bootstrap interval of the Sharpe ratio of `returns`, the resamples run in
/// parallel on the current rayon pool.
///
/// `statistics[i]` equals `resample_sharpe(returns, cfg.scheme, cfg.seed, i)` exactly, for any
/// number of threads. The bounds are [`finance::stats::quantile`]s of the statistics.
///
/// # Panics
/// If `cfg.resamples` is 0, `cfg.confidence` is outside `(0, 1)`, or as [`resample_sharpe`].
pub fn bootstrap_sharpe(returns: &[f64], cfg: &BootstrapConfig) -> Bootstrap {
    // BEGIN SOLUTION
    assert!(
        cfg.resamples > 0,
        "the bootstrap needs at least one resample"
    );
    assert!(
        cfg.confidence > 0.0 && cfg.confidence < 1.0,
        "confidence must be in (0, 1), got {}",
        cfg.confidence
    );
    let point = sharpe(returns);
    let centre = stats::mean(returns).unwrap_or(0.0);
    let centred: Vec<f64> = returns.iter().map(|r| r - centre).collect();
    let parts = 4 * rayon::current_num_threads();
    let statistics: Vec<f64> = mp_map(&linear_molecules(cfg.resamples, parts), |m| {
        m.map(|i| resample_sharpe_centred(&centred, centre, cfg.scheme, cfg.seed, i as u64))
            .collect::<Vec<f64>>()
    })
    .concat();
    let tail = (1.0 - cfg.confidence) / 2.0;
    let quantile = |q| stats::quantile(&statistics, q).expect("finite statistics");
    Bootstrap {
        point,
        lower: quantile(tail),
        upper: quantile(1.0 - tail),
        statistics,
    }
    // STUB
    // todo!(
    //     "bootstrap_sharpe({} returns, {cfg:?}): the resamples in parallel, then the percentiles",
    //     returns.len()
    // )
    // END SOLUTION
}
