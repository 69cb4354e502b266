//! Returns, their mean, covariance and correlation.

use finance::linalg::Matrix;

/// Trading days per year, to annualise.
pub const PERIODS_PER_YEAR: f64 = 252.0;

/// What the risk stages need from the price history.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskInputs {
    /// Daily log returns, `(days - 1) × assets`.
    pub returns: Matrix,
    /// Mean daily log return of each asset.
    pub mean: Vec<f64>,
    /// Sample covariance of the daily log returns (`finance::linalg::covariance`).
    pub cov: Matrix,
    /// Their correlation (`finance::linalg::correlation`).
    pub corr: Matrix,
    /// Annualised volatility of each asset: `sqrt(cov[i][i] × 252)`.
    pub vols: Vec<f64>,
}

/// Daily log returns `ln(P[t+1][j] / P[t][j])` of a `days × assets` price matrix, a
/// `(days - 1) × assets` matrix, computed in parallel over days (rows are independent).
pub fn log_returns(prices: &Matrix) -> Matrix {
    let _ = (prices,);
    todo!("log_returns: ln(P[t+1][j] / P[t][j]) for every day t and asset j, in parallel over days")
}

/// Returns, mean, covariance, correlation and annualised volatilities of a price matrix
/// with at least 3 days (2 returns).
pub fn risk_inputs(prices: &Matrix) -> RiskInputs {
    let _ = (prices,);
    todo!(
        "risk_inputs: log returns, their mean, finance::linalg::covariance and correlation, annualised vols"
    )
}

/// Daily simple returns of the portfolio rebalanced to `weights` every day:
/// `r[t] = Σ_j weights[j] × (P[t+1][j] / P[t][j] - 1)`, for `t` in `0..days - 1`.
/// Historical VaR and the bootstrap work on these returns, never on price levels.
pub fn portfolio_returns(prices: &Matrix, weights: &[f64]) -> Vec<f64> {
    let _ = (prices, weights);
    todo!("portfolio_returns: sum over assets of weight x simple return, for each day")
}
