//! Task 7: combinatorial purged cross-validation (CPCV) of the crossover grid, after López de
//! Prado, *Advances in Financial Machine Learning* (Wiley, 2018), chapters 7 and 12.
//!
//! # Why
//! Score 7,830 window pairs on ten years and keep the best: its Sharpe ratio is the maximum
//! of 7,830 noisy estimates, biased upwards even when no pair has any skill. That is
//! **backtest overfitting**. Cross-validation keeps the choice honest: choose the pair on
//! some observations (*train*), measure it on others (*test*) it was not chosen on.
//!
//! # The splits
//! The `n` observations (days) are cut into `N` contiguous **groups**, group `g` being
//! `ceil(g n / N) .. ceil((g + 1) n / N)` ([`crate::molecules::linear_molecules`]`(n, N)`).
//! Each split tests `k` of them: all `C(N, k)` choices, in lexicographic order of the test
//! groups (`{0, 1}, {0, 2}, ..., {N - 2, N - 1}`), so every observation is tested in
//! `C(N - 1, k - 1)` splits. `k = 1` is López de Prado's purged k-fold.
//!
//! Financial observations are not independent. The label of observation `t` (here: the
//! strategy's return from close `t` to close `t + 1`) is known only at `t + h`, `h` the
//! **label horizon**: its label window is `[t, t + h]`. So, for each test range `[a, b)`
//! (adjacent test groups merged into one range):
//!
//! - **purge**: a training observation whose label window reaches into the test range,
//!   `t < a <= t + h`, i.e. `t` in `[a - h, a)`, is dropped: its label was measured on test
//!   days;
//! - **embargo**: the `e` observations after the range, `[b, b + e)`, are dropped too: they
//!   follow the test days closely (serial correlation, and here moving averages of up to
//!   `long` days that still contain test prices), so they would leak the test period into
//!   the training set.
//!
//! The training set is every other observation not in a test range.
//!
//! # The evaluation
//! [`cv_backtest`] evaluates every pair of a [`Grid`] on every split: for each split the
//! pair with the best training Sharpe ratio, its Sharpe ratio out of sample, and the rank of
//! the latter among all pairs, from which the *probability of backtest overfitting* (Bailey,
//! Borwein, López de Prado and Zhu, 2017) is estimated.

use std::fmt;
use std::ops::Range;

// BEGIN SOLUTION
use finance::series::rolling_mean;

// END SOLUTION
use crate::backtest::Grid;
// BEGIN SOLUTION
use crate::backtest::TRADING_DAYS;
use crate::molecules::{linear_molecules, mp_fill, mp_map};
// END SOLUTION

/// The most splits [`splits`] builds: `C(N, k)` explodes (`C(12, 6) = 924`, but
/// `C(20, 10) = 184,756`), and each split costs a pass over the whole grid.
pub const MAX_SPLITS: usize = 1_000;

/// How to cross-validate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CvConfig {
    /// `N`: the number of contiguous groups, at least 2.
    pub groups: usize,
    /// `k`: the number of test groups of each split, `1 <= k < N`.
    pub test_groups: usize,
    /// `h`: the label horizon; training observations in `[a - h, a)` before each test range
    /// `[a, b)` are purged.
    pub horizon: usize,
    /// `e`: the embargo; training observations in `[b, b + e)` after each test range are
    /// dropped.
    pub embargo: usize,
}

/// One split of the observations `0..n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The test groups, increasing.
    pub test_groups: Vec<usize>,
    /// The test observations: the test groups' ranges, adjacent ones merged, increasing.
    pub test: Vec<Range<usize>>,
    /// The training observations: every observation in no test range, no purge zone and no
    /// embargo zone, as maximal ranges (never empty, never touching each other), increasing.
    pub train: Vec<Range<usize>>,
}

/// Why a cross-validation cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CvError {
    /// Fewer than two groups: nothing to train on or nothing to test.
    TooFewGroups {
        /// The groups asked for.
        groups: usize,
    },
    /// The number of test groups is 0 or leaves no training group (`k >= N`).
    BadTestGroups {
        /// `k`.
        test_groups: usize,
        /// `N`.
        groups: usize,
    },
    /// Fewer observations than groups: some group would be empty.
    TooFewObservations {
        /// The observations.
        observations: usize,
        /// The groups asked for.
        groups: usize,
    },
    /// `C(N, k)` is above [`MAX_SPLITS`].
    TooManySplits {
        /// `N`.
        groups: usize,
        /// `k`.
        test_groups: usize,
    },
    /// Purge and embargo leave a split without any training observation.
    NoTraining {
        /// The index of the split (in the order of [`splits`]).
        split: usize,
        /// Its test groups.
        test_groups: Vec<usize>,
    },
    /// The grid has no pair, or a short window of 0 days.
    BadGrid {
        /// The grid.
        grid: Grid,
    },
    /// Too few prices for the grid's longest window.
    TooFewPrices {
        /// The prices given.
        prices: usize,
        /// The prices needed: the longest window plus 2.
        needed: usize,
    },
}

impl fmt::Display for CvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewGroups { groups } => {
                write!(f, "cross-validation needs at least 2 groups, got {groups}")
            }
            Self::BadTestGroups {
                test_groups,
                groups,
            } => write!(
                f,
                "the test groups must be between 1 and groups - 1 = {}, got {test_groups}",
                groups.saturating_sub(1)
            ),
            Self::TooFewObservations {
                observations,
                groups,
            } => write!(
                f,
                "{observations} observations cannot make {groups} non-empty groups"
            ),
            Self::TooManySplits {
                groups,
                test_groups,
            } => write!(
                f,
                "C({groups}, {test_groups}) splits is more than the {MAX_SPLITS} allowed"
            ),
            Self::NoTraining { split, test_groups } => write!(
                f,
                "split {split} (test groups {test_groups:?}) has no training observation left \
                 after the purge and the embargo"
            ),
            Self::BadGrid { grid } => write!(
                f,
                "the grid {grid:?} has no window pair, or a short window of 0 days"
            ),
            Self::TooFewPrices { prices, needed } => write!(
                f,
                "the grid's longest window needs at least {needed} prices, got {prices}"
            ),
        }
    }
}

impl std::error::Error for CvError {}

/// The best pair of one split and how it did out of sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitScore {
    /// Short window of the pair with the highest training Sharpe ratio (the first in
    /// [`Grid::pairs`] order on ties).
    pub short: usize,
    /// Its long window.
    pub long: usize,
    /// Its annualised Sharpe ratio on the split's training observations.
    pub train_sharpe: f64,
    /// Its annualised Sharpe ratio on the split's test observations.
    pub test_sharpe: f64,
    /// `1 +` the number of pairs of the grid whose test Sharpe ratio is strictly lower than
    /// `test_sharpe`: 1 for the worst pair out of sample, the number of pairs for the best.
    pub test_rank: usize,
}

/// The result of [`cv_backtest`].
#[derive(Clone, Debug, PartialEq)]
pub struct CvResult {
    /// The number of pairs of the grid, `P`.
    pub pairs: usize,
    /// The number of observations, `n - L` (`L` the grid's longest window).
    pub observations: usize,
    /// One score per split, in the order of [`splits`].
    pub scores: Vec<SplitScore>,
    /// The probability of backtest overfitting: the fraction of splits whose chosen pair is
    /// in the bottom half out of sample, `2 test_rank <= P + 1` (relative rank
    /// `w = test_rank / (P + 1) <= 1/2`, logit `ln(w / (1 - w)) <= 0`).
    pub pbo: f64,
}

/// The `groups` contiguous groups of `0..n`: group `g` is
/// `ceil(g n / groups) .. ceil((g + 1) n / groups)` (the first groups are the longer ones).
///
/// # Panics
/// If `groups == 0`, or `groups > n` (a group would be empty).
///
/// ```
/// assert_eq!(lab04::cv::group_ranges(11, 3), vec![0..4, 4..8, 8..11]);
/// ```
pub fn group_ranges(n: usize, groups: usize) -> Vec<Range<usize>> {
    // BEGIN SOLUTION
    assert!(
        groups > 0 && groups <= n,
        "{n} observations cannot make {groups} non-empty groups"
    );
    linear_molecules(n, groups)
    // END SOLUTION todo!("group_ranges({n}, {groups}): crate::molecules::linear_molecules")
}

/// The `C(N, k)` splits of the observations `0..n` (see the [module docs](self)): test
/// groups in lexicographic order, each split's test ranges, and its training ranges after
/// the purge and the embargo.
///
/// A pure function of its arguments: no randomness, no threads.
///
/// # Errors
/// In this order: [`CvError::TooFewGroups`] if `N < 2`; [`CvError::BadTestGroups`] unless
/// `1 <= k < N`; [`CvError::TooFewObservations`] if `n < N`; [`CvError::TooManySplits`] if
/// `C(N, k) > MAX_SPLITS` (found without enumerating them); [`CvError::NoTraining`] for the
/// first split left without a training observation.
///
/// ```
/// use lab04::cv::{CvConfig, splits};
/// let cfg = CvConfig { groups: 5, test_groups: 1, horizon: 1, embargo: 1 };
/// let s = splits(10, &cfg).unwrap();
/// assert_eq!(s.len(), 5);
/// // Test group 1 = days 2..4: day 1 is purged (its label reaches day 2), day 4 embargoed.
/// assert_eq!(s[1].test, vec![2..4]);
/// assert_eq!(s[1].train, vec![0..1, 5..10]);
/// ```
pub fn splits(n: usize, cfg: &CvConfig) -> Result<Vec<Split>, CvError> {
    // BEGIN SOLUTION
    let (groups, k) = (cfg.groups, cfg.test_groups);
    if groups < 2 {
        return Err(CvError::TooFewGroups { groups });
    }
    if k == 0 || k >= groups {
        return Err(CvError::BadTestGroups {
            test_groups: k,
            groups,
        });
    }
    if n < groups {
        return Err(CvError::TooFewObservations {
            observations: n,
            groups,
        });
    }
    if binomial(groups, k).is_none_or(|c| c > MAX_SPLITS) {
        return Err(CvError::TooManySplits {
            groups,
            test_groups: k,
        });
    }
    let ranges = group_ranges(n, groups);
    let mut out = Vec::new();
    let mut combo: Vec<usize> = (0..k).collect();
    loop {
        let split = split_of(n, &ranges, &combo, cfg);
        if split.train.is_empty() {
            return Err(CvError::NoTraining {
                split: out.len(),
                test_groups: combo,
            });
        }
        out.push(split);
        // The next combination in lexicographic order: bump the last position that can
        // still grow, reset the ones after it.
        let Some(i) = (0..k).rev().find(|&i| combo[i] < groups - k + i) else {
            return Ok(out);
        };
        combo[i] += 1;
        for j in i + 1..k {
            combo[j] = combo[j - 1] + 1;
        }
    }
}

/// `C(n, k)`, or `None` if it does not fit in a `usize`.
fn binomial(n: usize, k: usize) -> Option<usize> {
    let k = k.min(n - k);
    // c = C(n, i) after step i, always an integer: C(n, i + 1) = C(n, i) (n - i) / (i + 1).
    (0..k).try_fold(1usize, |c, i| Some(c.checked_mul(n - i)? / (i + 1)))
}

/// The split whose test groups are `combo`.
fn split_of(n: usize, ranges: &[Range<usize>], combo: &[usize], cfg: &CvConfig) -> Split {
    let mut test: Vec<Range<usize>> = Vec::new();
    for &g in combo {
        match test.last_mut() {
            Some(last) if last.end == ranges[g].start => last.end = ranges[g].end,
            _ => test.push(ranges[g].clone()),
        }
    }
    let mut train = Vec::new();
    let mut next = 0; // the first observation not yet excluded nor in a training range
    for r in &test {
        // Purge: label windows [t, t + h] that reach into [r.start, r.end).
        let lo = r.start.saturating_sub(cfg.horizon);
        // Embargo: the observations right after the test range.
        let hi = r.end.saturating_add(cfg.embargo).min(n);
        if lo > next {
            train.push(next..lo);
        }
        next = next.max(hi);
    }
    if next < n {
        train.push(next..n);
    }
    Split {
        test_groups: combo.to_vec(),
        test,
        train,
    }
    // STUB
    // todo!("splits({n}, {cfg:?}): check the inputs, then every combination of test groups in order, purge before and embargo after each test range")
    // END SOLUTION
}

/// Cross-validates the moving-average crossover of [`crate::backtest`] on `prices`, in
/// parallel on the current rayon pool.
///
/// With `L` the grid's longest window, observation `i` (of `n - L`) is day
/// `t = L - 1 + i`, the first day on which every pair has a signal: for pair
/// `(short, long)` its strategy return `x(t)`, the last `n - L` values of
/// [`crate::backtest::strategy_returns`]`(prices, short, long)`. The splits are
/// [`splits`]`(n - L, cfg)`. For each split and each pair, the annualised Sharpe ratio of
/// the pair's returns on the training observations taken together, and on the test
/// observations taken together (sample standard deviation; 0 when there is no variance, as
/// in [`crate::backtest::score_returns`]). Then per split the pair with the best training
/// Sharpe ratio (the first in [`Grid::pairs`] order on ties), its test Sharpe ratio and its
/// rank among all pairs' test Sharpe ratios, and over all splits the PBO (see
/// [`CvResult`]).
///
/// Bit-identical whatever the number of threads. Sharpe ratios within `1e-9` (relative,
/// absolute below 1) of a direct computation.
///
/// # Errors
/// [`CvError::BadGrid`] for an empty grid or a short window of 0;
/// [`CvError::TooFewPrices`] for fewer than `L + 2` prices; any error of [`splits`].
pub fn cv_backtest(prices: &[f64], grid: &Grid, cfg: &CvConfig) -> Result<CvResult, CvError> {
    // BEGIN SOLUTION
    let bad_grid = || CvError::BadGrid { grid: grid.clone() };
    if grid.short.is_empty() || *grid.short.start() == 0 {
        return Err(bad_grid());
    }
    let pairs = grid.pairs();
    let longest = pairs.iter().map(|&(_, l)| l).max().ok_or_else(bad_grid)?;
    let n = prices.len();
    if n < longest + 2 {
        return Err(CvError::TooFewPrices {
            prices: n,
            needed: longest + 2,
        });
    }
    let m = n - longest;
    let splits = splits(m, cfg)?;
    let s = splits.len();

    // Do once what every pair shares: each window's moving average, each day's return.
    let mut windows: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    windows.sort_unstable();
    windows.dedup();
    let means: Vec<Vec<f64>> = mp_map(&linear_molecules(windows.len(), windows.len()), |w| {
        rolling_mean(prices, windows[w.start])
    });
    let mean_of = |w: usize| &means[windows.binary_search(&w).expect("a window of the grid")];
    let first = longest - 1; // the day of observation 0
    let rets: Vec<f64> = (first..n - 1)
        .map(|t| prices[t + 1] / prices[t] - 1.0)
        .collect();

    // The atoms: the pairs, each scored on every split. A pair's returns are computed once,
    // as prefix sums, and every split's ranges then cost O(1) each.
    let mut cells = vec![Cell::default(); pairs.len() * s];
    let parts = 4 * rayon::current_num_threads();
    mp_fill(
        &mut cells,
        s,
        &linear_molecules(pairs.len(), parts),
        |atoms, out| {
            // sum[i] = the sum of the pair's first i returns; sum_sq the same for squares.
            let mut sum = vec![0.0; m + 1];
            let mut sum_sq = vec![0.0; m + 1];
            for (pair, row) in atoms.zip(out.chunks_exact_mut(s)) {
                let (short, long) = pairs[pair];
                // Day t's averages sit at t + 1 - w (see `strategy_returns`).
                let fast = &mean_of(short)[first + 1 - short..];
                let slow = &mean_of(long)[first + 1 - long..];
                // The running sums stay in registers: reading sum[i] back from memory would
                // add a store-to-load round trip to every day's dependency chain.
                let (mut s1, mut s2) = (0.0, 0.0);
                let days = (fast.iter().zip(slow)).zip(&rets);
                for (((f, sl), &r), (c1, c2)) in days.zip(sum[1..].iter_mut().zip(&mut sum_sq[1..]))
                {
                    let x = if f > sl { r } else { 0.0 };
                    s1 += x;
                    s2 += x * x;
                    *c1 = s1;
                    *c2 = s2;
                }
                for (cell, split) in row.iter_mut().zip(&splits) {
                    *cell = Cell {
                        train: sharpe_on(&sum, &sum_sq, &split.train),
                        test: sharpe_on(&sum, &sum_sq, &split.test),
                    };
                }
            }
        },
    );

    // Per split: the in-sample choice, then where it ranks out of sample.
    let p = pairs.len();
    let scores: Vec<SplitScore> = mp_map(&linear_molecules(s, s), |j| {
        let column: Vec<Cell> = (0..p).map(|q| cells[q * s + j.start]).collect();
        let mut best = 0;
        for q in 1..p {
            if column[q].train > column[best].train {
                best = q;
            }
        }
        let chosen = column[best];
        let below = column.iter().filter(|c| c.test < chosen.test).count();
        SplitScore {
            short: pairs[best].0,
            long: pairs[best].1,
            train_sharpe: chosen.train,
            test_sharpe: chosen.test,
            test_rank: 1 + below,
        }
    });
    let overfit = scores.iter().filter(|c| 2 * c.test_rank <= p + 1).count();
    Ok(CvResult {
        pairs: p,
        observations: m,
        pbo: overfit as f64 / s as f64,
        scores,
    })
}

/// The training and test Sharpe ratios of one pair on one split.
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    train: f64,
    test: f64,
}

/// The annualised Sharpe ratio of the values in `ranges`, from prefix sums of the values and
/// of their squares; 0 without variance (or with fewer than 2 values).
fn sharpe_on(sum: &[f64], sum_sq: &[f64], ranges: &[Range<usize>]) -> f64 {
    let (mut s1, mut s2, mut count) = (0.0, 0.0, 0usize);
    for r in ranges {
        s1 += sum[r.end] - sum[r.start];
        s2 += sum_sq[r.end] - sum_sq[r.start];
        count += r.len();
    }
    if count < 2 {
        return 0.0;
    }
    let c = count as f64;
    let mean = s1 / c;
    let var = (s2 - s1 * mean) / (c - 1.0);
    if var > 0.0 {
        mean / var.sqrt() * TRADING_DAYS.sqrt()
    } else {
        0.0
    }
    // STUB
    // todo!("cv_backtest({} prices, {grid:?}, {cfg:?}): the observations, the splits, every pair on every split as atoms (mp_fill), then per split the in-sample best and its out-of-sample rank", prices.len())
    // END SOLUTION
}
