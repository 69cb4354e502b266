//! Returns, their mean, covariance and correlation.

// BEGIN SOLUTION
use finance::linalg::{Matrix, correlation, covariance};
use rayon::prelude::*;
// END SOLUTION use finance::linalg::Matrix;

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
    // BEGIN SOLUTION
    let (days, assets) = prices.shape();
    let rows = days.saturating_sub(1);
    let mut out = Matrix::zeros(rows, assets);
    out.as_mut_slice()
        .par_chunks_mut(assets.max(1))
        .enumerate()
        .for_each(|(t, row)| {
            let (p0, p1) = (prices.row(t), prices.row(t + 1));
            for j in 0..assets {
                row[j] = (p1[j] / p0[j]).ln();
            }
        });
    out
    // STUB
    // let _ = (prices,);
    // todo!("log_returns: ln(P[t+1][j] / P[t][j]) for every day t and asset j, in parallel over days")
    // END SOLUTION
}

/// Returns, mean, covariance, correlation and annualised volatilities of a price matrix
/// with at least 3 days (2 returns).
pub fn risk_inputs(prices: &Matrix) -> RiskInputs {
    // BEGIN SOLUTION
    let returns = log_returns(prices);
    let (n, assets) = returns.shape();
    let mean = (0..assets)
        .map(|j| returns.iter_rows().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let cov = covariance(&returns);
    let corr = correlation(&returns);
    let vols = (0..assets)
        .map(|j| (cov[(j, j)] * PERIODS_PER_YEAR).sqrt())
        .collect();
    RiskInputs {
        returns,
        mean,
        cov,
        corr,
        vols,
    }
    // STUB
    // let _ = (prices,);
    // todo!(
    //     "risk_inputs: log returns, their mean, finance::linalg::covariance and correlation, annualised vols"
    // )
    // END SOLUTION
}

/// Daily simple returns of the portfolio rebalanced to `weights` every day:
/// `r[t] = Σ_j weights[j] × (P[t+1][j] / P[t][j] - 1)`, for `t` in `0..days - 1`.
/// Historical VaR and the bootstrap work on these returns, never on price levels.
pub fn portfolio_returns(prices: &Matrix, weights: &[f64]) -> Vec<f64> {
    // BEGIN SOLUTION
    let days = prices.rows();
    (0..days.saturating_sub(1))
        .into_par_iter()
        .map(|t| {
            let (p0, p1) = (prices.row(t), prices.row(t + 1));
            weights
                .iter()
                .zip(p0.iter().zip(p1))
                .map(|(w, (a, b))| w * (b / a - 1.0))
                .sum()
        })
        .collect()
    // STUB
    // let _ = (prices, weights);
    // todo!("portfolio_returns: sum over assets of weight x simple return, for each day")
    // END SOLUTION
}
