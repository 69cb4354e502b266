//! Black-Scholes-Merton prices, greeks and implied volatility, and the closed forms of two
//! exotic options: the discretely sampled geometric Asian and the continuously monitored
//! barrier option.
//!
//! The model: under the risk-neutral measure the stock follows
//! dS = (r − q) S dt + σ S dW, with a constant rate r, dividend yield q and volatility σ
//! (R. C. Merton, "Theory of rational option pricing", *Bell Journal of Economics* 4 (1973);
//! J. C. Hull, *Options, Futures and Other Derivatives*, ch. 15 and 17).
//!
//! # Degenerate and invalid inputs
//!
//! * Expiry 0 gives the intrinsic value; volatility 0 gives the discounted intrinsic value of
//!   the forward, max(±(S e^{−qT} − K e^{−rT}), 0): the limits of the formulas, computed
//!   without dividing by σ√T = 0.
//! * A negative or non-finite spot, strike, volatility or expiry, or a non-finite rate or
//!   dividend, makes the contract invalid: [`Contract::validate`] returns an error naming the
//!   field, and the pricing functions return NaN (or all-NaN [`Greeks`]), which propagates
//!   visibly rather than producing a plausible wrong number.
//!
//! ```
//! use finance::bs::{self, Contract};
//!
//! // Hull, Options, Futures and Other Derivatives, Example 15.6.
//! let call = Contract::call(42.0, 40.0, 0.10, 0.20, 0.5);
//! assert!((bs::price(&call) - 4.76).abs() < 0.005);
//! let vol = bs::implied_vol(&call, bs::price(&call)).unwrap();
//! assert!((vol - 0.20).abs() < 1e-12);
//! ```

use crate::normal::{cdf, pdf};
use std::fmt;

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionKind {
    /// The right to buy at the strike: pays max(S − K, 0).
    Call,
    /// The right to sell at the strike: pays max(K − S, 0).
    Put,
}

impl OptionKind {
    /// φ = +1 for a call, −1 for a put: the payoff is max(φ(S − K), 0).
    #[inline]
    pub fn sign(self) -> f64 {
        match self {
            OptionKind::Call => 1.0,
            OptionKind::Put => -1.0,
        }
    }
}

/// A European option on a stock with a continuous dividend yield.
///
/// Rates, yields and volatilities are annual and continuously compounded; times in years.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contract {
    /// Call or put.
    pub kind: OptionKind,
    /// Spot price S (≥ 0).
    pub spot: f64,
    /// Strike K (≥ 0).
    pub strike: f64,
    /// Risk-free rate r (any sign).
    pub rate: f64,
    /// Dividend yield q (any sign; for a currency, the foreign rate).
    pub dividend: f64,
    /// Volatility σ (≥ 0).
    pub vol: f64,
    /// Time to expiry T in years (≥ 0).
    pub expiry: f64,
}

impl Contract {
    /// A call on a stock without dividends.
    ///
    /// ```
    /// let c = finance::bs::Contract::call(100.0, 95.0, 0.05, 0.2, 1.0);
    /// assert_eq!(c.dividend, 0.0);
    /// ```
    pub fn call(spot: f64, strike: f64, rate: f64, vol: f64, expiry: f64) -> Self {
        let kind = OptionKind::Call;
        Self {
            kind,
            spot,
            strike,
            rate,
            dividend: 0.0,
            vol,
            expiry,
        }
    }

    /// A put on a stock without dividends.
    pub fn put(spot: f64, strike: f64, rate: f64, vol: f64, expiry: f64) -> Self {
        let kind = OptionKind::Put;
        Self {
            kind,
            spot,
            strike,
            rate,
            dividend: 0.0,
            vol,
            expiry,
        }
    }

    /// The same contract with dividend yield `dividend`.
    ///
    /// ```
    /// let c = finance::bs::Contract::put(100.0, 95.0, 0.05, 0.2, 1.0).with_dividend(0.03);
    /// assert_eq!(c.dividend, 0.03);
    /// ```
    pub fn with_dividend(self, dividend: f64) -> Self {
        Self { dividend, ..self }
    }

    /// The payoff at expiry when the stock ends at `spot_at_expiry`.
    ///
    /// ```
    /// let c = finance::bs::Contract::put(100.0, 95.0, 0.05, 0.2, 1.0);
    /// assert_eq!(c.payoff(90.0), 5.0);
    /// assert_eq!(c.payoff(120.0), 0.0);
    /// ```
    #[inline]
    pub fn payoff(&self, spot_at_expiry: f64) -> f64 {
        (self.kind.sign() * (spot_at_expiry - self.strike)).max(0.0)
    }

    /// Checks every field; the error names the first invalid one.
    ///
    /// Spot, strike, volatility and expiry must be finite and non-negative; rate and dividend
    /// must be finite (negative rates exist).
    ///
    /// ```
    /// use finance::bs::{Contract, ContractError};
    ///
    /// assert!(Contract::call(100.0, 95.0, 0.05, 0.2, 1.0).validate().is_ok());
    /// let bad = Contract::call(100.0, 95.0, 0.05, -0.2, 1.0);
    /// assert_eq!(bad.validate(), Err(ContractError::Negative { field: "vol", value: -0.2 }));
    /// ```
    pub fn validate(&self) -> Result<(), ContractError> {
        for (field, value) in [("spot", self.spot), ("strike", self.strike)] {
            non_negative(field, value)?;
        }
        for (field, value) in [("rate", self.rate), ("dividend", self.dividend)] {
            finite(field, value)?;
        }
        for (field, value) in [("vol", self.vol), ("expiry", self.expiry)] {
            non_negative(field, value)?;
        }
        Ok(())
    }

    /// e^{−rT}.
    #[inline]
    fn discount(&self) -> f64 {
        (-self.rate * self.expiry).exp()
    }

    /// The spot and the strike, each discounted to today from expiry: S e^{−qT} and K e^{−rT}.
    #[inline]
    fn discounted_spot_strike(&self) -> (f64, f64) {
        (
            (-self.dividend * self.expiry).exp() * self.spot,
            self.discount() * self.strike,
        )
    }
}

fn finite(field: &'static str, value: f64) -> Result<(), ContractError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ContractError::NotFinite { field, value })
    }
}

fn non_negative(field: &'static str, value: f64) -> Result<(), ContractError> {
    finite(field, value)?;
    if value < 0.0 {
        Err(ContractError::Negative { field, value })
    } else {
        Ok(())
    }
}

fn positive(field: &'static str, value: f64) -> Result<(), ContractError> {
    finite(field, value)?;
    if value > 0.0 {
        Ok(())
    } else {
        Err(ContractError::NotPositive { field, value })
    }
}

/// Why a [`Contract`] (or a [`Barrier`]) is invalid; `field` names the offending field.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ContractError {
    /// The field is NaN or infinite.
    NotFinite {
        /// The field's name, as in the struct.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// The field must not be negative.
    Negative {
        /// The field's name, as in the struct.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// The field must be strictly positive (a barrier level).
    NotPositive {
        /// The field's name, as in the struct.
        field: &'static str,
        /// Its value.
        value: f64,
    },
}

impl ContractError {
    /// The name of the invalid field.
    pub fn field(&self) -> &'static str {
        match *self {
            Self::NotFinite { field, .. }
            | Self::Negative { field, .. }
            | Self::NotPositive { field, .. } => field,
        }
    }
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite { field, value } => write!(f, "{field} must be finite, got {value}"),
            Self::Negative { field, value } => {
                write!(f, "{field} must not be negative, got {value}")
            }
            Self::NotPositive { field, value } => {
                write!(f, "{field} must be positive, got {value}")
            }
        }
    }
}

impl std::error::Error for ContractError {}

/// The Black-Scholes-Merton price of a European option.
///
/// With F = S e^{(r−q)T}, d₁ = (ln(F/K) + σ²T/2)/(σ√T) and d₂ = d₁ − σ√T:
/// call = S e^{−qT} N(d₁) − K e^{−rT} N(d₂), put = K e^{−rT} N(−d₂) − S e^{−qT} N(−d₁).
///
/// Expiry 0 gives the intrinsic value, volatility 0 the discounted intrinsic value of the
/// forward; an invalid contract (see [`Contract::validate`]) gives NaN. The result is never
/// negative.
///
/// ```
/// use finance::bs::{self, Contract};
///
/// // Hull, Example 15.6: the put is 0.81.
/// let put = Contract::put(42.0, 40.0, 0.10, 0.20, 0.5);
/// assert!((bs::price(&put) - 0.81).abs() < 0.005);
/// ```
pub fn price(c: &Contract) -> f64 {
    if c.validate().is_err() {
        return f64::NAN;
    }
    let (s, k) = c.discounted_spot_strike();
    let sd = c.vol * c.expiry.sqrt();
    let phi = c.kind.sign();
    if sd == 0.0 || s == 0.0 || k == 0.0 {
        // The terminal price is certain (or the option is a forward, or worthless): the
        // value is the discounted intrinsic value of the forward.
        return (phi * (s - k)).max(0.0);
    }
    let d1 = (s / k).ln() / sd + 0.5 * sd;
    let d2 = d1 - sd;
    // The difference of two rounded terms can come out a hair below zero far out of the
    // money; a price is never negative.
    (phi * (s * cdf(phi * d1) - k * cdf(phi * d2))).max(0.0)
}

/// Sensitivities of the price.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Greeks {
    /// ∂V/∂S.
    pub delta: f64,
    /// ∂²V/∂S².
    pub gamma: f64,
    /// ∂V/∂σ, per unit of volatility (divide by 100 for "per vol point").
    pub vega: f64,
    /// ∂V/∂t = −∂V/∂T, per year of calendar time (divide by 365 for "per day").
    pub theta: f64,
    /// ∂V/∂r, per unit of rate (divide by 100 for "per percentage point").
    pub rho: f64,
}

/// The closed-form greeks of [`price`].
///
/// With volatility or expiry 0 they are the derivatives of the intrinsic value of the forward
/// (at the money forward, the kink, counted as out of the money); an invalid contract gives
/// NaN in every field.
///
/// ```
/// use finance::bs::{self, Contract};
///
/// let g = bs::greeks(&Contract::call(100.0, 100.0, 0.05, 0.2, 1.0));
/// assert!((g.delta - 0.636_830_651_175_619).abs() < 1e-12);
/// assert!(g.gamma > 0.0 && g.vega > 0.0 && g.theta < 0.0 && g.rho > 0.0);
/// ```
pub fn greeks(c: &Contract) -> Greeks {
    if c.validate().is_err() {
        let nan = f64::NAN;
        return Greeks {
            delta: nan,
            gamma: nan,
            vega: nan,
            theta: nan,
            rho: nan,
        };
    }
    let (s, k) = c.discounted_spot_strike();
    let dq = (-c.dividend * c.expiry).exp();
    let (r, q, t) = (c.rate, c.dividend, c.expiry);
    let sqrt_t = t.sqrt();
    let sd = c.vol * sqrt_t;
    let phi = c.kind.sign();
    if sd == 0.0 || s == 0.0 || k == 0.0 {
        // V = max(φ(S e^{−qT} − K e^{−rT}), 0): linear in S where it is in the money.
        let itm = if phi * (s - k) > 0.0 { 1.0 } else { 0.0 };
        return Greeks {
            delta: itm * phi * dq,
            gamma: 0.0,
            vega: 0.0,
            theta: itm * phi * (q * s - r * k),
            rho: itm * phi * t * k,
        };
    }
    let d1 = (s / k).ln() / sd + 0.5 * sd;
    let d2 = d1 - sd;
    let (n1, n2) = (cdf(phi * d1), cdf(phi * d2));
    let density = pdf(d1);
    Greeks {
        delta: phi * dq * n1,
        gamma: dq * density / (c.spot * sd),
        vega: s * density * sqrt_t,
        theta: -s * density * c.vol / (2.0 * sqrt_t) + phi * (q * s * n1 - r * k * n2),
        rho: phi * t * k * n2,
    }
}

/// Why [`implied_vol`] found no volatility.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImpliedVolError {
    /// The price is below the no-arbitrage lower bound, the discounted intrinsic value of the
    /// forward max(±(S e^{−qT} − K e^{−rT}), 0) (the price at volatility 0).
    BelowIntrinsic {
        /// The price given.
        price: f64,
        /// The lower bound.
        bound: f64,
    },
    /// The price is at or above the upper bound, S e^{−qT} for a call and K e^{−rT} for a put
    /// (the limit as volatility → ∞). When the price does not depend on the volatility
    /// (expiry, spot or strike 0), the bound is the price itself.
    AboveUpperBound {
        /// The price given.
        price: f64,
        /// The upper bound.
        bound: f64,
    },
    /// The contract is invalid (its volatility is ignored, but not its other fields).
    InvalidContract(ContractError),
    /// The price is NaN, or the solver failed to converge.
    NoConvergence,
}

impl fmt::Display for ImpliedVolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BelowIntrinsic { price, bound } => write!(
                f,
                "price {price} is below the lower no-arbitrage bound {bound} \
                 (discounted intrinsic value of the forward)"
            ),
            Self::AboveUpperBound { price, bound } => write!(
                f,
                "price {price} is not below the upper no-arbitrage bound {bound}"
            ),
            Self::InvalidContract(e) => write!(f, "invalid contract: {e}"),
            Self::NoConvergence => write!(f, "implied volatility did not converge"),
        }
    }
}

impl std::error::Error for ImpliedVolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidContract(e) => Some(e),
            _ => None,
        }
    }
}

/// The volatility σ at which [`price`] equals `price` (the `vol` field of `c` is ignored).
///
/// Recovers volatilities in [0.01, 3] to 1e-10 or better wherever the price depends on the
/// volatility at all in double precision (tested on a grid of strikes, expiries and
/// volatilities, down to prices of 1e-200). A price equal to the lower bound gives `Ok(0.0)`.
///
/// Method: only the time value, price − lower bound, carries information about σ, and by
/// put-call parity the time value of an in-the-money call (put) is the price of the put
/// (call) with the same strike, which is out of the money. So the solver matches that
/// out-of-the-money price P(σ), computed directly, to the target's time value P*. P increases
/// with σ from 0 to its upper bound; a bracket [lo, hi] of the root is kept, and Newton steps
/// are taken on ln P(σ) − ln P*, far less curved than P where P is exponentially small (deep
/// out of the money, small σ); a step that would leave the bracket is replaced by bisection,
/// so the iteration always converges. The start is the inflection point σ* = √(2|ln(F/K)|/T)
/// of P (Manaster and Koehler, *Journal of Finance* 37 (1982)), or Brenner and
/// Subrahmanyam's σ ≈ √(2π/T)·P*/S near the money.
///
/// ```
/// use finance::bs::{self, Contract, ImpliedVolError};
///
/// let c = Contract::call(100.0, 120.0, 0.03, 0.0, 0.5);
/// assert!((bs::implied_vol(&c, 2.5).unwrap() - 0.285_524_116_745_58).abs() < 1e-12);
/// // A call is worth less than the stock.
/// assert!(matches!(bs::implied_vol(&c, 101.0), Err(ImpliedVolError::AboveUpperBound { .. })));
/// ```
pub fn implied_vol(c: &Contract, price: f64) -> Result<f64, ImpliedVolError> {
    // The volatility field does not matter: validate the contract without it.
    let c = Contract { vol: 0.0, ..*c };
    c.validate().map_err(ImpliedVolError::InvalidContract)?;
    if price.is_nan() {
        return Err(ImpliedVolError::NoConvergence);
    }
    let (s, k) = c.discounted_spot_strike();
    let phi = c.kind.sign();
    let lower = (phi * (s - k)).max(0.0);
    let vol_matters = c.expiry > 0.0 && s > 0.0 && k > 0.0;
    let upper = match (vol_matters, c.kind) {
        (false, _) => lower,
        (true, OptionKind::Call) => s,
        (true, OptionKind::Put) => k,
    };
    if price < lower {
        return Err(ImpliedVolError::BelowIntrinsic {
            price,
            bound: lower,
        });
    }
    if price == lower {
        return Ok(0.0);
    }
    if price >= upper {
        return Err(ImpliedVolError::AboveUpperBound {
            price,
            bound: upper,
        });
    }

    let otm_kind = if s < k {
        OptionKind::Call
    } else {
        OptionKind::Put
    };
    let otm = Contract {
        kind: otm_kind,
        ..c
    };
    let target = (price - lower).ln();
    // ln P(σ) − ln P*, and its derivative vega/P.
    let objective = |vol: f64| {
        let c = Contract { vol, ..otm };
        let p = self::price(&c);
        // Where P underflows to 0 this is −∞ (below the root) with a NaN slope (bisection).
        (p.ln() - target, greeks(&c).vega / p)
    };

    // The bracket: objective(lo) < 0 <= objective(hi).
    let mut lo = 0.0;
    let mut hi = 1.0;
    while objective(hi).0 < 0.0 {
        lo = hi;
        hi *= 2.0;
        if hi > 1e6 {
            return Err(ImpliedVolError::NoConvergence);
        }
    }
    let sqrt_t = c.expiry.sqrt();
    let inflection = (2.0 * (s / k).ln().abs()).sqrt() / sqrt_t;
    let start = if inflection > 0.05 {
        inflection
    } else {
        (2.0 * std::f64::consts::PI).sqrt() * (price - lower) / (s * sqrt_t)
    };
    let mut vol = if start > lo && start < hi {
        start
    } else {
        0.5 * (lo + hi)
    };
    for _ in 0..100 {
        let (f, slope) = objective(vol);
        if f == 0.0 {
            return Ok(vol);
        }
        if f < 0.0 {
            lo = vol;
        } else {
            hi = vol;
        }
        let newton = vol - f / slope;
        // Also catches a NaN step (P underflowed to 0 far below the root).
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        // Stop when the step is at the level of rounding, or the bracket has collapsed.
        if (next - vol).abs() <= 4.0 * f64::EPSILON * vol || hi - lo <= 4.0 * f64::EPSILON * hi {
            return Ok(next);
        }
        vol = next;
    }
    Err(ImpliedVolError::NoConvergence)
}

/// A geometric-average Asian option with `fixings` equally spaced fixings ending at expiry,
/// t_i = iT/n for i = 1..n (the discrete version of A. Kemna and A. Vorst, "A pricing method
/// for options based on average asset values", *Journal of Banking and Finance* 14 (1990)).
///
/// The payoff is max(φ(G − K), 0) with G = (S_{t₁}⋯S_{tₙ})^{1/n}. Under the model ln G is
/// normal with mean m = ln S + (r − q − σ²/2)·T(n+1)/(2n) and variance
/// v = σ²T(n+1)(2n+1)/(6n²), so the price is Black's formula on the "forward" e^{m+v/2},
/// discounted at e^{−rT}. With one fixing this is the European option; as n → ∞ the
/// variance tends to σ²T/3, the continuous Kemna-Vorst case.
///
/// `fixings == 0` or an invalid contract gives NaN.
///
/// ```
/// use finance::bs::{self, Contract};
///
/// let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
/// // One fixing at expiry: the European option.
/// assert!((bs::asian_geometric(&c, 1) - bs::price(&c)).abs() < 1e-12);
/// // Averaging lowers the volatility, hence the price.
/// assert!(bs::asian_geometric(&c, 12) < bs::price(&c));
/// ```
pub fn asian_geometric(c: &Contract, fixings: usize) -> f64 {
    if fixings == 0 || c.validate().is_err() {
        return f64::NAN;
    }
    let n = fixings as f64;
    let t = c.expiry;
    let mean =
        c.spot.ln() + (c.rate - c.dividend - 0.5 * c.vol * c.vol) * t * (n + 1.0) / (2.0 * n);
    let var = c.vol * c.vol * t * (n + 1.0) * (2.0 * n + 1.0) / (6.0 * n * n);
    // Black's formula on the geometric average as if it were a stock with this forward.
    let df = c.discount();
    let forward = (mean + 0.5 * var).exp();
    let phi = c.kind.sign();
    let sd = var.sqrt();
    if sd == 0.0 || c.spot == 0.0 || c.strike == 0.0 {
        return df * (phi * (forward - c.strike)).max(0.0);
    }
    let d1 = (forward / c.strike).ln() / sd + 0.5 * sd;
    let d2 = d1 - sd;
    phi * df * (forward * cdf(phi * d1) - c.strike * cdf(phi * d2))
}

/// Which barrier: where it lies relative to the spot, and whether touching it kills the
/// option (out) or activates it (in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BarrierKind {
    /// Below the spot; the option dies when the spot falls to the barrier.
    DownOut,
    /// Below the spot; the option comes to life when the spot falls to the barrier.
    DownIn,
    /// Above the spot; the option dies when the spot rises to the barrier.
    UpOut,
    /// Above the spot; the option comes to life when the spot rises to the barrier.
    UpIn,
}

impl BarrierKind {
    /// True for the down barriers.
    pub fn is_down(self) -> bool {
        matches!(self, BarrierKind::DownOut | BarrierKind::DownIn)
    }

    /// True for the knock-out barriers.
    pub fn is_out(self) -> bool {
        matches!(self, BarrierKind::DownOut | BarrierKind::UpOut)
    }

    /// True when a spot at `spot` has reached a barrier at `level` (touching counts).
    #[inline]
    pub fn is_hit(self, spot: f64, level: f64) -> bool {
        if self.is_down() {
            spot <= level
        } else {
            spot >= level
        }
    }
}

/// A barrier and its rebate.
///
/// The rebate is cash paid to the holder of a knock-out option at the moment it is knocked
/// out, and to the holder of a knock-in option at expiry if it was never knocked in (the
/// conventions of Reiner and Rubinstein and of Haug).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Barrier {
    /// Which barrier.
    pub kind: BarrierKind,
    /// Barrier level H (> 0).
    pub level: f64,
    /// Cash rebate (≥ 0).
    pub rebate: f64,
}

impl Barrier {
    /// Checks the level (finite, positive) and the rebate (finite, non-negative).
    pub fn validate(&self) -> Result<(), ContractError> {
        positive("level", self.level)?;
        non_negative("rebate", self.rebate)
    }
}

/// A continuously monitored barrier option: the closed forms of M. Rubinstein and E. Reiner,
/// "Breaking down the barriers", *Risk* 4(8) (1991), as given by E. G. Haug, *The Complete
/// Guide to Option Pricing Formulas*, 2nd ed. (2007), section 4.17.1, with rebate.
///
/// Haug's building blocks A–F (with b = r − q, μ = (b − σ²/2)/σ², λ = √(μ² + 2r/σ²),
/// φ = ±1 for call/put and η = ±1 for down/up) combine into the eight cases:
///
/// | option | strike above barrier | strike below barrier |
/// |---|---|---|
/// | down-in call | C + E | A − B + D + E |
/// | up-in call | A + E | B − C + D + E |
/// | down-in put | B − C + D + E | A + E |
/// | up-in put | A − B + D + E | C + E |
/// | down-out call | A − C + F | B − D + F |
/// | up-out call | F | A − B + C − D + F |
/// | down-out put | A − B + C − D + F | F |
/// | up-out put | B − D + F | A − C + F |
///
/// Edge cases, all limits of the above: a spot already at or beyond the barrier means the
/// barrier was hit at time 0, so a knock-out option is worth its rebate and a knock-in option
/// is the vanilla option; expiry 0 (barrier not hit) gives the intrinsic value for a
/// knock-out and the rebate for a knock-in; volatility 0 follows the deterministic path
/// S e^{(r−q)t}. An invalid contract or barrier gives NaN, and so does a rebate with
/// μ² + 2r/σ² < 0 (a negative rate), where the rebate formula does not apply.
///
/// ```
/// use finance::bs::{self, Barrier, BarrierKind, Contract};
///
/// // Haug (2007), Table 4-13: down-and-out call, S = 100, K = 90, H = 95, rebate 3,
/// // T = 0.5, r = 8%, b = 4%, σ = 25%: 9.0246.
/// let c = Contract::call(100.0, 90.0, 0.08, 0.25, 0.5).with_dividend(0.04);
/// let b = Barrier { kind: BarrierKind::DownOut, level: 95.0, rebate: 3.0 };
/// assert!((bs::barrier(&c, &b) - 9.0246).abs() < 5e-5);
/// ```
pub fn barrier(c: &Contract, b: &Barrier) -> f64 {
    if c.validate().is_err() || b.validate().is_err() {
        return f64::NAN;
    }
    let out = b.kind.is_out();
    let (s, x, h, k, r, t) = (c.spot, c.strike, b.level, b.rebate, c.rate, c.expiry);
    if b.kind.is_hit(s, h) {
        return if out { k } else { price(c) };
    }
    if t == 0.0 {
        return if out { price(c) } else { k };
    }
    let carry = c.rate - c.dividend;
    if c.vol == 0.0 {
        // The path S e^{bt} is monotone: it reaches the barrier at τ = ln(H/S)/b, if ever.
        let tau = (h / s).ln() / carry;
        let hit = tau >= 0.0 && tau <= t;
        return match (out, hit) {
            (true, true) => k * (-r * tau).exp(),
            (true, false) | (false, true) => price(c),
            (false, false) => k * c.discount(),
        };
    }

    let sd = c.vol * t.sqrt();
    let var = c.vol * c.vol;
    let mu = (carry - 0.5 * var) / var;
    let phi = c.kind.sign();
    let eta = if b.kind.is_down() { 1.0 } else { -1.0 };
    let df = c.discount();
    let s_q = s * (-c.dividend * t).exp();
    let hs = h / s;
    let hs_2mu = hs.powf(2.0 * mu);
    let hs_2mu2 = hs_2mu * hs * hs;

    let shift = (1.0 + mu) * sd;
    let x1 = (s / x).ln() / sd + shift;
    let x2 = (s / h).ln() / sd + shift;
    let y1 = (h * h / (s * x)).ln() / sd + shift;
    let y2 = (h / s).ln() / sd + shift;

    let a = phi * (s_q * cdf(phi * x1) - x * df * cdf(phi * (x1 - sd)));
    let bb = phi * (s_q * cdf(phi * x2) - x * df * cdf(phi * (x2 - sd)));
    let cc = phi * (s_q * hs_2mu2 * cdf(eta * y1) - x * df * hs_2mu * cdf(eta * (y1 - sd)));
    let d = phi * (s_q * hs_2mu2 * cdf(eta * y2) - x * df * hs_2mu * cdf(eta * (y2 - sd)));
    // The rebate terms: E pays at expiry if the barrier was never hit, F at the hitting time.
    let (e, f) = if k == 0.0 {
        (0.0, 0.0)
    } else {
        let e = k * df * (cdf(eta * (x2 - sd)) - hs_2mu * cdf(eta * (y2 - sd)));
        let lambda = (mu * mu + 2.0 * r / var).sqrt();
        let z = (h / s).ln() / sd + lambda * sd;
        let f = k
            * (hs.powf(mu + lambda) * cdf(eta * z)
                + hs.powf(mu - lambda) * cdf(eta * (z - 2.0 * lambda * sd)));
        (e, f)
    };

    let above = x >= h;
    match (b.kind, c.kind, above) {
        (BarrierKind::DownIn, OptionKind::Call, true) => cc + e,
        (BarrierKind::DownIn, OptionKind::Call, false) => a - bb + d + e,
        (BarrierKind::UpIn, OptionKind::Call, true) => a + e,
        (BarrierKind::UpIn, OptionKind::Call, false) => bb - cc + d + e,
        (BarrierKind::DownIn, OptionKind::Put, true) => bb - cc + d + e,
        (BarrierKind::DownIn, OptionKind::Put, false) => a + e,
        (BarrierKind::UpIn, OptionKind::Put, true) => a - bb + d + e,
        (BarrierKind::UpIn, OptionKind::Put, false) => cc + e,
        (BarrierKind::DownOut, OptionKind::Call, true) => a - cc + f,
        (BarrierKind::DownOut, OptionKind::Call, false) => bb - d + f,
        (BarrierKind::UpOut, OptionKind::Call, true) => f,
        (BarrierKind::UpOut, OptionKind::Call, false) => a - bb + cc - d + f,
        (BarrierKind::DownOut, OptionKind::Put, true) => a - bb + cc - d + f,
        (BarrierKind::DownOut, OptionKind::Put, false) => f,
        (BarrierKind::UpOut, OptionKind::Put, true) => bb - d + f,
        (BarrierKind::UpOut, OptionKind::Put, false) => a - cc + f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BarrierKind::{DownIn, DownOut, UpIn, UpOut};
    use OptionKind::{Call, Put};

    fn contract(kind: OptionKind, spot: f64, strike: f64, vol: f64, expiry: f64) -> Contract {
        Contract {
            kind,
            spot,
            strike,
            rate: 0.05,
            dividend: 0.02,
            vol,
            expiry,
        }
    }

    #[test]
    fn hull_example() {
        // Hull, Options, Futures and Other Derivatives (8th ed.), Example 15.6:
        // S = 42, K = 40, r = 10%, σ = 20%, T = 0.5 gives call 4.76 and put 0.81 (2 decimals).
        let call = Contract::call(42.0, 40.0, 0.10, 0.20, 0.5);
        let put = Contract::put(42.0, 40.0, 0.10, 0.20, 0.5);
        assert!((price(&call) - 4.76).abs() < 0.005);
        assert!((price(&put) - 0.81).abs() < 0.005);
        // The same to 1e-12, from the formula evaluated with mpmath at 30 digits.
        assert!((price(&call) - 4.759_422_392_871_53).abs() < 1e-12);
        assert!((price(&put) - 0.808_599_372_900_10).abs() < 1e-12);
    }

    #[test]
    fn put_call_parity() {
        // C − P = S e^{−qT} − K e^{−rT}, for every strike, expiry and volatility.
        for strike in [50.0, 90.0, 100.0, 110.0, 200.0] {
            for expiry in [0.0, 0.1, 1.0, 10.0] {
                for vol in [0.0, 0.05, 0.3, 1.5] {
                    let call = contract(Call, 100.0, strike, vol, expiry);
                    let put = Contract { kind: Put, ..call };
                    let forward = 100.0 * (-0.02 * expiry).exp() - strike * (-0.05 * expiry).exp();
                    let gap = price(&call) - price(&put) - forward;
                    assert!(
                        gap.abs() < 1e-12 * 100.0,
                        "K={strike} T={expiry} σ={vol}: {gap}"
                    );
                }
            }
        }
    }

    #[test]
    fn degenerate_inputs() {
        // Expiry 0: intrinsic value.
        assert_eq!(price(&contract(Call, 110.0, 100.0, 0.2, 0.0)), 10.0);
        assert_eq!(price(&contract(Put, 110.0, 100.0, 0.2, 0.0)), 0.0);
        // Volatility 0: discounted intrinsic value of the forward.
        let c = contract(Call, 100.0, 100.0, 0.0, 1.0);
        let want = 100.0 * (-0.02f64).exp() - 100.0 * (-0.05f64).exp();
        assert!((price(&c) - want).abs() < 1e-12);
        assert_eq!(price(&Contract { kind: Put, ..c }), 0.0);
        // Spot 0: the call is worthless, the put is the discounted strike.
        assert_eq!(price(&contract(Call, 0.0, 100.0, 0.2, 1.0)), 0.0);
        let put = price(&contract(Put, 0.0, 100.0, 0.2, 1.0));
        assert!((put - 100.0 * (-0.05f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn invalid_contracts() {
        let good = contract(Call, 100.0, 100.0, 0.2, 1.0);
        let cases = [
            (Contract { spot: -1.0, ..good }, "spot"),
            (
                Contract {
                    strike: f64::NAN,
                    ..good
                },
                "strike",
            ),
            (
                Contract {
                    rate: f64::INFINITY,
                    ..good
                },
                "rate",
            ),
            (
                Contract {
                    dividend: f64::NAN,
                    ..good
                },
                "dividend",
            ),
            (Contract { vol: -0.2, ..good }, "vol"),
            (
                Contract {
                    expiry: -1.0,
                    ..good
                },
                "expiry",
            ),
        ];
        for (c, field) in cases {
            let err = c.validate().unwrap_err();
            assert_eq!(err.field(), field);
            assert!(err.to_string().contains(field), "{err}");
            assert!(price(&c).is_nan());
            assert!(greeks(&c).delta.is_nan());
            assert!(asian_geometric(&c, 4).is_nan());
            let b = Barrier {
                kind: DownOut,
                level: 90.0,
                rebate: 0.0,
            };
            assert!(barrier(&c, &b).is_nan());
        }
        // Negative rates and dividends are valid.
        assert!(
            Contract {
                rate: -0.01,
                dividend: -0.02,
                ..good
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn greeks_match_finite_differences() {
        // Central differences: truncation error f'''h²/6 and rounding error ε·V/h. With
        // h = 1e-5 (relative) and prices below 100 both are below 1e-8, so 1e-7 (relative to
        // max(|greek|, 1)) is safe. Gamma's second difference with h = 0.1 has rounding error
        // ε·V/h² ≈ 1e-12 and truncation f''''h²/12 ≈ 1e-7 at most, hence 1e-5.
        for kind in [Call, Put] {
            for (strike, vol, expiry) in [(80.0, 0.2, 1.0), (100.0, 0.3, 0.5), (130.0, 0.5, 2.0)] {
                let c = contract(kind, 100.0, strike, vol, expiry);
                let g = greeks(&c);
                let diff = |f: &dyn Fn(f64) -> Contract, x: f64| {
                    let h = 1e-5 * x.abs().max(1.0);
                    (price(&f(x + h)) - price(&f(x - h))) / (2.0 * h)
                };
                let delta = diff(&|spot| Contract { spot, ..c }, c.spot);
                let vega = diff(&|vol| Contract { vol, ..c }, c.vol);
                let rho = diff(&|rate| Contract { rate, ..c }, c.rate);
                let theta = -diff(&|expiry| Contract { expiry, ..c }, c.expiry);
                let h = 1e-3 * c.spot;
                let up = price(&Contract {
                    spot: c.spot + h,
                    ..c
                });
                let down = price(&Contract {
                    spot: c.spot - h,
                    ..c
                });
                let gamma = (up - 2.0 * price(&c) + down) / (h * h);
                let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * b.abs().max(1.0);
                let label = format!("{kind:?} K={strike}");
                assert!(
                    close(g.delta, delta, 1e-7),
                    "{label} delta {} vs {delta}",
                    g.delta
                );
                assert!(
                    close(g.vega, vega, 1e-7),
                    "{label} vega {} vs {vega}",
                    g.vega
                );
                assert!(close(g.rho, rho, 1e-7), "{label} rho {} vs {rho}", g.rho);
                assert!(
                    close(g.theta, theta, 1e-7),
                    "{label} theta {} vs {theta}",
                    g.theta
                );
                assert!(
                    close(g.gamma, gamma, 1e-5),
                    "{label} gamma {} vs {gamma}",
                    g.gamma
                );
            }
        }
    }

    #[test]
    fn implied_vol_recovers_the_volatility() {
        let mut checked = 0;
        for kind in [Call, Put] {
            for strike in [50.0, 80.0, 95.0, 100.0, 105.0, 120.0, 200.0] {
                for expiry in [0.02, 0.1, 1.0, 5.0] {
                    for vol in [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0] {
                        let c = contract(kind, 100.0, strike, vol, expiry);
                        let p = price(&c);
                        // Only where the price pins σ down: a 1e-10 change of σ must move
                        // the price by at least 100 units of its last place. (Deep in the
                        // money at low volatility the time value is lost in rounding.)
                        if greeks(&c).vega * 1e-10 < 100.0 * f64::EPSILON * p || p < 1e-200 {
                            continue;
                        }
                        checked += 1;
                        let got = implied_vol(&c, p).unwrap();
                        assert!((got - vol).abs() < 1e-10, "{c:?}: implied {got}");
                    }
                }
            }
        }
        assert!(checked > 350, "only {checked} cases checked");
    }

    #[test]
    fn implied_vol_errors_name_the_bound() {
        let c = Contract::call(100.0, 90.0, 0.0, 0.0, 1.0);
        match implied_vol(&c, 5.0) {
            Err(e @ ImpliedVolError::BelowIntrinsic { bound, .. }) => {
                assert_eq!(bound, 10.0);
                assert!(e.to_string().contains("lower"));
            }
            other => panic!("{other:?}"),
        }
        match implied_vol(&c, 100.0) {
            Err(e @ ImpliedVolError::AboveUpperBound { bound, .. }) => {
                assert_eq!(bound, 100.0);
                assert!(e.to_string().contains("upper"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(implied_vol(&c, 10.0), Ok(0.0));
        assert_eq!(
            implied_vol(&c, f64::NAN),
            Err(ImpliedVolError::NoConvergence)
        );
        let bad = Contract { spot: -1.0, ..c };
        assert!(matches!(
            implied_vol(&bad, 5.0),
            Err(ImpliedVolError::InvalidContract(_))
        ));
        // At expiry only the intrinsic value is a consistent price.
        let expired = Contract { expiry: 0.0, ..c };
        assert_eq!(implied_vol(&expired, 10.0), Ok(0.0));
        assert!(matches!(
            implied_vol(&expired, 11.0),
            Err(ImpliedVolError::AboveUpperBound { .. })
        ));
    }

    #[test]
    fn asian_geometric_closed_form() {
        let c = contract(Call, 100.0, 100.0, 0.3, 1.0);
        // One fixing at expiry is the European option.
        assert!((asian_geometric(&c, 1) - price(&c)).abs() < 1e-12);
        let p = Contract { kind: Put, ..c };
        assert!((asian_geometric(&p, 1) - price(&p)).abs() < 1e-12);
        // Two fixings, checked by hand: ln G = ln S + (r−q−σ²/2)·3T/4 + noise of variance
        // σ²T·(3·5)/(6·4) = 0.625 σ²T, priced as a forward e^{m+v/2} discounted at e^{−rT}.
        let (m, v) = (100f64.ln() + (0.05 - 0.02 - 0.045) * 0.75, 0.625 * 0.09);
        let (fwd, sd) = ((m + 0.5 * v).exp(), v.sqrt());
        let d1 = (fwd / 100.0).ln() / sd + 0.5 * sd;
        let want = (-0.05f64).exp() * (fwd * cdf(d1) - 100.0 * cdf(d1 - sd));
        assert!((asian_geometric(&c, 2) - want).abs() < 1e-12);
        // More fixings average more: the price decreases towards the continuous limit
        // (variance σ²T/3, mean ln S + (r − q − σ²/2)T/2).
        let prices: Vec<f64> = [1, 2, 4, 12, 52, 252]
            .iter()
            .map(|&n| asian_geometric(&c, n))
            .collect();
        assert!(prices.windows(2).all(|w| w[1] < w[0]), "{prices:?}");
        let (m, v) = (100f64.ln() + (0.05 - 0.02 - 0.045) * 0.5, 0.09 / 3.0);
        let (fwd, sd) = ((m + 0.5 * v).exp(), v.sqrt());
        let d1 = (fwd / 100.0).ln() / sd + 0.5 * sd;
        let continuous = (-0.05f64).exp() * (fwd * cdf(d1) - 100.0 * cdf(d1 - sd));
        assert!((asian_geometric(&c, 1_000_000) - continuous).abs() < 1e-4);
        assert!(asian_geometric(&c, 0).is_nan());
    }

    /// Haug (2007), Table 4-13 (also Haug 1998, p. 72): S = 100, rebate 3, T = 0.5, r = 8%,
    /// b = 4% (so q = 4%). Columns: barrier kind, option kind, strike, barrier, value at
    /// σ = 25%, value at σ = 30%.
    const HAUG_TABLE: &[(BarrierKind, OptionKind, f64, f64, f64, f64)] = &[
        (DownOut, Call, 90.0, 95.0, 9.0246, 8.8334),
        (DownOut, Call, 100.0, 95.0, 6.7924, 7.0285),
        (DownOut, Call, 110.0, 95.0, 4.8759, 5.4137),
        (DownOut, Call, 90.0, 100.0, 3.0000, 3.0000),
        (DownOut, Call, 100.0, 100.0, 3.0000, 3.0000),
        (DownOut, Call, 110.0, 100.0, 3.0000, 3.0000),
        (UpOut, Call, 90.0, 105.0, 2.6789, 2.6341),
        (UpOut, Call, 100.0, 105.0, 2.3580, 2.4389),
        (UpOut, Call, 110.0, 105.0, 2.3453, 2.4315),
        (DownIn, Call, 90.0, 95.0, 7.7627, 9.0093),
        (DownIn, Call, 100.0, 95.0, 4.0109, 5.1370),
        (DownIn, Call, 110.0, 95.0, 2.0576, 2.8517),
        (DownIn, Call, 90.0, 100.0, 13.8333, 14.8816),
        (DownIn, Call, 100.0, 100.0, 7.8494, 9.2045),
        (DownIn, Call, 110.0, 100.0, 3.9795, 5.3043),
        (UpIn, Call, 90.0, 105.0, 14.1112, 15.2098),
        (UpIn, Call, 100.0, 105.0, 8.4482, 9.7278),
        (UpIn, Call, 110.0, 105.0, 4.5910, 5.8350),
        (DownOut, Put, 90.0, 95.0, 2.2798, 2.4170),
        (DownOut, Put, 100.0, 95.0, 2.2947, 2.4258),
        (DownOut, Put, 110.0, 95.0, 2.6252, 2.6246),
        (DownOut, Put, 90.0, 100.0, 3.0000, 3.0000),
        (DownOut, Put, 100.0, 100.0, 3.0000, 3.0000),
        (DownOut, Put, 110.0, 100.0, 3.0000, 3.0000),
        (UpOut, Put, 90.0, 105.0, 3.7760, 4.2293),
        (UpOut, Put, 100.0, 105.0, 5.4932, 5.8032),
        (UpOut, Put, 110.0, 105.0, 7.5187, 7.5649),
        (DownIn, Put, 90.0, 95.0, 2.9586, 3.8769),
        (DownIn, Put, 100.0, 95.0, 6.5677, 7.7989),
        (DownIn, Put, 110.0, 95.0, 11.9752, 13.3078),
        (DownIn, Put, 90.0, 100.0, 2.2845, 3.3328),
        (DownIn, Put, 100.0, 100.0, 5.9085, 7.2636),
        (DownIn, Put, 110.0, 100.0, 11.6465, 12.9713),
        (UpIn, Put, 90.0, 105.0, 1.4653, 2.0658),
        (UpIn, Put, 100.0, 105.0, 3.3721, 4.4226),
        (UpIn, Put, 110.0, 105.0, 7.0846, 8.3686),
    ];

    #[test]
    fn barrier_matches_haug_table() {
        // The table has 4 decimals; a few entries differ from the exact formulas by up to
        // 6e-5 (Haug evaluated N with a polynomial approximation), hence 1e-4, the same
        // tolerance as QuantLib's test of these values.
        for &(kind, option, strike, level, at_25, at_30) in HAUG_TABLE {
            for (vol, want) in [(0.25, at_25), (0.30, at_30)] {
                let c = Contract {
                    kind: option,
                    spot: 100.0,
                    strike,
                    rate: 0.08,
                    dividend: 0.04,
                    vol,
                    expiry: 0.5,
                };
                let got = barrier(
                    &c,
                    &Barrier {
                        kind,
                        level,
                        rebate: 3.0,
                    },
                );
                assert!(
                    (got - want).abs() < 1e-4,
                    "{kind:?} {option:?} K={strike} H={level} σ={vol}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn barrier_matches_el_babsiri_noel() {
        // M. El Babsiri and G. Noel, "Simulating path-dependent options: a new approach",
        // Journal of Derivatives 6(2) (1998): S = K = 100, r = 5%, q = 2%, T = 1, no rebate;
        // down-and-in calls with H = 90 and up-and-in calls with H = 110, σ = 10%, 15%, …, 30%.
        // 5 decimals, hence the tolerance 1e-5.
        let cases = [
            (DownIn, 90.0, [0.07187, 0.60638, 1.64005, 2.98495, 4.50952]),
            (UpIn, 110.0, [4.79148, 7.08268, 9.11008, 11.06148, 12.98351]),
        ];
        for (kind, level, values) in cases {
            for (vol, want) in [0.10, 0.15, 0.20, 0.25, 0.30].into_iter().zip(values) {
                let c = Contract::call(100.0, 100.0, 0.05, vol, 1.0).with_dividend(0.02);
                let got = barrier(
                    &c,
                    &Barrier {
                        kind,
                        level,
                        rebate: 0.0,
                    },
                );
                assert!(
                    (got - want).abs() < 1e-5,
                    "{kind:?} σ={vol}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn barrier_in_out_parity() {
        // Without rebate, knock-in + knock-out = vanilla: exactly one of the two pays.
        for option in [Call, Put] {
            for strike in [70.0, 95.0, 100.0, 105.0, 130.0] {
                for (down, up) in [(DownIn, DownOut), (UpIn, UpOut)] {
                    let levels = if down == DownIn {
                        [60.0, 90.0, 99.9]
                    } else {
                        [100.1, 110.0, 150.0]
                    };
                    for level in levels {
                        for vol in [0.1, 0.3, 0.8] {
                            let c = contract(option, 100.0, strike, vol, 1.5);
                            let sum = barrier(
                                &c,
                                &Barrier {
                                    kind: down,
                                    level,
                                    rebate: 0.0,
                                },
                            ) + barrier(
                                &c,
                                &Barrier {
                                    kind: up,
                                    level,
                                    rebate: 0.0,
                                },
                            );
                            let label = format!("{option:?} K={strike} H={level} σ={vol}");
                            assert!(
                                (sum - price(&c)).abs() < 1e-10,
                                "{label}: {sum} vs {}",
                                price(&c)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn barrier_edge_cases() {
        let c = contract(Call, 100.0, 100.0, 0.2, 1.0);
        let hit_down = |kind| Barrier {
            kind,
            level: 100.0,
            rebate: 2.0,
        };
        // Spot at the barrier: knocked out now (rebate paid now) or knocked in (vanilla).
        assert_eq!(barrier(&c, &hit_down(DownOut)), 2.0);
        assert_eq!(barrier(&c, &hit_down(DownIn)), price(&c));
        assert_eq!(
            barrier(
                &c,
                &Barrier {
                    kind: UpOut,
                    level: 90.0,
                    rebate: 2.0
                }
            ),
            2.0
        );
        // A barrier far away does not matter.
        let far = Barrier {
            kind: DownOut,
            level: 1e-3,
            rebate: 0.0,
        };
        assert!((barrier(&c, &far) - price(&c)).abs() < 1e-12);
        // Expiry 0: intrinsic value for a knock-out, the rebate for a knock-in.
        let expired = contract(Call, 110.0, 100.0, 0.2, 0.0);
        let b = Barrier {
            kind: DownOut,
            level: 90.0,
            rebate: 2.0,
        };
        assert_eq!(barrier(&expired, &b), 10.0);
        assert_eq!(barrier(&expired, &Barrier { kind: DownIn, ..b }), 2.0);
        // Volatility 0 and a falling forward (q > r): S e^{−0.08t} reaches 95 at
        // t = ln(100/95)/0.08 = 0.64, before expiry.
        let falling = Contract {
            vol: 0.0,
            rate: 0.02,
            dividend: 0.10,
            ..c
        };
        let tau = (100.0f64 / 95.0).ln() / 0.08;
        let b = Barrier {
            kind: DownOut,
            level: 95.0,
            rebate: 2.0,
        };
        assert!((barrier(&falling, &b) - 2.0 * (-0.02 * tau).exp()).abs() < 1e-12);
        assert_eq!(
            barrier(&falling, &Barrier { kind: DownIn, ..b }),
            price(&falling)
        );
        // Invalid barriers.
        for bad in [
            Barrier { level: 0.0, ..b },
            Barrier { rebate: -1.0, ..b },
            Barrier {
                level: f64::NAN,
                ..b
            },
        ] {
            assert!(bad.validate().is_err());
            assert!(barrier(&c, &bad).is_nan());
        }
    }
}
