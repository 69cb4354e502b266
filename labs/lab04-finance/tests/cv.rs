//! Task 7: combinatorial purged cross-validation.

use std::ops::Range;

use finance::market::{MarketConfig, simulate};
use finance::series::rolling_mean;
use finance::stats;
use lab04::backtest::Grid;
use lab04::cv::{CvConfig, CvError, CvResult, Split, cv_backtest, group_ranges, splits};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn prices(days: usize, seed: u64) -> Vec<f64> {
    simulate(&MarketConfig::new(1, days, seed)).prices.column(0)
}

fn cfg(groups: usize, test_groups: usize, horizon: usize, embargo: usize) -> CvConfig {
    CvConfig {
        groups,
        test_groups,
        horizon,
        embargo,
    }
}

/// A split from its test groups and its test and training ranges, `(start, end)` each.
fn split(test_groups: &[usize], test: &[(usize, usize)], train: &[(usize, usize)]) -> Split {
    let ranges = |r: &[(usize, usize)]| r.iter().map(|&(a, b)| a..b).collect();
    Split {
        test_groups: test_groups.to_vec(),
        test: ranges(test),
        train: ranges(train),
    }
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1, |c, i| c * (n - i) / (i + 1))
}

#[test]
fn groups_are_contiguous_the_longer_first() {
    assert_eq!(group_ranges(10, 5), vec![0..2, 2..4, 4..6, 6..8, 8..10]);
    assert_eq!(group_ranges(11, 3), vec![0..4, 4..8, 8..11]);
    assert_eq!(group_ranges(7, 7).len(), 7);
}

/// k = 1: purged k-fold. Observation t's label window is [t, t + 1]: the day before each
/// test group is purged, and the day after it embargoed.
#[test]
fn purged_k_fold_by_hand() {
    let got = splits(10, &cfg(5, 1, 1, 1)).unwrap();
    let expected = vec![
        split(&[0], &[(0, 2)], &[(3, 10)]),
        split(&[1], &[(2, 4)], &[(0, 1), (5, 10)]),
        split(&[2], &[(4, 6)], &[(0, 3), (7, 10)]),
        split(&[3], &[(6, 8)], &[(0, 5), (9, 10)]),
        split(&[4], &[(8, 10)], &[(0, 7)]),
    ];
    assert_eq!(got, expected);
}

/// N = 4, k = 2: C(4, 2) = 6 splits in lexicographic order, adjacent test groups merged,
/// a purge of h = 2 before and an embargo of e = 1 after each test range.
#[test]
fn combinatorial_splits_by_hand() {
    let got = splits(12, &cfg(4, 2, 2, 1)).unwrap();
    let expected = vec![
        split(&[0, 1], &[(0, 6)], &[(7, 12)]),
        split(&[0, 2], &[(0, 3), (6, 9)], &[(10, 12)]),
        split(&[0, 3], &[(0, 3), (9, 12)], &[(4, 7)]),
        split(&[1, 2], &[(3, 9)], &[(0, 1), (10, 12)]),
        split(&[1, 3], &[(3, 6), (9, 12)], &[(0, 1)]),
        split(&[2, 3], &[(6, 12)], &[(0, 4)]),
    ];
    assert_eq!(got, expected);
}

/// h = 0 and e = 0: nothing to purge or embargo, the training set is the complement.
#[test]
fn without_purge_or_embargo_train_is_the_complement() {
    let got = splits(11, &cfg(3, 1, 0, 0)).unwrap();
    let expected = vec![
        split(&[0], &[(0, 4)], &[(4, 11)]),
        split(&[1], &[(4, 8)], &[(0, 4), (8, 11)]),
        split(&[2], &[(8, 11)], &[(0, 8)]),
    ];
    assert_eq!(got, expected);
}

#[test]
fn every_observation_is_tested_c_n_minus_1_k_minus_1_times() {
    let (n, c) = (100, cfg(6, 2, 3, 5));
    let got = splits(n, &c).unwrap();
    assert_eq!(got.len(), binomial(6, 2));
    let mut tested = vec![0; n];
    for s in &got {
        for r in &s.test {
            for t in r.clone() {
                tested[t] += 1;
            }
        }
        // No training observation within [a - h, b + e) of a test range [a, b).
        for r in &s.test {
            let zone = r.start.saturating_sub(c.horizon)..r.end + c.embargo;
            for t in s.train.iter().flat_map(|r| r.clone()) {
                assert!(!zone.contains(&t), "{s:?}: {t} trains in {zone:?}");
            }
        }
    }
    assert!(tested.iter().all(|&k| k == binomial(5, 1)), "{tested:?}");
}

#[test]
fn bad_configurations_are_errors() {
    assert_eq!(
        splits(10, &cfg(1, 1, 0, 0)),
        Err(CvError::TooFewGroups { groups: 1 })
    );
    for k in [0, 4] {
        assert_eq!(
            splits(10, &cfg(4, k, 0, 0)),
            Err(CvError::BadTestGroups {
                test_groups: k,
                groups: 4
            })
        );
    }
    assert_eq!(
        splits(3, &cfg(4, 1, 0, 0)),
        Err(CvError::TooFewObservations {
            observations: 3,
            groups: 4
        })
    );
    // C(40, 20) = 137,846,528,820 splits: an error at once, not a hang.
    assert_eq!(
        splits(1000, &cfg(40, 20, 0, 0)),
        Err(CvError::TooManySplits {
            groups: 40,
            test_groups: 20
        })
    );
    // Test group 0 = 0..5; the embargo of 5 takes the whole group 1.
    assert_eq!(
        splits(10, &cfg(2, 1, 0, 5)),
        Err(CvError::NoTraining {
            split: 0,
            test_groups: vec![0]
        })
    );
}

/// The straightforward sequential reference: every pair's returns on the common days, then
/// for every split and every pair `stats::sharpe` of the returns gathered on its ranges.
/// Returns, per split, the (training, test) Sharpe ratio of every pair.
fn reference(prices: &[f64], grid: &Grid, c: &CvConfig) -> (Vec<Split>, Vec<Vec<(f64, f64)>>) {
    let pairs = grid.pairs();
    let longest = pairs.iter().map(|p| p.1).max().unwrap();
    let m = prices.len() - longest;
    let returns: Vec<Vec<f64>> = pairs
        .iter()
        .map(|&(s, l)| {
            let (fast, slow) = (rolling_mean(prices, s), rolling_mean(prices, l));
            (0..m)
                .map(|i| {
                    let t = longest - 1 + i;
                    if fast[t + 1 - s] > slow[t + 1 - l] {
                        prices[t + 1] / prices[t] - 1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let sharpe_on = |x: &[f64], ranges: &[Range<usize>]| {
        let v: Vec<f64> = ranges.iter().flat_map(|r| x[r.clone()].to_vec()).collect();
        stats::sharpe(&v, 252.0).unwrap_or(0.0)
    };
    let all = splits(m, c).unwrap();
    let table = all
        .iter()
        .map(|s| {
            returns
                .iter()
                .map(|x| (sharpe_on(x, &s.train), sharpe_on(x, &s.test)))
                .collect()
        })
        .collect();
    (all, table)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Checks `got` against the reference. Pairs whose training Sharpe ratios differ only by
/// rounding (within 1e-9) are ties: either may be chosen, and test ranks are checked within
/// the same tolerance.
fn check_against_reference(prices: &[f64], grid: &Grid, c: &CvConfig, got: &CvResult) {
    let pairs = grid.pairs();
    let (all, table) = reference(prices, grid, c);
    assert_eq!(got.pairs, pairs.len());
    assert_eq!(got.observations, prices.len() - 40);
    assert_eq!(got.scores.len(), all.len());
    for (j, (score, column)) in got.scores.iter().zip(&table).enumerate() {
        let best = column.iter().map(|c| c.0).fold(f64::NEG_INFINITY, f64::max);
        let q = pairs
            .iter()
            .position(|&p| p == (score.short, score.long))
            .unwrap_or_else(|| panic!("split {j}: {score:?} is not a pair of the grid"));
        let (train, test) = column[q];
        assert!(
            close(train, best),
            "split {j} ({:?}): chose {score:?}, training Sharpe {train}, but the best is {best}",
            all[j].test_groups
        );
        assert!(close(score.train_sharpe, train), "split {j}: {score:?}");
        assert!(
            close(score.test_sharpe, test),
            "split {j}: {score:?}, test Sharpe {test}"
        );
        let tol = 1e-9 * test.abs().max(1.0);
        let others = |f: &dyn Fn(f64) -> bool| {
            (column.iter().enumerate())
                .filter(|&(i, c)| i != q && f(c.1))
                .count()
        };
        let (lo, hi) = (
            1 + others(&|t| t < test - tol),
            1 + others(&|t| t < test + tol),
        );
        assert!(
            (lo..=hi).contains(&score.test_rank),
            "split {j}: rank {} outside {lo}..={hi}",
            score.test_rank
        );
    }
    let overfit = (got.scores.iter())
        .filter(|s| 2 * s.test_rank <= pairs.len() + 1)
        .count();
    assert_eq!(got.pbo, overfit as f64 / all.len() as f64);
}

#[test]
fn cv_backtest_matches_a_sequential_reference() {
    let p = prices(700, 31);
    let grid = Grid {
        short: 2..=12,
        long: 10..=40,
    };
    for c in [cfg(6, 2, 1, 0), cfg(6, 2, 1, 40), cfg(5, 1, 5, 20)] {
        let got = cv_backtest(&p, &grid, &c).unwrap();
        check_against_reference(&p, &grid, &c, &got);
    }
}

#[test]
fn cv_backtest_is_bit_identical_for_1_2_3_8_threads() {
    let p = prices(900, 32);
    let grid = Grid {
        short: 3..=20,
        long: 15..=60,
    };
    let c = cfg(8, 3, 1, 30);
    let one = pool(1).install(|| cv_backtest(&p, &grid, &c)).unwrap();
    assert_eq!(one.scores.len(), binomial(8, 3));
    for threads in [2, 3, 8] {
        let many = pool(threads)
            .install(|| cv_backtest(&p, &grid, &c))
            .unwrap();
        assert_eq!(many, one, "{threads} threads");
    }
}
