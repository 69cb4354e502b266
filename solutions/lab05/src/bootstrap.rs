//! The bootstrap percentile interval of the portfolio's Sharpe ratio.

// BEGIN SOLUTION
use finance::rng;
use finance::stats;
// END SOLUTION
use indicatif::ProgressBar;
// BEGIN SOLUTION
use rayon::prelude::*;
// END SOLUTION

use crate::error::EngineError;
// BEGIN SOLUTION
use crate::returns::PERIODS_PER_YEAR;
// END SOLUTION

/// A bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// The statistic on the original sample.
    pub estimate: f64,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Coverage, e.g. 0.95.
    pub level: f64,
    /// Resamples whose statistic was defined (a constant resample has no Sharpe ratio).
    pub resamples: usize,
}

/// A uniform index in `0..n` from one 64-bit draw (Lemire's multiply-shift; its bias,
/// below `n / 2^64`, is far below anything a bootstrap can see). **Given.**
#[inline]
pub fn uniform_index(x: u64, n: usize) -> usize {
    ((u128::from(x) * n as u128) >> 64) as usize
}

/// The percentile interval at `level` of the annualised Sharpe ratio
/// (`finance::stats::sharpe(r, 252)`) of daily `returns`, from `resamples` resamples in
/// parallel (rayon). Resample `r` draws `returns.len()` indices with [`uniform_index`] from
/// `rng::stream(seed, r)`, in order. Resamples of zero variance are skipped. The ends are
/// `finance::stats::quantile` of the resampled ratios, in resample order, at
/// `(1 - level) / 2` and `(1 + level) / 2`. Bit-identical for every thread count.
/// `bar` advances by one per resample.
///
/// # Errors
/// [`EngineError::Usage`] if the Sharpe ratio of `returns` is undefined (fewer than 2
/// returns, zero variance) or no resample has one.
pub fn sharpe_interval(
    returns: &[f64],
    resamples: usize,
    level: f64,
    seed: u64,
    bar: &ProgressBar,
) -> Result<Interval, EngineError> {
    // BEGIN SOLUTION
    let fail = |e: stats::StatsError| EngineError::Usage(format!("Sharpe ratio: {e}"));
    let estimate = stats::sharpe(returns, PERIODS_PER_YEAR).map_err(fail)?;
    let n = returns.len();
    let ratios: Vec<f64> = (0..resamples)
        .into_par_iter()
        .map_init(Vec::new, |sample, r| {
            let mut rng = rng::stream(seed, r as u64);
            sample.clear();
            sample.extend((0..n).map(|_| returns[uniform_index(rng.next_u64(), n)]));
            bar.inc(1);
            stats::sharpe(sample, PERIODS_PER_YEAR).ok()
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    if ratios.is_empty() {
        return Err(EngineError::Usage(
            "no bootstrap resample has a Sharpe ratio".into(),
        ));
    }
    let lo = stats::quantile(&ratios, (1.0 - level) / 2.0).map_err(fail)?;
    let hi = stats::quantile(&ratios, (1.0 + level) / 2.0).map_err(fail)?;
    Ok(Interval {
        estimate,
        lo,
        hi,
        level,
        resamples: ratios.len(),
    })
    // STUB
    // let _ = (returns, resamples, level, seed, bar);
    // todo!(
    //     "sharpe_interval: resample r from rng::stream(seed, r) with uniform_index; par_iter over resamples, collect in order, then stats::quantile"
    // )
    // END SOLUTION
}
