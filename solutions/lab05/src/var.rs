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

// BEGIN SOLUTION
use finance::fastmath;
// END SOLUTION
use finance::linalg::{Matrix, cholesky};
// BEGIN SOLUTION
use finance::mc::{self, Moments};
use finance::rng;
use finance::stats;
use finance::ziggurat::Ziggurat;
// END SOLUTION use finance::mc;
use indicatif::ProgressBar;
// BEGIN SOLUTION
use rayon::prelude::*;
// END SOLUTION

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
    // BEGIN SOLUTION
    if returns.len() < 2 {
        return Err(EngineError::Usage(format!(
            "historical VaR needs at least 2 returns, found {}",
            returns.len()
        )));
    }
    let fail = |e: stats::StatsError| EngineError::Usage(format!("historical VaR: {e}"));
    let scale = f64::from(horizon).sqrt();
    Ok(RiskFigures {
        var: stats::var(returns, confidence).map_err(fail)? * scale,
        es: stats::expected_shortfall(returns, confidence).map_err(fail)? * scale,
    })
    // STUB
    // let _ = (returns, confidence, horizon);
    // todo!(
    //     "historical: finance::stats::var and expected_shortfall of the returns, times sqrt(horizon)"
    // )
    // END SOLUTION
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
    // BEGIN SOLUTION
    let n = model.weights.len();
    let mut rng = rng::stream(seed, block);
    let normal = Ziggurat::new();
    let mut z = vec![0.0; n];
    let mut x = vec![0.0; n];
    out.clear();
    for _ in 0..len {
        for zk in z.iter_mut() {
            *zk = normal.sample(&mut rng);
        }
        x.copy_from_slice(&model.mean);
        // x += L z as a sum of columns of L (rows of Lᵀ): each update is an axpy that the
        // compiler vectorises, and every x_i still adds its terms in the order k = 0, 1, ...
        for (k, &zk) in z.iter().enumerate() {
            let row = &model.chol_t.row(k)[k..];
            for (xi, lik) in x[k..].iter_mut().zip(row) {
                *xi += lik * zk;
            }
        }
        fastmath::exp_in_place(&mut x);
        let pnl: f64 = model
            .weights
            .iter()
            .zip(&x)
            .map(|(w, e)| w * (e - 1.0))
            .sum();
        out.push(pnl);
    }
    // STUB
    // let _ = (model, seed, block, len, out);
    // todo!(
    //     "scenario_block: one stream per block; per scenario: normals, X = mean + L Z, P&L = sum w (exp(X) - 1)"
    // )
    // END SOLUTION
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

// BEGIN SOLUTION
/// Where value `x` falls: 0 below `lo`, `1..=BINS` inside, `BINS + 1` at or above `hi`.
#[inline]
fn bin_of(x: f64, lo: f64, scale: f64) -> usize {
    if x < lo {
        0
    } else {
        // `as usize` saturates, so huge values land in the overflow bin.
        (((x - lo) * scale) as usize)
            .saturating_add(1)
            .min(BINS + 1)
    }
}

/// One counting pass: histogram over `[lo, lo + BINS / scale)`, per-block moments in block
/// order, min and max.
struct Count {
    hist: Vec<u64>,
    moments: Moments,
    min: f64,
    max: f64,
}

fn count_pass(
    blocks: u64,
    lo: f64,
    scale: f64,
    generate: &(dyn Fn(u64, &mut Vec<f64>) + Sync),
    bar: &ProgressBar,
) -> Count {
    struct Acc {
        hist: Vec<u64>,
        buf: Vec<f64>,
        moments: Vec<(u64, Moments)>,
        min: f64,
        max: f64,
    }
    let new = || Acc {
        hist: vec![0; BINS + 2],
        buf: Vec::new(),
        moments: Vec::new(),
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };
    let acc = (0..blocks)
        .into_par_iter()
        .fold(new, |mut acc, b| {
            generate(b, &mut acc.buf);
            let mut m = Moments::default();
            for &x in &acc.buf {
                acc.hist[bin_of(x, lo, scale)] += 1;
                m.push(x);
                acc.min = acc.min.min(x);
                acc.max = acc.max.max(x);
            }
            acc.moments.push((b, m));
            bar.inc(1);
            acc
        })
        .reduce(new, |mut a, b| {
            for (x, y) in a.hist.iter_mut().zip(&b.hist) {
                *x += y;
            }
            a.moments.extend(b.moments);
            a.min = a.min.min(b.min);
            a.max = a.max.max(b.max);
            a
        });
    let mut per_block = acc.moments;
    // Merge the blocks' moments in block order: the same additions for every thread count.
    per_block.sort_by_key(|(b, _)| *b);
    let moments = per_block
        .into_iter()
        .fold(Moments::default(), |a, (_, m)| a.merge(m));
    Count {
        hist: acc.hist,
        moments,
        min: acc.min,
        max: acc.max,
    }
}

// END SOLUTION
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
    // BEGIN SOLUTION
    let (mut lo, mut hi) = range;
    // Also catches NaN ends.
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        hi = lo + 1.0;
    }
    let mut scale = BINS as f64 / (hi - lo);
    let (range, scale0) = ((lo, hi), scale);
    let first = count_pass(blocks, lo, scale, generate, bar);
    let n = first.moments.count;
    assert!(n > 0, "streaming_tail: no values");
    let h = (n - 1) as f64 * q;
    let k = h.floor() as u64;
    let t = h - k as f64;
    let k1 = (k + 1).min(n - 1);
    let mut hist = first.hist.clone();
    let mut passes = 1;
    let mut error_bound = 0.0;
    // Bins [j0, j1] that hold ranks k and k1; found again after each refinement.
    let locate = |hist: &[u64]| {
        let (mut cum, mut j0, mut j1) = (0u64, None, 0);
        for (j, &c) in hist.iter().enumerate() {
            if j0.is_none() && cum + c > k {
                j0 = Some(j);
            }
            if cum + c > k1 {
                j1 = j;
                break;
            }
            cum += c;
        }
        let j0 = j0.unwrap_or(j1);
        (j0, j1, hist[j0..=j1].iter().sum::<u64>())
    };
    let (mut j0, mut j1, mut inside) = locate(&hist);
    let mut approx = false;
    while inside as usize > COLLECT_CAP {
        let (new_lo, new_hi) = if j0 == 0 || j1 == BINS + 1 {
            // The order statistics are outside the guessed range: use the true extremes.
            (first.min, first.max.next_up())
        } else {
            // Half a bin of margin each side: rounding cannot push a value out.
            let w = 1.0 / scale;
            (lo + (j0 as f64 - 1.5) * w, lo + (j1 as f64 + 0.5) * w)
        };
        let shrinks = (new_hi - new_lo).partial_cmp(&(hi - lo)) == Some(std::cmp::Ordering::Less);
        if !shrinks || passes > 8 {
            approx = true;
            break;
        }
        (lo, hi) = (new_lo, new_hi);
        scale = BINS as f64 / (hi - lo);
        hist = count_pass(blocks, lo, scale, generate, bar).hist;
        passes += 1;
        (j0, j1, inside) = locate(&hist);
    }
    let below: u64 = hist[..j0].iter().sum();

    // The collecting pass: per block, the sum of the values below bin j0 and the values
    // in bins j0..=j1 (none kept when approximating).
    let per_block: Vec<(f64, Vec<f64>)> = (0..blocks)
        .into_par_iter()
        .map_init(Vec::new, |buf, b| {
            generate(b, buf);
            let mut sum_below = 0.0;
            let mut kept = Vec::new();
            for &x in buf.iter() {
                let j = bin_of(x, lo, scale);
                if j < j0 {
                    sum_below += x;
                } else if j <= j1 && !approx {
                    kept.push(x);
                }
            }
            bar.inc(1);
            (sum_below, kept)
        })
        .collect();
    passes += 1;
    let sum_below = per_block.iter().fold(0.0, |s, (x, _)| s + x);
    let (quantile, tail_sum, tail_count) = if approx {
        let w = 1.0 / scale;
        let (a, b) = (lo + (j0 as f64 - 1.0) * w, lo + j1 as f64 * w);
        error_bound = b - a;
        let qv = 0.5 * (a + b);
        (qv, sum_below + (k + 1 - below) as f64 * qv, k + 1)
    } else {
        let mut kept: Vec<f64> = per_block.into_iter().flat_map(|(_, v)| v).collect();
        kept.sort_by(f64::total_cmp);
        let a = kept[(k - below) as usize];
        let b = kept[(k1 - below) as usize];
        // NumPy's `_lerp`, as finance::stats::quantile: q = 1 gives exactly the maximum.
        let qv = if t < 0.5 {
            a + (b - a) * t
        } else {
            b - (b - a) * (1.0 - t)
        };
        let tail = kept.iter().take_while(|&&x| x <= qv);
        let (sum, count) = tail.fold((0.0, 0u64), |(s, c), x| (s + x, c + 1));
        (qv, sum_below + sum, below + count)
    };
    Tail {
        count: n,
        mean: first.moments.mean(),
        std_dev: first.moments.variance().sqrt(),
        min: first.min,
        max: first.max,
        quantile,
        tail_mean: tail_sum / tail_count as f64,
        error_bound,
        passes,
        histogram: coarse(&first, range, scale0),
    }
}

/// [`PLOT_BINS`] bins over the bulk (mean ± 5 standard deviations, within the extremes),
/// each fine bin of pass 1 counted in the coarse bin of its centre.
fn coarse(first: &Count, range: (f64, f64), scale: f64) -> Histogram {
    let (m, sd) = (first.moments.mean(), first.moments.variance().sqrt());
    let lo = (m - 5.0 * sd).max(first.min).max(range.0);
    let hi = (m + 5.0 * sd).min(first.max).max(lo + f64::MIN_POSITIVE);
    let mut counts = vec![0u64; PLOT_BINS];
    let width = (hi - lo) / PLOT_BINS as f64;
    for (j, &c) in first.hist.iter().enumerate().take(BINS + 1).skip(1) {
        let centre = range.0 + (j as f64 - 0.5) / scale;
        if c > 0 && centre >= lo && centre < hi && width > 0.0 {
            let i = (((centre - lo) / width) as usize).min(PLOT_BINS - 1);
            counts[i] += c;
        }
    }
    Histogram { lo, hi, counts }
    // STUB
    //     let _ = (blocks, q, range, generate, bar);
    //     todo!(
    //         "streaming_tail: count into a histogram, locate the bins of the order statistics, collect them in a second pass; merge floats in block order"
    //     )
    // END SOLUTION
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
    // BEGIN SOLUTION
    let blocks = scenarios.div_ceil(BLOCK_SCENARIOS);
    let (m, sd) = model.linear_moments();
    let sd = if sd > 0.0 { sd } else { 1e-3 };
    let generate = |b: u64, out: &mut Vec<f64>| {
        let len = (scenarios - b * BLOCK_SCENARIOS).min(BLOCK_SCENARIOS);
        scenario_block(model, seed, b, len, out);
    };
    let tail = streaming_tail(
        blocks,
        1.0 - confidence,
        (m - 12.0 * sd, m + 12.0 * sd),
        &generate,
        bar,
    );
    McResult {
        figures: RiskFigures {
            var: -tail.quantile,
            es: -tail.tail_mean,
        },
        tail,
    }
    // STUB
    // let _ = (model, scenarios, confidence, seed, bar);
    // todo!(
    //     "monte_carlo: blocks of BLOCK_SCENARIOS, scenario_block as the generator, streaming_tail at q = 1 - confidence"
    // )
    // END SOLUTION
}
