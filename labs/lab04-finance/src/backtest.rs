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

/// Trading days per year, to annualise the Sharpe ratio.
pub const TRADING_DAYS: f64 = 252.0;

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
        todo!("{self:?}.pairs(): every (short, long) with short < long, short first")
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
    todo!(
        "strategy_returns({} prices, {short}, {long}): two rolling means, each signal earns the next day",
        prices.len()
    )
}

/// Sharpe ratio and maximum drawdown of daily strategy returns, as defined in the
/// [module docs](self): the straightforward reference, through [`finance::stats`].
pub fn score_returns(returns: &[f64]) -> (f64, f64) {
    todo!(
        "score_returns({} returns): finance::stats::sharpe (0 if no variance), drawdown of the equity",
        returns.len()
    )
}

/// Scores one pair the simple way: [`strategy_returns`] then [`score_returns`].
///
/// # Panics
/// As [`strategy_returns`].
pub fn backtest_pair(prices: &[f64], short: usize, long: usize) -> PairScore {
    todo!("backtest_pair({} prices, {short}, {long})", prices.len())
}

/// The row with the highest Sharpe ratio, the first one on ties; `None` if `table` is empty.
pub fn best_pair(table: &[PairScore]) -> Option<PairScore> {
    todo!(
        "best_pair of {} rows: the highest Sharpe, the first on ties",
        table.len()
    )
}

/// Scores every pair of `grid` on `prices`, in parallel on the current rayon pool.
///
/// Equal to [`backtest_pair`] on every pair (Sharpe ratios and drawdowns within `1e-9`),
/// and bit-identical whatever the number of threads.
///
/// # Panics
/// If a short window is 0 or there are fewer than `long + 2` prices for the longest window.
pub fn backtest_grid(prices: &[f64], grid: &Grid) -> GridResult {
    todo!(
        "backtest_grid({} prices, {grid:?}): each moving average once, then a tight pass per pair, in parallel",
        prices.len()
    )
}
