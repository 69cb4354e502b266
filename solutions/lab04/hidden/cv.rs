//! Hidden tests of task 7.

use std::ops::Range;

use finance::market::{MarketConfig, simulate};
use finance::series::rolling_mean;
use finance::stats;
use lab04::backtest::Grid;
use lab04::cv::{CvConfig, CvError, CvResult, Split, cv_backtest, splits};

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

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1, |c, i| c * (n - i) / (i + 1))
}

/// Every k-subset of 0..n, in lexicographic order, by recursion.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for first in 0..n {
        for rest in subsets(n, k - 1) {
            if rest.first().is_none_or(|&r| r > first) {
                let mut s = vec![first];
                s.extend(rest);
                out.push(s);
            }
        }
    }
    out
}

/// Maximal ranges of the indices where `keep` is true.
fn ranges_of(keep: &[bool]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (t, &k) in keep.iter().enumerate() {
        if k {
            match out.last_mut() {
                Some(r) if r.end == t => r.end = t + 1,
                _ => out.push(t..t + 1),
            }
        }
    }
    out
}

/// The definition, observation by observation: the splits, or the index of the first split
/// without training observations.
fn brute_force(n: usize, c: &CvConfig) -> Result<Vec<Split>, usize> {
    let bounds: Vec<usize> = (0..=c.groups).map(|g| (g * n).div_ceil(c.groups)).collect();
    let group_of = |t: usize| (0..c.groups).find(|&g| t < bounds[g + 1]).unwrap();
    let mut out = Vec::new();
    for (j, combo) in subsets(c.groups, c.test_groups).into_iter().enumerate() {
        let tested: Vec<bool> = (0..n).map(|t| combo.contains(&group_of(t))).collect();
        let test = ranges_of(&tested);
        let train: Vec<bool> = (0..n)
            .map(|t| {
                !tested[t]
                    && test.iter().all(|r| {
                        // Purged: the label window [t, t + h] reaches into [a, b).
                        let purged = t < r.start && t + c.horizon >= r.start;
                        let embargoed = t >= r.end && t < r.end + c.embargo;
                        !purged && !embargoed
                    })
            })
            .collect();
        let train = ranges_of(&train);
        if train.is_empty() {
            return Err(j);
        }
        out.push(Split {
            test_groups: combo,
            test,
            train,
        });
    }
    Ok(out)
}

#[test]
fn splits_equal_a_brute_force_of_the_definition() {
    let mut checked = 0;
    for n in [7, 12, 23, 40] {
        for groups in 2..=6 {
            for k in 1..groups {
                for h in 0..=4 {
                    for e in [0, 1, 3, 6] {
                        let c = cfg(groups, k, h, e);
                        let got = splits(n, &c);
                        match brute_force(n, &c) {
                            Ok(expected) => assert_eq!(got, Ok(expected), "n={n} {c:?}"),
                            Err(split) => {
                                let test_groups = subsets(groups, k)[split].clone();
                                assert_eq!(
                                    got,
                                    Err(CvError::NoTraining { split, test_groups }),
                                    "n={n} {c:?}"
                                );
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 15 * 5 * 4);
}

#[test]
fn splits_come_in_lexicographic_order_and_test_each_observation_equally() {
    for (n, groups, k) in [(60, 6, 3), (97, 7, 2), (50, 10, 1), (30, 5, 4)] {
        let got = splits(n, &cfg(groups, k, 0, 0)).unwrap();
        assert_eq!(got.len(), binomial(groups, k), "N={groups} k={k}");
        assert!(
            got.windows(2).all(|w| w[0].test_groups < w[1].test_groups),
            "N={groups} k={k}: not in lexicographic order"
        );
        assert_eq!(got[0].test_groups, (0..k).collect::<Vec<_>>());
        let mut tested = vec![0; n];
        for s in &got {
            assert_eq!(s.test_groups.len(), k);
            for t in s.test.iter().flat_map(|r| r.clone()) {
                tested[t] += 1;
            }
            // Without purge or embargo, train and test are complements.
            let total: usize = s.train.iter().chain(&s.test).map(|r| r.len()).sum();
            assert_eq!(total, n);
        }
        let times = binomial(groups - 1, k - 1);
        assert!(tested.iter().all(|&c| c == times), "N={groups} k={k}");
    }
}

/// No training observation's label window [t, t + h] reaches into a test range.
#[test]
fn purge_removes_every_label_window_reaching_into_a_test_range() {
    let (n, c) = (60, cfg(5, 2, 7, 0));
    for s in splits(n, &c).unwrap() {
        for t in s.train.iter().flat_map(|r| r.clone()) {
            for r in &s.test {
                assert!(
                    t + c.horizon < r.start || t >= r.end,
                    "{s:?}: the label of {t} reaches into {r:?}"
                );
            }
        }
        // ...and only those are purged: the observation just before the zone trains.
        for r in &s.test {
            if let Some(t) = r.start.checked_sub(c.horizon + 1)
                && !s.test.iter().any(|q| q.contains(&t))
            {
                assert!(s.train.iter().any(|q| q.contains(&t)), "{s:?}: {t} lost");
            }
        }
    }
}

/// The e observations after each test range never train.
#[test]
fn embargo_drops_the_observations_after_each_test_range() {
    let (n, c) = (60, cfg(5, 2, 0, 6));
    for s in splits(n, &c).unwrap() {
        for t in s.train.iter().flat_map(|r| r.clone()) {
            for r in &s.test {
                assert!(
                    t < r.end || t >= r.end + c.embargo,
                    "{s:?}: {t} trains within the embargo after {r:?}"
                );
            }
        }
        for r in &s.test {
            let t = r.end + c.embargo;
            if t < n && !s.test.iter().any(|q| q.contains(&t)) {
                assert!(s.train.iter().any(|q| q.contains(&t)), "{s:?}: {t} lost");
            }
        }
    }
}

#[test]
fn huge_horizons_and_embargoes_are_errors_not_overflows() {
    for c in [cfg(2, 1, usize::MAX, 0), cfg(2, 1, 0, usize::MAX)] {
        assert!(
            matches!(splits(10, &c), Err(CvError::NoTraining { .. })),
            "{c:?}"
        );
    }
    // 924 splits is allowed, C(14, 7) = 3432 is not.
    assert_eq!(splits(24, &cfg(12, 6, 0, 0)).unwrap().len(), 924);
    assert_eq!(
        splits(100, &cfg(14, 7, 0, 0)),
        Err(CvError::TooManySplits {
            groups: 14,
            test_groups: 7
        })
    );
    assert_eq!(
        splits(10_000, &cfg(200, 100, 0, 0)),
        Err(CvError::TooManySplits {
            groups: 200,
            test_groups: 100
        })
    );
}

/// A market that rises every day: every pair is invested every day, so every pair has the
/// same returns and the same Sharpe ratios. The first pair of the grid is chosen, and no pair
/// does worse out of sample: rank 1, every split "overfits".
#[test]
fn a_market_that_only_rises_ties_every_pair_and_the_first_is_chosen() {
    let returns: Vec<f64> = prices(400, 61)
        .windows(2)
        .map(|w| (w[1] / w[0] - 1.0).abs() + 1e-4)
        .collect();
    let mut p = vec![100.0];
    for r in &returns {
        p.push(p[p.len() - 1] * (1.0 + r));
    }
    let grid = Grid {
        short: 2..=6,
        long: 5..=30,
    };
    let c = cfg(4, 2, 1, 5);
    let got = cv_backtest(&p, &grid, &c).unwrap();
    let all = splits(p.len() - 30, &c).unwrap();
    let first = grid.pairs()[0];
    for (s, split) in got.scores.iter().zip(&all) {
        assert_eq!((s.short, s.long), first, "{s:?}");
        assert_eq!(s.test_rank, 1, "{s:?}");
        // Invested every day: the Sharpe ratio of the market's own returns.
        let x: Vec<f64> = split
            .train
            .iter()
            .flat_map(|r| r.clone().map(|i| p[30 + i] / p[29 + i] - 1.0))
            .collect();
        let expected = stats::sharpe(&x, 252.0).unwrap();
        assert!((s.train_sharpe - expected).abs() <= 1e-9 * expected.abs().max(1.0));
    }
    assert_eq!(got.pbo, 1.0);
}

#[test]
fn cv_backtest_of_the_lecture_grid_is_bit_identical_for_1_2_8_threads() {
    let p = prices(1500, 62);
    let c = cfg(5, 2, 1, 100);
    let one = pool(1)
        .install(|| cv_backtest(&p, &Grid::LECTURE, &c))
        .unwrap();
    assert_eq!(one.pairs, 7830);
    assert_eq!(one.observations, 1300);
    for threads in [2, 8] {
        let many = pool(threads)
            .install(|| cv_backtest(&p, &Grid::LECTURE, &c))
            .unwrap();
        assert_eq!(many, one, "{threads} threads");
    }
}

#[test]
fn cv_backtest_rejects_bad_input() {
    let p = prices(300, 63);
    let c = cfg(4, 1, 1, 1);
    for grid in [
        Grid {
            short: 0..=3,
            long: 10..=20,
        },
        Grid {
            short: 30..=40,
            long: 10..=20,
        },
        Grid {
            // Empty: no short window at all.
            short: std::ops::RangeInclusive::new(1, 0),
            long: 10..=20,
        },
    ] {
        assert_eq!(
            cv_backtest(&p, &grid, &c),
            Err(CvError::BadGrid { grid: grid.clone() })
        );
    }
    let grid = Grid {
        short: 2..=5,
        long: 10..=299,
    };
    assert_eq!(
        cv_backtest(&p, &grid, &c),
        Err(CvError::TooFewPrices {
            prices: 300,
            needed: 301
        })
    );
    // 300 prices, longest window 298: 2 observations for 4 groups.
    let grid = Grid {
        short: 2..=5,
        long: 10..=298,
    };
    assert_eq!(
        cv_backtest(&p, &grid, &c),
        Err(CvError::TooFewObservations {
            observations: 2,
            groups: 4
        })
    );
    assert_eq!(
        cv_backtest(&p, &grid, &cfg(4, 4, 0, 0)),
        Err(CvError::BadTestGroups {
            test_groups: 4,
            groups: 4
        })
    );
}

/// Per split, the (training, test) Sharpe ratio of every pair, computed the plain way.
fn reference(prices: &[f64], grid: &Grid, c: &CvConfig) -> Vec<Vec<(f64, f64)>> {
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
                    let on = fast[t + 1 - s] > slow[t + 1 - l];
                    if on {
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
    brute_force(m, c)
        .unwrap()
        .iter()
        .map(|s| {
            returns
                .iter()
                .map(|x| (sharpe_on(x, &s.train), sharpe_on(x, &s.test)))
                .collect()
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn check(prices: &[f64], grid: &Grid, c: &CvConfig, got: &CvResult) {
    let pairs = grid.pairs();
    let table = reference(prices, grid, c);
    assert_eq!(got.scores.len(), table.len());
    for (j, (score, column)) in got.scores.iter().zip(&table).enumerate() {
        let best = column.iter().map(|c| c.0).fold(f64::NEG_INFINITY, f64::max);
        let q = pairs
            .iter()
            .position(|&p| p == (score.short, score.long))
            .unwrap();
        assert!(
            close(column[q].0, best),
            "split {j}: {score:?}, best {best}"
        );
        assert!(close(score.train_sharpe, column[q].0), "split {j}");
        assert!(close(score.test_sharpe, column[q].1), "split {j}");
        let test = column[q].1;
        let tol = 1e-9 * test.abs().max(1.0);
        let count = |f: &dyn Fn(f64) -> bool| {
            (column.iter().enumerate())
                .filter(|&(i, c)| i != q && f(c.1))
                .count()
        };
        let (lo, hi) = (
            1 + count(&|t| t < test - tol),
            1 + count(&|t| t < test + tol),
        );
        assert!(
            (lo..=hi).contains(&score.test_rank),
            "split {j}: {score:?} rank outside {lo}..={hi}"
        );
    }
}

/// Three test groups of eight, a purge of 5 and an embargo of 60: most of the data near
/// the test groups is dropped, and the choice changes with it.
#[test]
fn cv_backtest_matches_the_reference_with_a_long_embargo() {
    let p = prices(1000, 64);
    let grid = Grid {
        short: 2..=30,
        long: 20..=90,
    };
    let c = cfg(8, 3, 5, 60);
    let got = cv_backtest(&p, &grid, &c).unwrap();
    check(&p, &grid, &c, &got);
    let without = cv_backtest(&p, &grid, &cfg(8, 3, 0, 0)).unwrap();
    assert_ne!(
        got.scores, without.scores,
        "purge and embargo change nothing?"
    );
}
