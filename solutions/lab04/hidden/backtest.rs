//! Hidden tests of task 1.

use finance::market::{MarketConfig, simulate};
use finance::stats;
use lab04::backtest::{Grid, backtest_grid, backtest_pair, strategy_returns};

fn prices(days: usize, seed: u64) -> Vec<f64> {
    simulate(&MarketConfig::new(1, days, seed)).prices.column(0)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// The hand example of the handout, scored by the grid: the signal of day t trades t -> t+1.
#[test]
fn grid_trades_the_day_after_the_signal() {
    let p = [100.0, 101.0, 100.0, 102.0, 101.0, 103.0];
    let x = [100.0 / 101.0 - 1.0, 0.0, 101.0 / 102.0 - 1.0, 0.0];
    let result = backtest_grid(
        &p,
        &Grid {
            short: 1..=1,
            long: 2..=2,
        },
    );
    assert_eq!(result.table.len(), 1);
    let row = result.table[0];
    let sharpe = stats::sharpe(&x, 252.0).unwrap();
    assert!(
        close(row.sharpe, sharpe, 1e-9),
        "{row:?} vs Sharpe {sharpe}"
    );
    // Equity 1 -> 0.990 -> 0.990 -> 0.981 -> 0.981: drawdown 1 - (100/101)(101/102).
    assert!(
        close(row.max_drawdown, 1.0 - 100.0 / 102.0, 1e-9),
        "{row:?}"
    );
}

/// With look-ahead the one-day momentum rule (short 1, long 2) would be invested exactly on
/// the up days it already knows about: it could never lose. Honestly traded, it does.
#[test]
fn momentum_rule_without_look_ahead_has_losing_days() {
    let p = prices(500, 21);
    let x = strategy_returns(&p, 1, 2);
    assert!(x.iter().any(|&r| r < 0.0), "no losing day: look-ahead?");
    let row = backtest_grid(
        &p,
        &Grid {
            short: 1..=1,
            long: 2..=3,
        },
    )
    .table[0];
    assert!(row.max_drawdown > 0.05, "{row:?}: look-ahead?");
    let reference = backtest_pair(&p, 1, 2);
    assert!(close(row.sharpe, reference.sharpe, 1e-9));
}

#[test]
fn lecture_grid_matches_the_reference_on_ten_years() {
    let p = prices(2520, 22);
    let result = backtest_grid(&p, &Grid::LECTURE);
    assert_eq!(result.table.len(), 7830);
    let pairs = Grid::LECTURE.pairs();
    for k in (0..7830).step_by(97).chain([7829]) {
        let (s, l) = pairs[k];
        let row = result.table[k];
        let expected = backtest_pair(&p, s, l);
        assert_eq!((row.short, row.long), (s, l));
        assert!(
            close(row.sharpe, expected.sharpe, 1e-9),
            "{row:?} vs {expected:?}"
        );
        assert!(
            close(row.max_drawdown, expected.max_drawdown, 1e-9),
            "{row:?} vs {expected:?}"
        );
    }
    let best = result.best.unwrap();
    let max = result
        .table
        .iter()
        .map(|r| r.sharpe)
        .fold(f64::MIN, f64::max);
    assert_eq!(best.sharpe, max);
    let first = result.table.iter().find(|r| r.sharpe == max).unwrap();
    assert_eq!((best.short, best.long), (first.short, first.long));
}

#[test]
fn a_rising_market_is_always_invested_and_a_falling_one_never() {
    // Rising: the short mean is always above the long one, so x is the market's return.
    let up: Vec<f64> = (0..80)
        .map(|t| 100.0 * 1.001f64.powi(t) * (1.0 + 0.0005 * (t % 3) as f64))
        .collect();
    let x: Vec<f64> = up.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
    let row = backtest_grid(
        &up,
        &Grid {
            short: 3..=3,
            long: 20..=20,
        },
    )
    .table[0];
    assert!(
        close(row.sharpe, stats::sharpe(&x[19..], 252.0).unwrap(), 1e-9),
        "{row:?}"
    );
    // Falling: never invested, Sharpe 0 by convention, no drawdown.
    let down: Vec<f64> = (0..80).map(|t| 100.0 * 0.999f64.powi(t)).collect();
    let row = backtest_grid(
        &down,
        &Grid {
            short: 3..=3,
            long: 20..=20,
        },
    )
    .table[0];
    assert_eq!((row.sharpe, row.max_drawdown), (0.0, 0.0));
}

#[test]
fn an_empty_grid_has_no_best_pair() {
    let p = prices(100, 23);
    let result = backtest_grid(
        &p,
        &Grid {
            short: 30..=40,
            long: 10..=20,
        },
    );
    assert!(result.table.is_empty());
    assert_eq!(result.best, None);
}

#[test]
fn a_series_shorter_than_the_long_window_is_rejected() {
    let grid = Grid {
        short: 5..=10,
        long: 100..=200,
    };
    assert_eq!(backtest_grid(&prices(202, 24), &grid).table.len(), 6 * 101);
    let short = std::panic::catch_unwind(|| backtest_grid(&prices(150, 24), &grid));
    assert!(short.is_err(), "150 prices cannot feed a 200-day window");
}
