//! Task 3: the correlation matrix of many assets.
//!
//! 500 assets have 124,750 pairs. The naive way computes each pair's Pearson correlation from
//! the two return columns: means, deviations, three sums, for every pair again. The fast way
//! does the per-asset work once: *standardise* every asset (subtract its mean, divide by the
//! norm of the deviations), after which a correlation is a plain dot product
//! `ρ(i, j) = z_i · z_j`, and the matrix is `Z Zᵀ`: dense linear algebra that rewards
//! contiguous rows, register blocking and cache blocking.
//!
//! The pairs `(i, j)` with `j > i` form a triangle: row `i` has `p - 1 - i` of them, so equal
//! numbers of rows per thread leave the first thread with almost twice the average work.
//! [`crate::molecules::triangular_molecules`] balances them.

use finance::linalg::Matrix;

/// The correlation matrix of `returns` (rows = days, columns = assets) computed pair by pair
/// from the columns, sequentially: the reference.
///
/// For each pair `(i, j)`, `i < j`: the two means, then
/// `Σ dx dy / sqrt(Σ dx² Σ dy²)` with `dx`, `dy` the deviations from them. The diagonal is
/// exactly 1 and the matrix exactly symmetric. An asset with zero variance has no
/// correlation: its entries are NaN.
///
/// # Panics
/// If there are fewer than two days.
pub fn correlation_naive(returns: &Matrix) -> Matrix {
    todo!(
        "correlation_naive of a {:?} matrix: pair by pair from the columns",
        returns.shape()
    )
}

/// The standardised returns: a `p x n` matrix (one row per asset, contiguous) whose row `i`
/// is asset `i`'s returns minus their mean, divided by the Euclidean norm of those
/// deviations. Each row then has mean 0 and norm 1, and `z_i · z_j` is the correlation.
///
/// Computed in parallel over blocks of assets (each block transposed tile by tile).
///
/// # Panics
/// If there are fewer than two days.
pub fn standardise(returns: &Matrix) -> Matrix {
    todo!(
        "standardise a {:?} matrix: centre, scale to norm 1, one row per asset",
        returns.shape()
    )
}

/// The correlation matrix of `returns` (rows = days, columns = assets), fast and parallel:
/// standardise once, then a register-blocked, cache-blocked `Z Zᵀ` over the upper triangle,
/// balanced with [`crate::molecules::triangular_molecules`] and run with
/// [`crate::molecules::mp_map`].
///
/// Equal to [`correlation_naive`] within `1e-12`; diagonal exactly 1, exactly symmetric,
/// bit-identical for any number of threads.
///
/// # Panics
/// If there are fewer than two days.
pub fn correlation(returns: &Matrix) -> Matrix {
    todo!(
        "correlation of a {:?} matrix: standardise once, blocked dot products, balanced triangle",
        returns.shape()
    )
}
