//! Descriptive statistics and historical risk measures of return series.
//!
//! Every function validates its input and returns [`StatsError`] rather than a silent `NaN`:
//! an empty slice, too few observations, a probability out of range or a non-finite value
//! are caller errors that should surface where they happen.
//!
//! Conventions: returns are per period (e.g. daily simple returns), and [`var`] and
//! [`expected_shortfall`] report *losses as positive numbers* (a 95% VaR of 0.02 means "a
//! loss of 2% or more happens on about 5% of days").

use std::fmt;

/// Why a statistic could not be computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StatsError {
    /// The input slice is empty.
    Empty,
    /// The statistic needs at least `needed` observations; `got` were given.
    TooFew {
        /// Minimum number of observations.
        needed: usize,
        /// Number of observations given.
        got: usize,
    },
    /// The value at `index` is NaN or infinite.
    NonFinite {
        /// Position of the offending value.
        index: usize,
    },
    /// A price at `index` is zero or negative.
    NonPositive {
        /// Position of the offending price.
        index: usize,
        /// The offending price.
        value: f64,
    },
    /// A quantile level outside `[0, 1]` (or NaN).
    QuantileOutOfRange(f64),
    /// A confidence level outside the open interval `(0, 1)` (or NaN).
    ConfidenceOutOfRange(f64),
    /// An annualisation factor that is not positive and finite.
    InvalidPeriods(f64),
    /// All observations are equal, so a ratio with the standard deviation is undefined.
    ZeroVariance,
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "no observations"),
            Self::TooFew { needed, got } => {
                write!(f, "needs at least {needed} observations, got {got}")
            }
            Self::NonFinite { index } => write!(f, "value at index {index} is not finite"),
            Self::NonPositive { index, value } => {
                write!(f, "price at index {index} is {value}, must be positive")
            }
            Self::QuantileOutOfRange(q) => write!(f, "quantile level {q} is outside [0, 1]"),
            Self::ConfidenceOutOfRange(c) => {
                write!(
                    f,
                    "confidence level {c} is outside the open interval (0, 1)"
                )
            }
            Self::InvalidPeriods(p) => {
                write!(f, "periods per year {p} must be positive and finite")
            }
            Self::ZeroVariance => write!(f, "all observations are equal (zero variance)"),
        }
    }
}

impl std::error::Error for StatsError {}

/// Checks that `xs` is non-empty and all finite.
fn require_finite(xs: &[f64]) -> Result<(), StatsError> {
    if xs.is_empty() {
        return Err(StatsError::Empty);
    }
    match xs.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(StatsError::NonFinite { index }),
        None => Ok(()),
    }
}

/// Arithmetic mean.
///
/// ```
/// assert_eq!(finance::stats::mean(&[1.0, 2.0, 6.0]), Ok(3.0));
/// assert!(finance::stats::mean(&[]).is_err());
/// ```
pub fn mean(xs: &[f64]) -> Result<f64, StatsError> {
    require_finite(xs)?;
    Ok(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Sample standard deviation (divisor `n - 1`, NumPy's `std(ddof=1)`); needs two observations.
///
/// Computed in two passes (mean first, then squared deviations): the one-pass formula
/// `E[x²] - E[x]²` subtracts two nearly equal numbers when the mean is large next to the
/// spread (prices, say) and loses most of its digits.
///
/// ```
/// let s = finance::stats::std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
/// assert!((s - 2.138_089_935_299_395).abs() < 1e-15);
/// ```
pub fn std_dev(xs: &[f64]) -> Result<f64, StatsError> {
    if xs.len() < 2 {
        return Err(StatsError::TooFew {
            needed: 2,
            got: xs.len(),
        });
    }
    let m = mean(xs)?;
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    Ok((ss / (xs.len() - 1) as f64).sqrt())
}

/// The `q`-quantile of `xs`, `q` in `[0, 1]`, identical to NumPy's default (`method='linear'`).
///
/// With the sorted values `x_0 <= ... <= x_{n-1}` and `h = (n - 1) q`, the result interpolates
/// linearly between `x_⌊h⌋` and `x_⌊h⌋+1`. Only those two order statistics are needed, so
/// they are found by selection in O(n) rather than by sorting.
///
/// ```
/// use finance::stats::quantile;
/// assert_eq!(quantile(&[3.0, 1.0, 2.0, 4.0], 0.5), Ok(2.5));
/// assert_eq!(quantile(&[3.0, 1.0, 2.0, 4.0], 1.0), Ok(4.0));
/// ```
pub fn quantile(xs: &[f64], q: f64) -> Result<f64, StatsError> {
    require_finite(xs)?;
    if !(0.0..=1.0).contains(&q) {
        return Err(StatsError::QuantileOutOfRange(q));
    }
    let mut v = xs.to_vec();
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let t = h - lo as f64;
    let (_, &mut a, above) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let Some(b) = above.iter().copied().min_by(f64::total_cmp) else {
        return Ok(a); // h = n - 1: the maximum, nothing to interpolate
    };
    // NumPy's `_lerp`: interpolate from the nearer end, so q = 1 gives exactly b.
    Ok(if t < 0.5 {
        a + (b - a) * t
    } else {
        b - (b - a) * (1.0 - t)
    })
}

/// Checks a confidence level in the open interval `(0, 1)`.
fn check_confidence(confidence: f64) -> Result<(), StatsError> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(StatsError::ConfidenceOutOfRange(confidence))
    }
}

/// Historical value at risk: `VaR = -quantile(returns, 1 - confidence)`, a positive loss.
///
/// The quantile is NumPy's linear one (see [`quantile`]). `confidence` must lie in `(0, 1)`.
///
/// ```
/// let returns = [-0.05, -0.02, 0.0, 0.01, 0.03];
/// // h = 4 × 0.25 = 1: the second smallest return.
/// assert_eq!(finance::stats::var(&returns, 0.75), Ok(0.02));
/// ```
pub fn var(returns: &[f64], confidence: f64) -> Result<f64, StatsError> {
    check_confidence(confidence)?;
    Ok(-quantile(returns, 1.0 - confidence)?)
}

/// Historical expected shortfall: the mean loss over the days whose loss reaches the VaR.
///
/// Precisely, `ES = mean{ -r : r in returns, r <= -VaR }` with `VaR` from [`var`]; in NumPy,
/// `-r[r <= np.quantile(r, 1 - c)].mean()`. The set is never empty (the smallest return is
/// at or below any quantile) and every loss in it is at least the VaR, so `ES >= VaR`.
///
/// ```
/// let returns = [-0.05, -0.02, 0.0, 0.01, 0.03];
/// let es = finance::stats::expected_shortfall(&returns, 0.75).unwrap();
/// assert!((es - 0.035).abs() < 1e-15); // mean of the losses 0.05 and 0.02
/// ```
pub fn expected_shortfall(returns: &[f64], confidence: f64) -> Result<f64, StatsError> {
    let threshold = -var(returns, confidence)?;
    let (sum, count) = returns
        .iter()
        .filter(|&&r| r <= threshold)
        .fold((0.0, 0usize), |(s, c), &r| (s + r, c + 1));
    Ok(-sum / count as f64)
}

/// Annualised Sharpe ratio `mean / std_dev * sqrt(periods_per_year)`, risk-free rate 0.
///
/// Pass excess returns to account for a risk-free rate. Uses the sample standard deviation;
/// errors if all returns are equal (`ZeroVariance`) or `periods_per_year` is not positive.
///
/// ```
/// use finance::stats::{mean, sharpe, std_dev};
/// let daily = [0.01, -0.005, 0.02, 0.0];
/// let by_hand = mean(&daily).unwrap() / std_dev(&daily).unwrap() * 252f64.sqrt();
/// assert_eq!(sharpe(&daily, 252.0), Ok(by_hand));
/// ```
pub fn sharpe(returns: &[f64], periods_per_year: f64) -> Result<f64, StatsError> {
    if !(periods_per_year > 0.0 && periods_per_year.is_finite()) {
        return Err(StatsError::InvalidPeriods(periods_per_year));
    }
    let sd = std_dev(returns)?;
    if sd == 0.0 {
        return Err(StatsError::ZeroVariance);
    }
    Ok(mean(returns)? / sd * periods_per_year.sqrt())
}

/// Maximum drawdown of a price path: the largest fall from a running peak, as a positive
/// fraction of that peak (`0.25` = the price once stood 25% below its previous high).
///
/// Prices must be positive and finite; a single price, or a path that never falls, gives 0.
///
/// ```
/// let mdd = finance::stats::max_drawdown(&[100.0, 120.0, 90.0, 110.0, 95.0]).unwrap();
/// assert!((mdd - 0.25).abs() < 1e-15);
/// ```
pub fn max_drawdown(prices: &[f64]) -> Result<f64, StatsError> {
    require_finite(prices)?;
    if let Some(index) = prices.iter().position(|&p| p <= 0.0) {
        return Err(StatsError::NonPositive {
            index,
            value: prices[index],
        });
    }
    let mut peak = prices[0];
    let mut worst = 0.0_f64;
    for &p in prices {
        peak = peak.max(p);
        worst = worst.max((peak - p) / peak);
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 daily returns: `np.round(np.random.default_rng(42).normal(0.0005, 0.012, 20), 6)`.
    /// Every reference value below was computed from them with NumPy 2.4.
    const R: [f64; 20] = [
        0.004157, -0.01198, 0.009505, 0.011787, -0.022912, -0.015126, 0.002034, -0.003295,
        0.000298, -0.009737, 0.011053, 0.009834, 0.001292, 0.014027, 0.00611, -0.009812, 0.004925,
        -0.011007, 0.011041, -9.9e-05,
    ];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-14 * b.abs().max(1e-3)
    }

    #[test]
    fn mean_and_std_match_numpy() {
        assert!(close(mean(&R).unwrap(), 0.00010475000000000016)); // r.mean()
        assert!(close(std_dev(&R).unwrap(), 0.010442173406936235)); // r.std(ddof=1)
    }

    #[test]
    fn quantile_matches_numpy_linear() {
        // np.quantile(r, q)
        let cases = [
            (0.0, -0.022912),
            (0.01, -0.02143266),
            (0.05, -0.0155153),
            (0.25, -0.00975575),
            (0.5, 0.001663),
            (0.9, 0.011126400000000002),
            (1.0, 0.014027),
        ];
        for (q, expected) in cases {
            let got = quantile(&R, q).unwrap();
            assert!(close(got, expected), "q={q}: {got} vs {expected}");
        }
        assert_eq!(quantile(&[7.0], 0.3), Ok(7.0));
    }

    #[test]
    fn var_and_es_match_numpy() {
        // v = -np.quantile(r, 1 - c); es = -r[r <= -v].mean()
        let cases = [
            (0.99, 0.02143266, 0.022912),
            (0.95, 0.015515299999999994, 0.022912),
            (0.9, 0.012294600000000001, 0.019019),
            (0.8, 0.010051000000000001, 0.015256249999999999),
            (0.75, 0.00975575, 0.0141674),
        ];
        for (c, v, es) in cases {
            assert!(close(var(&R, c).unwrap(), v), "VaR at {c}");
            assert!(close(expected_shortfall(&R, c).unwrap(), es), "ES at {c}");
            assert!(expected_shortfall(&R, c).unwrap() >= var(&R, c).unwrap());
        }
    }

    #[test]
    fn sharpe_and_drawdown_match_numpy() {
        // r.mean() / r.std(ddof=1) * np.sqrt(252)
        assert!(close(sharpe(&R, 252.0).unwrap(), 0.15924411846096553));
        // peak = np.maximum.accumulate(p); ((peak - p) / peak).max()
        let p = [
            100.0, 104.0, 101.0, 98.0, 103.0, 110.0, 99.0, 95.0, 97.0, 112.0, 108.0,
        ];
        assert!(close(max_drawdown(&p).unwrap(), 0.13636363636363635));
        assert_eq!(max_drawdown(&[1.0, 2.0, 3.0]), Ok(0.0));
    }

    #[test]
    fn invalid_input_is_an_error() {
        use StatsError::*;
        assert_eq!(mean(&[]), Err(Empty));
        assert_eq!(std_dev(&[1.0]), Err(TooFew { needed: 2, got: 1 }));
        assert_eq!(mean(&[1.0, f64::NAN]), Err(NonFinite { index: 1 }));
        assert_eq!(
            quantile(&[1.0, f64::INFINITY], 0.5),
            Err(NonFinite { index: 1 })
        );
        assert_eq!(quantile(&R, 1.5), Err(QuantileOutOfRange(1.5)));
        assert!(matches!(quantile(&R, f64::NAN), Err(QuantileOutOfRange(_))));
        assert_eq!(var(&R, 1.0), Err(ConfidenceOutOfRange(1.0)));
        assert_eq!(expected_shortfall(&R, 0.0), Err(ConfidenceOutOfRange(0.0)));
        assert_eq!(var(&[], 0.95), Err(Empty));
        assert_eq!(sharpe(&[0.01, 0.01], 252.0), Err(ZeroVariance));
        assert_eq!(sharpe(&R, 0.0), Err(InvalidPeriods(0.0)));
        assert_eq!(
            max_drawdown(&[1.0, -2.0]),
            Err(NonPositive {
                index: 1,
                value: -2.0
            })
        );
    }

    #[test]
    fn errors_explain_themselves() {
        let msg = var(&R, 95.0).unwrap_err().to_string();
        assert!(msg.contains("95") && msg.contains("(0, 1)"), "{msg}");
        let msg = std_dev(&[]).unwrap_err().to_string();
        assert_eq!(msg, "needs at least 2 observations, got 0");
    }
}
