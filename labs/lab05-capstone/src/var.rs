//! Value at risk and expected shortfall: historical, and Monte Carlo in bounded memory.
//!
//! # Conventions
//! VaR and ES are positive fractions of the portfolio's value. With the P&L fractions `x`:
//! `VaR = -quantile(x, 1 - c)` (NumPy's linear quantile, as `finance::stats::quantile`) and
//! `ES = -mean{x : x <= -VaR}`, exactly the definitions of `finance::stats::var` and
//! `finance::stats::expected_shortfall`.
//!
//! # Bounded memory ([`streaming_tail`])
//! The Monte Carlo scenarios are never stored. They are generated in blocks of
//! [`BLOCK_SCENARIOS`], block `b` from `rng::stream(seed, b)`, so any block can be generated
//! again, by any thread, bit for bit. The quantile is found by *counting*:
//!
//! 1. Pass 1 counts the scenarios in a histogram of [`BINS`] bins over a range (plus an
//!    underflow and an overflow bin), and accumulates the moments of each block.
//! 2. The bins holding the two order statistics the quantile needs are located from the
//!    cumulative counts. If those bins hold at most [`COLLECT_CAP`] scenarios, pass 2
//!    regenerates the blocks, keeps only the scenarios in those bins and sums those below
//!    them: the quantile is then *exact* (the same two order statistics as sorting
//!    everything) and so is the ES's set. Otherwise the range shrinks to those bins and
//!    pass 1 runs again on it (each round divides the range by about [`BINS`] / 3).
//! 3. If the range cannot shrink (massive ties), the quantile is the middle of the bins
//!    and `error_bound` their width; it is 0 whenever the answer is exact. The exact rules
//!    are in [`streaming_tail`]'s docs.
//!
//! Memory: a histogram (`(BINS + 2) × 8` bytes) and a block buffer per worker, a few words
//! per block, and at most [`COLLECT_CAP`] values: independent of the scenario count.
//!
//! # Determinism
//! Counts are integers, so their merge order does not matter. Every floating-point sum
//! (moments, the ES's tail) is formed per block and merged in block order, and the
//! collected values are sorted: the result is bit-identical for every thread count.

use finance::linalg::{Matrix, cholesky};
use finance::mc;
use indicatif::ProgressBar;

use crate::error::EngineError;

/// Scenarios per block (the unit of parallel work and of random streams).
pub const BLOCK_SCENARIOS: u64 = mc::BLOCK_PATHS;
/// Inner bins of the counting histogram.
pub const BINS: usize = 1 << 16;
/// The most scenarios kept in memory to select the quantile exactly (32 MiB of f64).
pub const COLLECT_CAP: usize = 4 << 20;
/// Bins of the coarse histogram kept for the report and the plot.
pub const PLOT_BINS: usize = 80;

/// VaR and ES, positive fractions of the portfolio's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskFigures {
    /// Value at risk.
    pub var: f64,
    /// Expected shortfall.
    pub es: f64,
}

/// Historical VaR and ES of daily portfolio returns at `confidence`, scaled to `horizon`
/// days by the square-root-of-time rule (`× sqrt(horizon)`), computed with
/// `finance::stats::var` and `finance::stats::expected_shortfall`.
///
/// # Errors
/// [`EngineError::Usage`] if there are fewer than 2 returns or a statistic fails.
pub fn historical(
    returns: &[f64],
    confidence: f64,
    horizon: u32,
) -> Result<RiskFigures, EngineError> {
    let _ = (returns, confidence, horizon);
    todo!(
        "historical: finance::stats::var and expected_shortfall of the returns, times sqrt(horizon)"
    )
}

/// The Monte Carlo model: `horizon`-day log returns `X ~ N(h μ, h Σ)` and the P&L fraction
/// `Σ_j w_j (exp(X_j) - 1)` of the portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct McModel {
    /// `h μ`.
    pub mean: Vec<f64>,
    /// Transposed Cholesky factor of `h Σ` (upper triangular): row `k` is column `k` of `L`.
    pub chol_t: Matrix,
    /// Portfolio weights.
    pub weights: Vec<f64>,
}

impl McModel {
    /// The model of daily mean `mean`, daily covariance `cov`, `weights` and `horizon` days.
    ///
    /// # Errors
    /// [`EngineError::Usage`] if `h Σ` has no Cholesky factor (not positive definite, e.g.
    /// two identical price series).
    pub fn new(
        mean: &[f64],
        cov: &Matrix,
        weights: &[f64],
        horizon: u32,
    ) -> Result<Self, EngineError> {
        let h = f64::from(horizon);
        let n = cov.rows();
        let scaled = Matrix::from_fn(n, n, |i, j| cov[(i, j)] * h);
        let l = cholesky(&scaled).map_err(|e| {
            EngineError::Usage(format!(
                "the covariance of the returns has no Cholesky factor: {e}"
            ))
        })?;
        Ok(McModel {
            mean: mean.iter().map(|m| m * h).collect(),
            chol_t: l.transpose(),
            weights: weights.to_vec(),
        })
    }

    /// Mean and standard deviation, in that order, of the linearised P&L `w·X`: the range of
    /// pass 1.
    pub fn linear_moments(&self) -> (f64, f64) {
        let n = self.weights.len();
        // Var(w·X) = |Lᵀ w|², with Lᵀ w computed row by row of Lᵀ.
        let v: f64 = (0..n)
            .map(|k| {
                let row = self.chol_t.row(k);
                let s: f64 = (k..n).map(|i| row[i] * self.weights[i]).sum();
                s * s
            })
            .sum();
        let m: f64 = self
            .mean
            .iter()
            .zip(&self.weights)
            .map(|(a, b)| a * b)
            .sum();
        (m, v.sqrt())
    }
}

/// Fills `out` with the `len` P&L fractions of block `block`, drawn from
/// `rng::stream(seed, block)`: per scenario, one standard normal per asset (in asset order,
/// [`Ziggurat`]), `X = h μ + L Z`, and `Σ_j w_j (exp(X_j) - 1)`.
pub fn scenario_block(model: &McModel, seed: u64, block: u64, len: u64, out: &mut Vec<f64>) {
    let _ = (model, seed, block, len, out);
    todo!(
        "scenario_block: one stream per block; per scenario: normals, X = mean + L Z, P&L = sum w (exp(X) - 1)"
    )
}

/// A coarse histogram, for the report and the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Left edge of the first bin.
    pub lo: f64,
    /// Right edge of the last bin.
    pub hi: f64,
    /// Counts of equal-width bins from `lo` to `hi`.
    pub counts: Vec<u64>,
}

/// What [`streaming_tail`] finds about a stream of values.
#[derive(Clone, Debug, PartialEq)]
pub struct Tail {
    /// Number of values.
    pub count: u64,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation.
    pub std_dev: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// The `q` quantile, as `finance::stats::quantile` on all values.
    pub quantile: f64,
    /// Mean of the values `<= quantile`.
    pub tail_mean: f64,
    /// Bound on the quantile's error: 0 when exact (always, unless massive ties).
    pub error_bound: f64,
    /// Counting passes made (pass 1 and each refinement) plus the collecting pass.
    pub passes: u32,
    /// A coarse histogram of the bulk of the values, for the report and the plot:
    /// [`PLOT_BINS`] equal bins from `max(mean - 5 std_dev, min, range.0)` to
    /// `min(mean + 5 std_dev, max)` (`range` being the first range guess). It is built from
    /// pass 1's histogram over that guess, each of its [`BINS`] inner bins counted whole in
    /// the coarse bin holding its centre; the under- and overflow bins and inner bins whose
    /// centre lies outside `[lo, hi)` are left out, so the counts may add up to less than
    /// `count`.
    pub histogram: Histogram,
}

/// The quantile, ES tail and moments of the values of `blocks` blocks, in bounded memory
/// (see the [module docs](self)).
///
/// `generate(b, buf)` must fill `buf` (clearing it first) with block `b`'s values, the same
/// ones on every call and finite. `range` is a guess of where the values lie: any range
/// works (values outside are counted in the under- and overflow bins), a good one saves a
/// refinement pass. `bar` advances by one per block per pass. `q` lies in `[0, 1]`.
///
/// With `n` values, the quantile needs the order statistics of ranks `k = ⌊(n-1)q⌋` and
/// `min(k + 1, n - 1)`. Bin `j` of a pass over `[lo, hi)` (`1..=BINS`, width
/// `w = (hi - lo) / BINS`) holds `[lo + (j-1)w, lo + jw)`; bin 0 and bin `BINS + 1` hold
/// what lies below and above. If the bins `j0..=j1` holding the two ranks hold more than
/// [`COLLECT_CAP`] values, the next range is those bins with half a bin of margin each side,
/// `[lo + (j0 - 1.5)w, lo + (j1 + 0.5)w)`, or, when a rank lies in the under- or overflow
/// bin, `[min, max.next_up())` of all the values. The range **cannot shrink** when that next
/// range is not strictly narrower than the current one (ties so dense that rounding stops
/// the bins from getting narrower), and refinement also stops after 8 refinements (9 counting
/// passes). Then no value is collected: `quantile` is the middle of the located bins,
/// `[lo + (j0 - 1)w, lo + j1 w]`, and `error_bound` that interval's width; `tail_mean`
/// takes the values of ranks `below..=k` (those from bin `j0` on) as equal to the quantile,
/// `(sum of the values below bin j0 + (k + 1 - below) × quantile) / (k + 1)`, `below`
/// being the number of values below bin `j0`. Otherwise the answer is exact and
/// `error_bound` is 0.
///
/// # Panics
/// If there are no values.
pub fn streaming_tail(
    blocks: u64,
    q: f64,
    range: (f64, f64),
    generate: &(dyn Fn(u64, &mut Vec<f64>) + Sync),
    bar: &ProgressBar,
) -> Tail {
    let _ = (blocks, q, range, generate, bar);
    todo!(
        "streaming_tail: count into a histogram, locate the bins of the order statistics, collect them in a second pass; merge floats in block order"
    )
}

/// Monte Carlo VaR and ES with their P&L distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct McResult {
    /// VaR and ES (fractions of value, horizon included).
    pub figures: RiskFigures,
    /// The P&L distribution's summary and the quantile's error bound.
    pub tail: Tail,
}

/// Monte Carlo VaR and ES of `model` at `confidence` with `scenarios` scenarios in blocks of
/// [`BLOCK_SCENARIOS`] (block `b` from `rng::stream(seed, b)`, [`scenario_block`]), in
/// bounded memory with [`streaming_tail`], the blocks spread over rayon's pool. The first
/// range guess is the linearised P&L's mean ± 12 standard deviations.
/// The result is bit-identical for every thread count.
pub fn monte_carlo(
    model: &McModel,
    scenarios: u64,
    confidence: f64,
    seed: u64,
    bar: &ProgressBar,
) -> McResult {
    let _ = (model, scenarios, confidence, seed, bar);
    todo!(
        "monte_carlo: blocks of BLOCK_SCENARIOS, scenario_block as the generator, streaming_tail at q = 1 - confidence"
    )
}
