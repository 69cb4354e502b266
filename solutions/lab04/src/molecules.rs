//! Task 6: atoms and molecules, the parallel pattern of López de Prado, *Advances in
//! Financial Machine Learning*, chapter 20.
//!
//! An *atom* is the smallest indivisible unit of work (one window pair, one resample, one row
//! of a correlation matrix, one block of Monte Carlo scenarios). A *molecule* is a contiguous
//! range of atoms that one task processes. Choosing the molecules well is the whole game:
//! too few and a slow molecule leaves cores idle at the end; too many and scheduling costs
//! dominate; of unequal cost (the rows of a triangle) and one core does twice the work of
//! another.
//!
//! [`mp_map`] runs one job per molecule on rayon's pool and returns the results in molecule
//! order, so that combining them (concatenating, summing) happens in a fixed order and the
//! answer does not depend on which thread ran what.

use std::ops::Range;

// BEGIN SOLUTION
use finance::partition::{lin_parts, nested_parts};
use rayon::prelude::*;

// END SOLUTION
/// Molecules of (almost) equal numbers of atoms: `0..atoms` cut into `min(parts, atoms)`
/// contiguous, non-empty ranges whose lengths differ by at most one.
///
/// [`finance::partition::lin_parts`] gives the boundaries.
///
/// # Panics
/// If `parts == 0`.
///
/// ```
/// assert_eq!(lab04::molecules::linear_molecules(10, 3), vec![0..4, 4..7, 7..10]);
/// ```
pub fn linear_molecules(atoms: usize, parts: usize) -> Vec<Range<usize>> {
    // BEGIN SOLUTION
    to_ranges(&lin_parts(atoms, parts))
    // END SOLUTION todo!("linear_molecules({atoms}, {parts}): finance::partition::lin_parts, as ranges")
}

/// Molecules of rows of an upper-triangular double loop over `n` items, each holding about
/// the same number of pairs.
///
/// Row `i` holds the pairs `(i, j)` with `j >= i`, so it costs `n - i`: the first rows are
/// the expensive ones. Equal numbers of rows would give the first molecule almost twice the
/// average work; here each molecule holds about `n (n + 1) / (2 parts)` pairs, within one row
/// ([`finance::partition::nested_parts`] with `upper_triangle = true`). Empty molecules (when
/// `n` is small next to `parts`) are left out, so at most `parts` ranges come back, in order,
/// covering `0..n`.
///
/// # Panics
/// If `parts == 0`.
///
/// ```
/// let m = lab04::molecules::triangular_molecules(1000, 4);
/// assert_eq!(m, vec![0..134, 134..293, 293..500, 500..1000]);
/// ```
pub fn triangular_molecules(n: usize, parts: usize) -> Vec<Range<usize>> {
    // BEGIN SOLUTION
    to_ranges(&nested_parts(n, parts, true))
    // END SOLUTION todo!("triangular_molecules({n}, {parts}): finance::partition::nested_parts; which triangle?")
}

/// The pairs `(i, j)` with `j >= i` in the rows `rows` of an `n x n` upper triangle: the
/// work of one triangular molecule.
///
/// ```
/// assert_eq!(lab04::molecules::triangle_pairs(4, 0..2), 4 + 3);
/// ```
pub fn triangle_pairs(n: usize, rows: Range<usize>) -> usize {
    // BEGIN SOLUTION
    rows.map(|i| n.saturating_sub(i)).sum()
    // END SOLUTION todo!("triangle_pairs({n}, {rows:?}): row i holds n - i pairs")
}

/// Runs `job` on every molecule in parallel on the current rayon pool and returns the
/// results in molecule order (the order of `molecules`, whatever thread ran each one).
///
/// ```
/// use lab04::molecules::{linear_molecules, mp_map};
/// let sums = mp_map(&linear_molecules(10, 3), |atoms| atoms.sum::<usize>());
/// assert_eq!(sums, vec![0 + 1 + 2 + 3, 4 + 5 + 6, 7 + 8 + 9]);
/// ```
pub fn mp_map<R, F>(molecules: &[Range<usize>], job: F) -> Vec<R>
where
    R: Send,
    F: Fn(Range<usize>) -> R + Sync,
{
    // BEGIN SOLUTION
    // `collect` on an indexed parallel iterator keeps the input order: each result is
    // written to its molecule's slot, whichever thread produced it.
    molecules.par_iter().map(|m| job(m.clone())).collect()
}

/// Boundaries `b` (molecule `k` is `b[k]..b[k + 1]`) as ranges, empty ones dropped.
fn to_ranges(bounds: &[usize]) -> Vec<Range<usize>> {
    bounds
        .windows(2)
        .map(|w| w[0]..w[1])
        .filter(|r| !r.is_empty())
        .collect()
    // STUB
    //     let _ = &job;
    //     todo!(
    //         "mp_map over {} molecules: a rayon parallel iterator that keeps the order",
    //         molecules.len()
    //     )
    // END SOLUTION
}

/// Like [`mp_map`], for jobs that produce a fixed number of values per atom: molecule
/// `atoms` writes the values of its atoms into its own slice of `out` (atom `k` owns
/// `out[k * per_atom..(k + 1) * per_atom]`, the last atom possibly fewer), so the results
/// land in place, in order, with nothing to concatenate.
///
/// The slices are disjoint (`split_at_mut`), which is what lets the jobs write in parallel
/// without locks. The molecules must be contiguous and in order, starting at atom 0, as
/// [`linear_molecules`] and [`triangular_molecules`] make them.
///
/// # Panics
/// If `per_atom == 0` or the molecules are not contiguous from atom 0. (The last molecule's
/// slice is cut at the end of `out`.)
///
/// ```
/// use lab04::molecules::{linear_molecules, mp_fill};
/// let mut out = vec![0; 7]; // 4 atoms of 2 values, the last with 1
/// mp_fill(&mut out, 2, &linear_molecules(4, 2), |atoms, slice| {
///     for (k, v) in slice.iter_mut().enumerate() {
///         *v = 2 * atoms.start + k; // the index of the value in `out`
///     }
/// });
/// assert_eq!(out, vec![0, 1, 2, 3, 4, 5, 6]);
/// ```
pub fn mp_fill<T, F>(out: &mut [T], per_atom: usize, molecules: &[Range<usize>], job: F)
where
    T: Send,
    F: Fn(Range<usize>, &mut [T]) + Sync,
{
    // BEGIN SOLUTION
    assert!(per_atom > 0, "mp_fill needs at least one value per atom");
    let mut slices = Vec::with_capacity(molecules.len());
    let mut rest = out;
    let mut next = 0;
    for m in molecules {
        assert_eq!(m.start, next, "molecules must be contiguous from atom 0");
        next = m.end;
        let len = (m.len() * per_atom).min(rest.len());
        let (head, tail) = rest.split_at_mut(len);
        slices.push((m.clone(), head));
        rest = tail;
    }
    slices
        .into_par_iter()
        .for_each(|(atoms, slice)| job(atoms, slice));
    // STUB
    // let _ = &job;
    // todo!(
    //     "mp_fill of {} values, {per_atom} per atom, {} molecules: split_at_mut, then in parallel",
    //     out.len(),
    //     molecules.len()
    // )
    // END SOLUTION
}
