//! Task 1: the parallel backtest grid.

use finance::market::{MarketConfig, simulate};
use finance::stats;
use lab04::backtest::{
    Grid, PairScore, backtest_grid, backtest_pair, best_pair, score_returns, strategy_returns,
};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// One simulated stock, `days` closes.
fn prices(days: usize, seed: u64) -> Vec<f64> {
    simulate(&MarketConfig::new(1, days, seed)).prices.column(0)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn lecture_grid_has_7830_pairs_in_order() {
    let pairs = Grid::LECTURE.pairs();
    assert_eq!(pairs.len(), 7830);
    assert_eq!(pairs[0], (5, 20));
    assert_eq!(pairs[180], (5, 200));
    assert_eq!(pairs[181], (6, 20));
    assert_eq!(*pairs.last().unwrap(), (50, 200));
    assert!(pairs.iter().all(|&(s, l)| s < l));
    assert!(
        pairs.windows(2).all(|w| w[0] < w[1]),
        "short first, then long"
    );
}

#[test]
fn strategy_returns_trade_the_day_after_the_signal() {
    // short = 1, long = 2: invested after a close above the two-day mean (an up day).
    let p = [100.0, 101.0, 100.0, 102.0, 101.0, 103.0];
    let x = strategy_returns(&p, 1, 2);
    // Signals at the closes of days 1..=4: up, down, up, down. Each earns the NEXT day.
    assert_eq!(x, vec![100.0 / 101.0 - 1.0, 0.0, 101.0 / 102.0 - 1.0, 0.0]);
    assert_eq!(strategy_returns(&prices(300, 1), 10, 50).len(), 300 - 50);
}

#[test]
fn score_returns_matches_finance_stats() {
    let x = strategy_returns(&prices(500, 2), 10, 40);
    let (sharpe, drawdown) = score_returns(&x);
    assert!(close(sharpe, stats::sharpe(&x, 252.0).unwrap(), 1e-12));
    let mut equity = vec![1.0];
    for r in &x {
        equity.push(equity.last().unwrap() * (1.0 + r));
    }
    assert!(close(
        drawdown,
        stats::max_drawdown(&equity).unwrap(),
        1e-12
    ));
    // A strategy that never invests: no variance, Sharpe 0 by convention, no drawdown.
    assert_eq!(score_returns(&[0.0; 10]), (0.0, 0.0));
}

#[test]
fn grid_matches_the_pair_by_pair_reference() {
    let p = prices(400, 3);
    let grid = Grid {
        short: 2..=12,
        long: 10..=40,
    };
    let result = backtest_grid(&p, &grid);
    assert_eq!(result.table.len(), grid.pairs().len());
    for (row, &(s, l)) in result.table.iter().zip(&grid.pairs()) {
        let expected = backtest_pair(&p, s, l);
        assert_eq!((row.short, row.long), (s, l));
        assert!(
            close(row.sharpe, expected.sharpe, 1e-9),
            "({s}, {l}): Sharpe {} vs {}",
            row.sharpe,
            expected.sharpe
        );
        assert!(
            close(row.max_drawdown, expected.max_drawdown, 1e-9),
            "({s}, {l}): drawdown {} vs {}",
            row.max_drawdown,
            expected.max_drawdown
        );
    }
    let best = result.best.unwrap();
    assert!(result.table.iter().all(|r| r.sharpe <= best.sharpe));
}

#[test]
fn grid_is_bit_identical_for_1_2_3_threads() {
    let p = prices(600, 4);
    let grid = Grid {
        short: 3..=20,
        long: 15..=60,
    };
    let one = pool(1).install(|| backtest_grid(&p, &grid));
    for threads in [2, 3] {
        assert_eq!(pool(threads).install(|| backtest_grid(&p, &grid)), one);
    }
}

#[test]
fn best_pair_takes_the_first_of_equal_sharpes() {
    let row = |short, sharpe| PairScore {
        short,
        long: 100,
        sharpe,
        max_drawdown: 0.1,
    };
    let table = [row(1, 0.5), row(2, 0.9), row(3, 0.9), row(4, -1.0)];
    assert_eq!(best_pair(&table), Some(row(2, 0.9)));
    assert_eq!(best_pair(&[]), None);
}
