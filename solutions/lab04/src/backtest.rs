//! Task 1: a moving-average crossover backtest over a grid of window pairs.
//!
//! # The strategy
//! With daily closes `p[0..n]` and the simple moving average
//! `sma_w(t) = mean(p[t + 1 - w ..= t])` (defined from `t = w - 1`), the strategy with windows
//! `short < long` decides at the close of day `t`:
//!
//! ```text
//! signal(t) = 1 if sma_short(t) > sma_long(t), else 0      (long or flat)
//! x(t)      = signal(t) * (p[t + 1] / p[t] - 1)            (held from close t to close t + 1)
//! ```
//!
//! for `t = long - 1, ..., n - 2`: `n - long` daily strategy returns. The signal uses the
//! close of day `t` and so can only earn the return *after* it: using it for the return
//! from `t - 1` to `t` would be look-ahead bias, a backtest that trades on prices it could
//! not have seen. Each pair is scored by its annualised Sharpe ratio
//! `mean(x) / sd(x) * sqrt(252)` (sample standard deviation; 0 when `x` has no variance, e.g.
//! a strategy that never invests) and by the maximum drawdown of its equity curve
//! `E_0 = 1, E_{k+1} = E_k (1 + x_k)`.
//!
//! Moving averages are those of [`finance::series::rolling_mean`], so every implementation
//! compares the very same numbers.
//!
//! # Making it fast
//! The grid has 7,830 pairs but only 46 short and 181 long windows: compute each moving
//! average once, not once per pair (O(n) each with a running sum). Then a pair is a single
//! branch-free pass over the days: select the day's return or 0, add it and its square, and
//! track the equity's running peak. Better still, lay the short averages out side by side,
//! a few short windows per row, so that one pass over the days scores several pairs with
//! the same long window at once: the loop over those lanes has no dependency between its
//! iterations, which the compiler turns into SIMD instructions, and the running sums of the
//! lanes overlap their latencies.

use std::ops::RangeInclusive;

// BEGIN SOLUTION
use finance::series::rolling_mean;
use finance::stats;

use crate::molecules::{linear_molecules, mp_map};

// END SOLUTION
/// Trading days per year, to annualise the Sharpe ratio.
pub const TRADING_DAYS: f64 = 252.0;
// BEGIN SOLUTION

/// Short windows scored together in one pass of the fast kernel.
const LANES: usize = 4;
// END SOLUTION

/// The window pairs to test: every `short` in `short` with every `long` in `long` such that
/// `short < long`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Short windows (days), at least 1.
    pub short: RangeInclusive<usize>,
    /// Long windows (days).
    pub long: RangeInclusive<usize>,
}

impl Grid {
    /// The lecture's grid: short windows 5 to 50 days, long windows 20 to 200 days, 7,830
    /// pairs.
    pub const LECTURE: Grid = Grid {
        short: 5..=50,
        long: 20..=200,
    };

    /// The pairs `(short, long)` with `short < long`, short window first, then long window,
    /// both increasing: the row order of [`GridResult::table`].
    ///
    /// # Panics
    /// If a short window is 0.
    ///
    /// ```
    /// use lab04::backtest::Grid;
    /// let g = Grid { short: 2..=3, long: 3..=4 };
    /// assert_eq!(g.pairs(), vec![(2, 3), (2, 4), (3, 4)]);
    /// assert_eq!(Grid::LECTURE.pairs().len(), 7830);
    /// ```
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        // BEGIN SOLUTION
        assert!(
            *self.short.start() >= 1 || self.short.is_empty(),
            "windows must be at least one day"
        );
        self.short
            .clone()
            .flat_map(|s| {
                self.long
                    .clone()
                    .filter(move |&l| s < l)
                    .map(move |l| (s, l))
            })
            .collect()
        // END SOLUTION todo!("{self:?}.pairs(): every (short, long) with short < long, short first")
    }
}

/// The score of one window pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairScore {
    /// Short window (days).
    pub short: usize,
    /// Long window (days).
    pub long: usize,
    /// Annualised Sharpe ratio of the daily strategy returns (0 if they have no variance).
    pub sharpe: f64,
    /// Maximum drawdown of the equity curve, a positive fraction (0.25 = 25% below a peak).
    pub max_drawdown: f64,
}

/// The result of a grid backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct GridResult {
    /// One row per pair, in the order of [`Grid::pairs`].
    pub table: Vec<PairScore>,
    /// The pair with the highest Sharpe ratio (the first such row on ties); `None` for an
    /// empty grid.
    pub best: Option<PairScore>,
}
// BEGIN SOLUTION

fn check_windows(n: usize, short: usize, long: usize) {
    assert!(
        short >= 1 && short < long,
        "need 1 <= short < long, got short {short}, long {long}"
    );
    assert!(
        n >= long + 2,
        "a long window of {long} days needs at least {} prices, got {n}",
        long + 2
    );
}

// END SOLUTION
/// The daily returns `x(t)` of the strategy with windows `short < long`, for
/// `t = long - 1, ..., n - 2` (see the [module docs](self)): `n - long` values.
///
/// This is the readable reference: two moving averages, one signal per day, each signal
/// applied to the *next* day's return.
///
/// # Panics
/// If `short` is 0, `short >= long` or there are fewer than `long + 2` prices.
///
/// ```
/// // short = 1, long = 2: long when today's close is above the 2-day mean, i.e. after an up day.
/// let x = lab04::backtest::strategy_returns(&[100.0, 101.0, 100.0, 102.0], 1, 2);
/// assert_eq!(x, vec![100.0 / 101.0 - 1.0, 0.0]);
/// ```
pub fn strategy_returns(prices: &[f64], short: usize, long: usize) -> Vec<f64> {
    // BEGIN SOLUTION
    let n = prices.len();
    check_windows(n, short, long);
    let fast = rolling_mean(prices, short); // fast[k] = sma_short(k + short - 1)
    let slow = rolling_mean(prices, long); // slow[k] = sma_long(k + long - 1)
    (long - 1..n - 1)
        .map(|t| {
            let invested = fast[t + 1 - short] > slow[t + 1 - long];
            if invested {
                prices[t + 1] / prices[t] - 1.0
            } else {
                0.0
            }
        })
        .collect()
    // STUB
    // todo!(
    //     "strategy_returns({} prices, {short}, {long}): two rolling means, each signal earns the next day",
    //     prices.len()
    // )
    // END SOLUTION
}

/// Sharpe ratio and maximum drawdown of daily strategy returns, as defined in the
/// [module docs](self): the straightforward reference, through [`finance::stats`].
pub fn score_returns(returns: &[f64]) -> (f64, f64) {
    // BEGIN SOLUTION
    let sharpe = stats::sharpe(returns, TRADING_DAYS).unwrap_or(0.0);
    let mut equity = Vec::with_capacity(returns.len() + 1);
    equity.push(1.0);
    for x in returns {
        equity.push(equity[equity.len() - 1] * (1.0 + x));
    }
    let drawdown = stats::max_drawdown(&equity).unwrap_or(f64::NAN);
    (sharpe, drawdown)
    // STUB
    // todo!(
    //     "score_returns({} returns): finance::stats::sharpe (0 if no variance), drawdown of the equity",
    //     returns.len()
    // )
    // END SOLUTION
}

/// Scores one pair the simple way: [`strategy_returns`] then [`score_returns`].
///
/// # Panics
/// As [`strategy_returns`].
pub fn backtest_pair(prices: &[f64], short: usize, long: usize) -> PairScore {
    // BEGIN SOLUTION
    let (sharpe, max_drawdown) = score_returns(&strategy_returns(prices, short, long));
    PairScore {
        short,
        long,
        sharpe,
        max_drawdown,
    }
    // END SOLUTION todo!("backtest_pair({} prices, {short}, {long})", prices.len())
}

/// The row with the highest Sharpe ratio, the first one on ties; `None` if `table` is empty.
pub fn best_pair(table: &[PairScore]) -> Option<PairScore> {
    // BEGIN SOLUTION
    table.iter().copied().fold(None, |best, row| match best {
        Some(b) if b.sharpe >= row.sharpe => Some(b),
        _ => Some(row),
    })
    // STUB
    // todo!(
    //     "best_pair of {} rows: the highest Sharpe, the first on ties",
    //     table.len()
    // )
    // END SOLUTION
}

/// Scores every pair of `grid` on `prices`, in parallel on the current rayon pool.
///
/// Equal to [`backtest_pair`] on every pair (Sharpe ratios and drawdowns within `1e-9`),
/// and bit-identical whatever the number of threads.
///
/// # Panics
/// If a short window is 0 or there are fewer than `long + 2` prices for the longest window.
pub fn backtest_grid(prices: &[f64], grid: &Grid) -> GridResult {
    // BEGIN SOLUTION
    let pairs = grid.pairs();
    let Some(max_long) = pairs.iter().map(|&(_, l)| l).max() else {
        return GridResult {
            table: Vec::new(),
            best: None,
        };
    };
    let n = prices.len();
    check_windows(n, 1, max_long);

    // Per day t (close t to close t + 1): the return, its square and its log, so that the
    // kernel only selects and adds.
    let rets: Vec<f64> = prices.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
    let squares: Vec<f64> = rets.iter().map(|r| r * r).collect();
    let logs: Vec<f64> = rets.iter().map(|r| r.ln_1p()).collect();

    // The windows that occur, each averaged once.
    let shorts: Vec<usize> = grid.short.clone().filter(|&s| s < max_long).collect();
    let longs: Vec<usize> = (grid.long.clone())
        .filter(|&l| l > *grid.short.start())
        .collect();
    let long_means: Vec<Vec<f64>> = mp_map(&linear_molecules(longs.len(), longs.len()), |m| {
        rolling_mean(prices, longs[m.start])
    });
    // Short averages LANES at a time: chunk c holds, for each day t, the averages of the
    // short windows shorts[c * LANES..][..LANES] side by side (0 before a window is defined
    // and in unused lanes: those lanes are never read back).
    let chunks = shorts.len().div_ceil(LANES);
    let packed: Vec<Vec<f64>> = mp_map(&linear_molecules(chunks, chunks), |m| {
        let c = m.start;
        let mut rows = vec![0.0; n * LANES];
        for (lane, &w) in shorts[c * LANES..].iter().take(LANES).enumerate() {
            for (k, avg) in rolling_mean(prices, w).into_iter().enumerate() {
                rows[(k + w - 1) * LANES + lane] = avg;
            }
        }
        rows
    });

    // The atoms: one (long window, chunk of short windows) with at least one short < long.
    let units: Vec<(usize, usize)> = (0..longs.len())
        .flat_map(|li| (0..chunks).map(move |c| (li, c)))
        .filter(|&(li, c)| shorts[c * LANES] < longs[li])
        .collect();
    let parts = 4 * rayon::current_num_threads();
    let scored: Vec<Vec<PairScore>> = mp_map(&linear_molecules(units.len(), parts), |m| {
        let mut out = Vec::with_capacity(m.len() * LANES);
        for &(li, c) in &units[m] {
            let long = longs[li];
            let acc = kernel(&packed[c], &long_means[li], &rets, &squares, &logs, long);
            let days = (n - long) as f64;
            for (lane, &short) in shorts[c * LANES..].iter().take(LANES).enumerate() {
                if short < long {
                    out.push(acc.score(lane, short, long, days));
                }
            }
        }
        out
    });

    // Back to the order of `Grid::pairs`: short window first, then long window.
    let (first_short, first_long) = (*grid.short.start(), *grid.long.start());
    let width = grid.long.end() + 1 - first_long;
    let mut slot = vec![usize::MAX; (grid.short.end() + 1 - first_short) * width];
    let key = |s: usize, l: usize| (s - first_short) * width + (l - first_long);
    for (i, &(s, l)) in pairs.iter().enumerate() {
        slot[key(s, l)] = i;
    }
    let mut table = vec![
        PairScore {
            short: 0,
            long: 0,
            sharpe: f64::NAN,
            max_drawdown: f64::NAN,
        };
        pairs.len()
    ];
    for row in scored.into_iter().flatten() {
        table[slot[key(row.short, row.long)]] = row;
    }
    let best = best_pair(&table);
    GridResult { table, best }
}

/// Running sums of `LANES` strategies over their days.
struct Acc {
    sum: [f64; LANES],
    sum_sq: [f64; LANES],
    drawdown: [f64; LANES],
}

impl Acc {
    fn score(&self, lane: usize, short: usize, long: usize, days: f64) -> PairScore {
        let mean = self.sum[lane] / days;
        let var = (self.sum_sq[lane] - self.sum[lane] * mean) / (days - 1.0);
        PairScore {
            short,
            long,
            sharpe: if var > 0.0 {
                mean / var.sqrt() * TRADING_DAYS.sqrt()
            } else {
                0.0
            },
            // The drawdown was tracked on log equity: a fall of d in logs is 1 - e^-d.
            max_drawdown: -(-self.drawdown[lane]).exp_m1(),
        }
    }
}

/// One pass over the trading days of a long window for `LANES` short windows at once.
///
/// The same code compiled twice: for any x86-64 and, chosen at run time, for AVX2 (twice
/// as many numbers per instruction). Selections, additions and comparisons give the same
/// results in both, so the choice never changes an answer.
fn kernel(
    packed: &[f64],
    long_mean: &[f64],
    rets: &[f64],
    squares: &[f64],
    logs: &[f64],
    long: usize,
) -> Acc {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { kernel_avx2(packed, long_mean, rets, squares, logs, long) };
    }
    kernel_body(packed, long_mean, rets, squares, logs, long)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn kernel_avx2(
    packed: &[f64],
    long_mean: &[f64],
    rets: &[f64],
    squares: &[f64],
    logs: &[f64],
    long: usize,
) -> Acc {
    kernel_body(packed, long_mean, rets, squares, logs, long)
}

/// Branch-free: a signal selects the day's return or 0, and every lane does the same
/// arithmetic, so the loop over lanes vectorises. Log equity turns the product of gross
/// returns into a sum, and the drawdown is the largest gap between its running peak and it.
#[inline(always)]
fn kernel_body(
    packed: &[f64],
    long_mean: &[f64],
    rets: &[f64],
    squares: &[f64],
    logs: &[f64],
    long: usize,
) -> Acc {
    let n = rets.len() + 1;
    let start = long - 1;
    // The signal of day t (close t) trades the return from t to t + 1: rets[t].
    let day = start..n - 1;
    let rows = packed[start * LANES..(n - 1) * LANES].chunks_exact(LANES);
    let mut sum = [0.0; LANES];
    let mut sum_sq = [0.0; LANES];
    let mut log_equity = [0.0; LANES];
    let mut peak = [0.0; LANES];
    let mut drawdown = [0.0_f64; LANES];
    let days = (rows.zip(long_mean))
        .zip(&rets[day.clone()])
        .zip(&squares[day.clone()])
        .zip(&logs[day]);
    for ((((row, &slow), &r), &r2), &lr) in days {
        for k in 0..LANES {
            let on = row[k] > slow;
            sum[k] += if on { r } else { 0.0 };
            sum_sq[k] += if on { r2 } else { 0.0 };
            log_equity[k] += if on { lr } else { 0.0 };
            peak[k] = if log_equity[k] > peak[k] {
                log_equity[k]
            } else {
                peak[k]
            };
            let gap = peak[k] - log_equity[k];
            drawdown[k] = if gap > drawdown[k] { gap } else { drawdown[k] };
        }
    }
    Acc {
        sum,
        sum_sq,
        drawdown,
    }
}
// STUB
//     todo!(
//         "backtest_grid({} prices, {grid:?}): each moving average once, then a tight pass per pair, in parallel",
//         prices.len()
//     )
// }
// END SOLUTION
