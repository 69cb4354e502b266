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
    todo!(
        "sharpe of {} returns: finance::stats::sharpe with TRADING_DAYS",
        returns.len()
    )
}

/// The Sharpe ratio ([`sharpe`]) of resample `i`, drawn from `finance::rng::stream(seed, i)`.
///
/// # Panics
/// If there are fewer than two returns, or a block length is 0 or longer than the data.
pub fn resample_sharpe(returns: &[f64], scheme: Resampling, seed: u64, i: u64) -> f64 {
    todo!(
        "resample_sharpe({} returns, {scheme:?}, seed {seed}, resample {i}): finance::rng::stream(seed, i)",
        returns.len()
    )
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
    todo!(
        "bootstrap_sharpe({} returns, {cfg:?}): the resamples in parallel, then the percentiles",
        returns.len()
    )
}
