//! Parametric (variance-covariance) value at risk and expected shortfall.
//!
//! The portfolio return over the horizon is modelled as `N(0, σ²)` with `σ² = wᵀ Σ w`, where
//! `w` are the portfolio weights (fractions of its value) and `Σ` the covariance of the asset
//! returns over the same horizon. With `z = Φ⁻¹(c)` at confidence `c`, the losses on a
//! portfolio worth `V` are, as positive numbers (Jorion, *Value at Risk*, 3rd ed., ch. 7;
//! McNeil, Frey & Embrechts, *Quantitative Risk Management*, 2nd ed., example 2.14):
//!
//! - `VaR = V σ z`
//! - `ES  = V σ φ(z) / (1 - c)`, the mean loss beyond the VaR.
//!
//! The zero mean is the usual convention for daily horizons, where the drift is negligible
//! next to the volatility and hard to estimate anyway.

use std::fmt;

use crate::linalg::{Matrix, dot};
use crate::normal;

/// Why a parametric risk measure could not be computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RiskError {
    /// The covariance matrix is not `n x n` for `n` weights.
    DimensionMismatch {
        /// Number of weights.
        weights: usize,
        /// Rows of the covariance matrix.
        rows: usize,
        /// Columns of the covariance matrix.
        cols: usize,
    },
    /// A confidence level outside the open interval `(0, 1)` (or NaN).
    ConfidenceOutOfRange(f64),
    /// A portfolio value that is negative, NaN or infinite.
    InvalidValue(f64),
    /// `wᵀ Σ w` is negative or NaN: the covariance matrix is not positive semi-definite,
    /// or holds non-finite values.
    InvalidVariance(f64),
}

impl fmt::Display for RiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DimensionMismatch {
                weights,
                rows,
                cols,
            } => write!(
                f,
                "covariance matrix is {rows}x{cols}, expected {weights}x{weights} (one row per weight)"
            ),
            Self::ConfidenceOutOfRange(c) => {
                write!(
                    f,
                    "confidence level {c} is outside the open interval (0, 1)"
                )
            }
            Self::InvalidValue(v) => {
                write!(f, "portfolio value {v} must be non-negative and finite")
            }
            Self::InvalidVariance(v) => write!(
                f,
                "portfolio variance {v} is invalid: is the covariance positive semi-definite?"
            ),
        }
    }
}

impl std::error::Error for RiskError {}

/// Portfolio variance `wᵀ Σ w` of the returns.
///
/// A variance within rounding of zero but negative (a singular covariance, e.g. a hedged
/// portfolio) is returned as 0; a clearly negative one is an error.
///
/// ```
/// use finance::linalg::Matrix;
/// let cov = Matrix::from_rows(&[[0.04, 0.01], [0.01, 0.09]])?;
/// let v = finance::risk::portfolio_variance(&[0.5, 0.5], &cov)?;
/// assert!((v - 0.0375).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn portfolio_variance(weights: &[f64], cov: &Matrix) -> Result<f64, RiskError> {
    let n = weights.len();
    if cov.shape() != (n, n) {
        return Err(RiskError::DimensionMismatch {
            weights: n,
            rows: cov.rows(),
            cols: cov.cols(),
        });
    }
    let variance = dot(weights, &cov.mul_vec(weights));
    if variance >= 0.0 {
        return Ok(variance);
    }
    // Rounding can leave a true zero (a perfect hedge) slightly negative. The rounding error
    // of the sum is a few ulps of Σ |wᵢ Σᵢⱼ wⱼ|, so anything within 1e-12 of that is zero.
    let bound: f64 = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| (weights[i] * cov[(i, j)] * weights[j]).abs())
        .sum();
    if variance >= -1e-12 * bound {
        Ok(0.0)
    } else {
        Err(RiskError::InvalidVariance(variance))
    }
}

/// Validates the inputs shared by VaR and ES and returns the portfolio volatility σ.
fn volatility(
    weights: &[f64],
    cov: &Matrix,
    confidence: f64,
    value: f64,
) -> Result<f64, RiskError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(RiskError::ConfidenceOutOfRange(confidence));
    }
    if !(value >= 0.0 && value.is_finite()) {
        return Err(RiskError::InvalidValue(value));
    }
    Ok(portfolio_variance(weights, cov)?.sqrt())
}

/// Parametric value at risk `V σ Φ⁻¹(c)` of a zero-mean normal portfolio, a positive loss in
/// the units of `value`.
///
/// `weights` are fractions of `value` (short positions negative), `cov` the covariance of
/// the asset returns over the horizon, `confidence` in `(0, 1)`.
///
/// ```
/// use finance::linalg::Matrix;
/// // One asset with 1% daily volatility, $1m position: 99% VaR = 1m × 0.01 × 2.326.
/// let cov = Matrix::from_rows(&[[0.0001]])?;
/// let var = finance::risk::parametric_var(&[1.0], &cov, 0.99, 1e6)?;
/// assert!((var - 23_263.478_740_408_4).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parametric_var(
    weights: &[f64],
    cov: &Matrix,
    confidence: f64,
    value: f64,
) -> Result<f64, RiskError> {
    let sigma = volatility(weights, cov, confidence, value)?;
    Ok(value * sigma * normal::inv_cdf(confidence))
}

/// Parametric expected shortfall `V σ φ(z) / (1 - c)` with `z = Φ⁻¹(c)`: the mean loss on the
/// days the loss exceeds the VaR, for a zero-mean normal portfolio. Same arguments as
/// [`parametric_var`]; always at least the VaR.
///
/// ```
/// use finance::linalg::Matrix;
/// let cov = Matrix::from_rows(&[[0.0001]])?;
/// let es = finance::risk::parametric_es(&[1.0], &cov, 0.975, 1e6)?;
/// // Basel's 97.5% ES is close to the 99% VaR: 2.338 σ against 2.326 σ.
/// assert!((es - 23_378.027_922_014_175).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parametric_es(
    weights: &[f64],
    cov: &Matrix,
    confidence: f64,
    value: f64,
) -> Result<f64, RiskError> {
    let sigma = volatility(weights, cov, confidence, value)?;
    let z = normal::inv_cdf(confidence);
    Ok(value * sigma * normal::pdf(z) / (1.0 - confidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three assets, daily: vols 1%, 2%, 1.5%; correlations 0.3, 0.5, 0.2.
    fn cov() -> Matrix {
        let vol = [0.01, 0.02, 0.015];
        let corr = [[1.0, 0.3, 0.5], [0.3, 1.0, 0.2], [0.5, 0.2, 1.0]];
        Matrix::from_fn(3, 3, |i, j| corr[i][j] * vol[i] * vol[j])
    }

    const W: [f64; 3] = [0.5, 0.2, 0.3];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs()
    }

    #[test]
    fn matches_closed_form_reference() {
        // Reference: NumPy 2.4 and Python's statistics.NormalDist:
        // s = np.sqrt(w @ C @ w); z = NormalDist().inv_cdf(c)
        // var = 1e6 * s * z; es = 1e6 * s * NormalDist().pdf(z) / (1 - c)
        let cases = [
            (0.95, 16_689.388_802_443_38, 20_929.166_868_224_13),
            (0.99, 23_604.121_074_021_04, 27_042.404_039_070_45),
            (0.975, 19_886.633_339_770_207, 23_720.347_575_728_865),
        ];
        for (c, var, es) in cases {
            let got_var = parametric_var(&W, &cov(), c, 1e6).unwrap();
            let got_es = parametric_es(&W, &cov(), c, 1e6).unwrap();
            assert!(close(got_var, var), "VaR at {c}: {got_var} vs {var}");
            assert!(close(got_es, es), "ES at {c}: {got_es} vs {es}");
            assert!(got_es > got_var);
        }
    }

    #[test]
    fn diversification_lowers_var() {
        let alone: f64 = (0..3)
            .map(|i| {
                let mut w = [0.0; 3];
                w[i] = W[i];
                parametric_var(&w, &cov(), 0.99, 1.0).unwrap()
            })
            .sum();
        assert!(parametric_var(&W, &cov(), 0.99, 1.0).unwrap() < alone);
    }

    #[test]
    fn a_perfect_hedge_has_no_risk() {
        // Two perfectly correlated assets, hedged in the ratio of their vols: wᵀΣw is 0 in
        // exact arithmetic but -7.6e-19 in floating point, which must count as 0.
        let (s1, s2) = (0.11, 0.431);
        let c = Matrix::from_rows(&[[s1 * s1, s1 * s2], [s2 * s1, s2 * s2]]).unwrap();
        let w = [s2, -s1];
        assert!(dot(&w, &c.mul_vec(&w)) < 0.0);
        assert_eq!(portfolio_variance(&w, &c), Ok(0.0));
        assert_eq!(parametric_var(&w, &c, 0.99, 1e6), Ok(0.0));
    }

    #[test]
    fn invalid_input_is_an_error() {
        use RiskError::*;
        assert_eq!(
            parametric_var(&[1.0, 0.0], &cov(), 0.99, 1.0),
            Err(DimensionMismatch {
                weights: 2,
                rows: 3,
                cols: 3
            })
        );
        assert_eq!(
            parametric_es(&W, &cov(), 1.0, 1.0),
            Err(ConfidenceOutOfRange(1.0))
        );
        assert!(matches!(
            parametric_var(&W, &cov(), f64::NAN, 1.0),
            Err(ConfidenceOutOfRange(_))
        ));
        assert_eq!(
            parametric_var(&W, &cov(), 0.99, -1.0),
            Err(InvalidValue(-1.0))
        );
        let indefinite = Matrix::from_rows(&[[1.0, 2.0], [2.0, 1.0]]).unwrap();
        assert_eq!(
            parametric_var(&[1.0, -1.0], &indefinite, 0.99, 1.0),
            Err(InvalidVariance(-2.0))
        );
        let msg = parametric_var(&[1.0], &cov(), 0.99, 1.0)
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "covariance matrix is 3x3, expected 1x1 (one row per weight)"
        );
    }
}
