//! Task 6: atoms and molecules.

use std::collections::BTreeSet;
use std::ops::Range;

use lab04::molecules::{linear_molecules, mp_fill, mp_map, triangle_pairs, triangular_molecules};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Molecules must be non-empty, contiguous, in order and cover `0..atoms`.
fn assert_cover(molecules: &[Range<usize>], atoms: usize) {
    let mut next = 0;
    for m in molecules {
        assert_eq!(m.start, next, "{molecules:?} is not contiguous from 0");
        assert!(!m.is_empty(), "{molecules:?} has an empty molecule");
        next = m.end;
    }
    assert_eq!(next, atoms, "{molecules:?} does not cover 0..{atoms}");
}

#[test]
fn linear_molecules_are_contiguous_and_even() {
    for atoms in 0..40 {
        for parts in 1..9 {
            let m = linear_molecules(atoms, parts);
            assert_cover(&m, atoms);
            assert_eq!(m.len(), parts.min(atoms), "atoms={atoms} parts={parts}");
            let lens: Vec<usize> = m.iter().map(|r| r.len()).collect();
            let (lo, hi) = (lens.iter().min(), lens.iter().max());
            if let (Some(lo), Some(hi)) = (lo, hi) {
                assert!(hi - lo <= 1, "atoms={atoms} parts={parts}: {lens:?}");
            }
        }
    }
}

#[test]
fn triangle_pairs_counts_the_upper_triangle() {
    // Row i of a 5 x 5 upper triangle (diagonal included) has 5 - i pairs.
    assert_eq!(triangle_pairs(5, 0..1), 5);
    assert_eq!(triangle_pairs(5, 0..5), 15);
    assert_eq!(triangle_pairs(5, 3..5), 2 + 1);
    assert_eq!(triangle_pairs(5, 2..2), 0);
}

#[test]
fn triangular_molecules_balance_the_pairs() {
    for n in [60, 257, 500] {
        for parts in [2, 3, 4, 7] {
            let m = triangular_molecules(n, parts);
            assert_cover(&m, n);
            assert_eq!(m.len(), parts);
            let ideal = (n * (n + 1) / 2) as f64 / parts as f64;
            for rows in &m {
                // Work of this molecule, counted here rather than with your triangle_pairs.
                let work: usize = rows.clone().map(|i| n - i).sum();
                assert!(
                    (work as f64 - ideal).abs() <= n as f64,
                    "n={n} parts={parts}: molecule {rows:?} has {work} pairs, ideal {ideal:.0}"
                );
            }
        }
    }
}

#[test]
fn mp_map_returns_results_in_molecule_order() {
    let molecules = linear_molecules(1000, 37);
    let sums = pool(3).install(|| mp_map(&molecules, |atoms| atoms.sum::<usize>()));
    let expected: Vec<usize> = molecules.iter().map(|m| m.clone().sum()).collect();
    assert_eq!(sums, expected);
    // Every atom is processed exactly once.
    let seen: Vec<usize> = pool(2)
        .install(|| mp_map(&molecules, |atoms| atoms.collect::<Vec<_>>()))
        .concat();
    assert_eq!(seen, (0..1000).collect::<Vec<_>>());
    assert!(mp_map(&[], |atoms: Range<usize>| atoms.len()).is_empty());
}

#[test]
fn mp_fill_writes_each_atom_in_place() {
    // 10 atoms of 3 values, the last atom with only 2: 29 values.
    let mut out = vec![usize::MAX; 29];
    let molecules = linear_molecules(10, 4);
    pool(2).install(|| {
        mp_fill(&mut out, 3, &molecules, |atoms, slice| {
            assert_eq!(slice.len(), (atoms.len() * 3).min(29 - atoms.start * 3));
            for (k, v) in slice.iter_mut().enumerate() {
                *v = atoms.start * 3 + k;
            }
        })
    });
    assert_eq!(out, (0..29).collect::<Vec<_>>());
    let distinct: BTreeSet<usize> = out.iter().copied().collect();
    assert_eq!(distinct.len(), 29);
}
