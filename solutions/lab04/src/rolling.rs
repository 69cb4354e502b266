//! Task 8: rolling correlations, in parallel over time windows.
//!
//! The correlation of two return series over the last `w` days, for every day: how a
//! stock's co-movement with the market (or a hedge with its underlying) changes through
//! time. Window `k` holds the days `k..k + w`; there are `n - w + 1` of them, and each is an
//! atom of its own.
//!
//! # Exact recomputation, not a running sum
//! Every window's correlation is recomputed from its own `w` pairs by [`pearson`] (two
//! passes: the means, then the centred sums). That costs `O(w)` per window, `O(n w)` in all,
//! and makes window `k`'s value a function of the days `k..k + w` only: the same bits
//! whichever molecule holds it, so the result does not depend on how the windows are cut
//! into molecules, hence on the number of threads.
//!
//! A running sum (add the day that enters, subtract the day that leaves: `O(1)` per window)
//! carries the rounding of every update since it started. Started afresh at the first window
//! of each molecule, it gives window `k` different last bits for every way of cutting the
//! windows, and the cut depends on the number of threads. (It also cancels: the raw moments
//! `Σxy - Σx Σy / w` of price levels or of an index lose most of their digits.)

use std::fmt;

// BEGIN SOLUTION
use crate::molecules::{linear_molecules, mp_fill};

// END SOLUTION
/// Why a rolling correlation cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollingError {
    /// The two series have different lengths.
    LengthMismatch {
        /// The length of `x`.
        x: usize,
        /// The length of `y`.
        y: usize,
    },
    /// A window of fewer than 2 days has no correlation.
    WindowTooShort {
        /// The window asked for.
        window: usize,
    },
    /// The window is longer than the series.
    WindowTooLong {
        /// The window asked for.
        window: usize,
        /// The length of the series.
        len: usize,
    },
}

impl fmt::Display for RollingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch { x, y } => write!(
                f,
                "the two series must have the same length, got {x} and {y}"
            ),
            Self::WindowTooShort { window } => write!(
                f,
                "a correlation needs a window of at least 2 days, got {window}"
            ),
            Self::WindowTooLong { window, len } => {
                write!(
                    f,
                    "a window of {window} days is longer than the {len} days given"
                )
            }
        }
    }
}

impl std::error::Error for RollingError {}

/// The Pearson correlation of `x` and `y`, in two passes: the means, then
/// `Σ dx dy / sqrt(Σ dx² Σ dy²)` with `dx`, `dy` the deviations from them. NaN if either
/// series has no variance (or is empty).
///
/// # Panics
/// If the lengths differ.
///
/// ```
/// let r = lab04::rolling::pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]);
/// assert!((r - 0.99339926779878).abs() < 1e-12);
/// ```
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    // BEGIN SOLUTION
    assert_eq!(x.len(), y.len(), "pearson needs two series of one length");
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    }
    // STUB
    // todo!(
    //     "pearson of {} and {} values: the means, then the centred sums",
    //     x.len(),
    //     y.len()
    // )
    // END SOLUTION
}

/// The correlation of `x` and `y` over every window of `window` consecutive days, in
/// parallel on the current rayon pool: element `k` (of `n - window + 1`) is exactly
/// [`pearson`]`(&x[k..k + window], &y[k..k + window])`, bit for bit, whatever the number of
/// threads.
///
/// # Errors
/// [`RollingError::LengthMismatch`], [`RollingError::WindowTooShort`] (`window < 2`),
/// [`RollingError::WindowTooLong`] (`window > n`), checked in that order.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 5.0];
/// let y = [2.0, 4.0, 6.0, 1.0];
/// let r = lab04::rolling::rolling_correlation(&x, &y, 3).unwrap();
/// assert_eq!(r.len(), 2);
/// assert!((r[0] - 1.0).abs() < 1e-12); // y = 2x on days 0..3
/// ```
pub fn rolling_correlation(x: &[f64], y: &[f64], window: usize) -> Result<Vec<f64>, RollingError> {
    // BEGIN SOLUTION
    if x.len() != y.len() {
        return Err(RollingError::LengthMismatch {
            x: x.len(),
            y: y.len(),
        });
    }
    if window < 2 {
        return Err(RollingError::WindowTooShort { window });
    }
    let n = x.len();
    if window > n {
        return Err(RollingError::WindowTooLong { window, len: n });
    }
    let windows = n - window + 1;
    let mut out = vec![0.0; windows];
    let parts = 4 * rayon::current_num_threads();
    mp_fill(
        &mut out,
        1,
        &linear_molecules(windows, parts),
        |atoms, slice| {
            // Each window from its own days: nothing carried from one window to the next.
            for (k, r) in atoms.zip(slice) {
                *r = pearson(&x[k..k + window], &y[k..k + window]);
            }
        },
    );
    Ok(out)
    // STUB
    // todo!(
    //     "rolling_correlation of {} and {} values, window {window}: check, then pearson of every window, in molecules",
    //     x.len(),
    //     y.len()
    // )
    // END SOLUTION
}
