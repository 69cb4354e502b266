//! Splitting work into parts for threads.
//!
//! [`even_chunks`] cuts `0..n` into balanced contiguous ranges. [`lin_parts`] and
//! [`nested_parts`] are the partitions of López de Prado, *Advances in Financial Machine
//! Learning* (Wiley, 2018), chapter 20, snippets 20.5 (`linParts`) and 20.6 (`nestedParts`).
//! They return *boundaries* `b` (part `k` is the atoms `b[k]..b[k + 1]`), as the book does.
//!
//! `nested_parts` matters when the cost of an atom grows with its index, as in the double loop
//! over pairs `(i, j)` with `j <= i` (a covariance matrix, a distance matrix): equal numbers
//! of rows would give the last thread almost twice the average work.

use std::ops::Range;

/// Splits `0..n` into exactly `parts` contiguous ranges whose lengths differ by at most one.
///
/// The first `n % parts` ranges are the longer ones. A range is empty only when `n < parts`;
/// returning exactly `parts` ranges lets a caller spawn one thread per range without
/// special cases.
///
/// # Panics
/// If `parts == 0`.
///
/// ```
/// use finance::partition::even_chunks;
/// assert_eq!(even_chunks(10, 3), vec![0..4, 4..7, 7..10]);
/// assert_eq!(even_chunks(2, 3), vec![0..1, 1..2, 2..2]);
/// ```
pub fn even_chunks(n: usize, parts: usize) -> Vec<Range<usize>> {
    assert!(parts > 0, "even_chunks needs at least one part");
    let (base, extra) = (n / parts, n % parts);
    let mut start = 0;
    (0..parts)
        .map(|k| {
            let len = base + usize::from(k < extra);
            let range = start..start + len;
            start += len;
            range
        })
        .collect()
}

/// Boundaries of `min(parts, atoms)` parts of (almost) equal size: `b[k] = ceil(k * atoms / p)`.
///
/// Snippet 20.5 computes this with `np.linspace` and `np.ceil`; here the ceiling is taken in
/// exact integer arithmetic, so a boundary that should be an integer is never pushed one
/// too far by rounding error. The result starts at 0, ends at `atoms`, and is strictly
/// increasing (no empty part) unless `atoms == 0`, which gives `[0]`.
///
/// # Panics
/// If `parts == 0`.
///
/// ```
/// use finance::partition::lin_parts;
/// assert_eq!(lin_parts(10, 3), vec![0, 4, 7, 10]);
/// assert_eq!(lin_parts(5, 8), vec![0, 1, 2, 3, 4, 5]);
/// ```
pub fn lin_parts(atoms: usize, parts: usize) -> Vec<usize> {
    assert!(parts > 0, "lin_parts needs at least one part");
    let p = parts.min(atoms);
    if p == 0 {
        return vec![0];
    }
    (0..=p).map(|k| (k * atoms).div_ceil(p)).collect()
}

/// Boundaries of `min(parts, atoms)` parts of a triangular double loop, each holding about
/// the same number of pair operations (snippet 20.6).
///
/// With `upper_triangle == false` row `i` costs `i + 1` operations (pairs `j <= i`), so the
/// rows `0..r` cost `r (r + 1) / 2`; each boundary solves
/// `r_k (r_k + 1) = r_{k-1} (r_{k-1} + 1) + atoms (atoms + 1) / p` and is rounded half to
/// even, as `np.round` does. With `upper_triangle == true` row `i` costs `atoms - i` (pairs
/// `j >= i`): the part sizes are those of the lower triangle in reverse order.
///
/// Each boundary is within half a row of the exact solution, so a part's work differs from
/// `atoms (atoms + 1) / (2 p)` by at most about `atoms` operations (one full row). The
/// boundaries start at 0, end at `atoms` and never decrease; when `atoms` is small compared
/// with `parts`, rounding can make some parts empty (the book's version does the same).
///
/// # Panics
/// If `parts == 0`.
///
/// ```
/// use finance::partition::nested_parts;
/// // Reference values from López de Prado's Python code (snippet 20.6) run with NumPy 2.4.
/// assert_eq!(nested_parts(1000, 4, false), vec![0, 500, 707, 866, 1000]);
/// assert_eq!(nested_parts(1000, 4, true), vec![0, 134, 293, 500, 1000]);
/// ```
pub fn nested_parts(atoms: usize, parts: usize, upper_triangle: bool) -> Vec<usize> {
    assert!(parts > 0, "nested_parts needs at least one part");
    let p = parts.min(atoms);
    if p == 0 {
        return vec![0];
    }
    let n = atoms as f64;
    let work_per_part = n * (n + 1.0) / p as f64;
    // The recursion continues from the unrounded boundary, as in the book, so rounding
    // errors do not accumulate from part to part.
    let mut exact = 0.0_f64;
    let mut bounds = vec![0];
    for _ in 0..p {
        exact = (-1.0 + (1.0 + 4.0 * (exact * exact + exact + work_per_part)).sqrt()) / 2.0;
        bounds.push((exact.round_ties_even() as usize).min(atoms));
    }
    // Guard against the last boundary falling short of `atoms` through rounding.
    bounds[p] = atoms;
    if upper_triangle {
        let mut end = 0;
        let mut upper = vec![0];
        for w in bounds.windows(2).rev() {
            end += w[1] - w[0];
            upper.push(end);
        }
        bounds = upper;
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pair operations of rows `lo..hi` when row `i` costs `cost(i)`.
    fn work(bounds: &[usize], cost: impl Fn(usize) -> usize) -> Vec<usize> {
        bounds
            .windows(2)
            .map(|w| (w[0]..w[1]).map(&cost).sum())
            .collect()
    }

    #[test]
    fn even_chunks_are_balanced_and_cover() {
        for n in 0..40 {
            for parts in 1..9 {
                let chunks = even_chunks(n, parts);
                assert_eq!(chunks.len(), parts);
                assert_eq!(chunks[0].start, 0);
                assert_eq!(chunks[parts - 1].end, n);
                assert!(chunks.windows(2).all(|w| w[0].end == w[1].start));
                let lens: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
                let (min, max) = (*lens.iter().min().unwrap(), *lens.iter().max().unwrap());
                assert!(max - min <= 1, "n={n} parts={parts}: {lens:?}");
                assert!(n < parts || min > 0);
            }
        }
    }

    #[test]
    fn lin_parts_matches_the_book() {
        // Reference: snippet 20.5 run with NumPy 2.4 (np.linspace, np.ceil).
        assert_eq!(lin_parts(10, 3), [0, 4, 7, 10]);
        assert_eq!(lin_parts(7, 7), [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(lin_parts(5, 8), [0, 1, 2, 3, 4, 5]);
        assert_eq!(lin_parts(100, 6), [0, 17, 34, 50, 67, 84, 100]);
        assert_eq!(lin_parts(0, 4), [0]);
    }

    #[test]
    fn nested_parts_matches_the_book() {
        // Reference: snippet 20.6 run with NumPy 2.4 (np.round, np.cumsum of reversed diffs).
        assert_eq!(nested_parts(10, 3, false), [0, 6, 8, 10]);
        assert_eq!(nested_parts(10, 3, true), [0, 2, 4, 10]);
        assert_eq!(nested_parts(100, 4, false), [0, 50, 71, 87, 100]);
        assert_eq!(nested_parts(100, 4, true), [0, 13, 29, 50, 100]);
        assert_eq!(nested_parts(7, 3, true), [0, 1, 3, 7]);
        assert_eq!(
            nested_parts(10, 10, false),
            [0, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10]
        );
        assert_eq!(nested_parts(0, 3, false), [0]);
    }

    #[test]
    fn nested_parts_balances_triangular_work() {
        for atoms in [50, 333, 1000, 2521] {
            for parts in [2, 3, 4, 7, 16] {
                for upper in [false, true] {
                    let bounds = nested_parts(atoms, parts, upper);
                    assert_eq!(bounds.len(), parts + 1);
                    assert_eq!((bounds[0], bounds[parts]), (0, atoms));
                    assert!(bounds.windows(2).all(|w| w[0] <= w[1]));
                    let cost = |i: usize| if upper { atoms - i } else { i + 1 };
                    let ideal = (atoms * (atoms + 1) / 2) as f64 / parts as f64;
                    for w in work(&bounds, cost) {
                        // Stated tolerance: one full row of work.
                        assert!(
                            (w as f64 - ideal).abs() <= atoms as f64,
                            "atoms={atoms} parts={parts} upper={upper}: {w} vs {ideal}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn nested_parts_beats_lin_parts_on_a_triangle() {
        let cost = |i: usize| i + 1;
        let max = |b: &[usize]| work(b, cost).into_iter().max().unwrap();
        assert!(max(&nested_parts(1000, 4, false)) < max(&lin_parts(1000, 4)) * 2 / 3);
    }

    #[test]
    #[should_panic(expected = "at least one part")]
    fn zero_parts_panics() {
        even_chunks(3, 0);
    }
}
