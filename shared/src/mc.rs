//! Sequential Monte Carlo pricers, built from reproducible blocks so that the labs can make
//! them parallel without changing a single bit of the result.
//!
//! # The block scheme
//!
//! Every estimator cuts its `paths` samples into blocks of [`BLOCK_PATHS`] (the last block
//! holds the remainder: [`block_count`], [`block_len`]). Block `b` draws all its random
//! numbers from its own generator [`rng::stream(seed, b)`](crate::rng::stream) and returns
//! the [`Moments`] of its samples; the estimate is the merge of blocks 0, 1, 2, … from left to
//! right. A block's result depends only on (contract, seed, block index), never on which
//! thread runs it or when, so a parallel version that computes the blocks in any order and
//! merges them in index order reproduces the sequential estimate bit for bit. (Floating-point
//! addition is not associative: merging in another order, e.g. a tree reduction, changes the
//! last bits.)
//!
//! # Samples and antithetic variates
//!
//! `McConfig::paths` counts *samples*. With `antithetic: true` a sample is a pair of paths
//! driven by Z and −Z, and its value is the pair's mean: the pairs are independent, the two
//! halves of a pair are not, so only this way is the standard error honest. A sample then
//! costs the same normals but twice the payoffs. Antithetic variates help when the payoff is
//! monotone in Z (a vanilla option): the two halves are negatively correlated.
//!
//! # The model
//!
//! Geometric Brownian motion under the risk-neutral measure, simulated exactly on the
//! monitoring dates: ln S_{t+Δ} = ln S_t + (r − q − σ²/2)Δ + σ√Δ Z with Z ~ N(0, 1),
//! drawn by the ziggurat method: `rand_distr::StandardNormal` for the path-dependent
//! options, and for the European option, the hot loop of the course, the same algorithm
//! laid out for speed ([`Ziggurat`](crate::ziggurat::Ziggurat)). A European option needs only
//! ln S_T, so it costs one normal and (at most) one exponential per path.
//!
//! ```
//! use finance::bs::{self, Contract};
//! use finance::mc::{self, McConfig};
//!
//! let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
//! let cfg = McConfig { paths: 100_000, seed: 42, antithetic: false };
//! let est = mc::european(&c, &cfg).unwrap();
//! // The closed form lies within 4 standard errors (a 1-in-16 000 chance otherwise).
//! assert!((est.value - bs::price(&c)).abs() < 4.0 * est.std_error);
//! ```

use crate::bs::{self, Barrier, Contract, ContractError};
use crate::fastmath;
use crate::rng::{self, Stream};
use crate::ziggurat::Ziggurat;
use rand::RngExt;
use rand_distr::StandardNormal;
use std::fmt;

/// The number of samples in every block but the last; block `b` draws from
/// [`rng::stream(seed, b)`](crate::rng::stream).
///
/// 16 384 samples take about 0.1 ms for a European option (more for path-dependent ones):
/// long enough that handing a block to a thread costs nothing in comparison, short enough
/// that a million paths give 62 blocks to balance across cores.
pub const BLOCK_PATHS: u64 = 16_384;

/// What to simulate: how many samples, from which seed, with or without antithetic pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McConfig {
    /// Number of samples (an antithetic pair counts as one sample).
    pub paths: u64,
    /// Master seed; block `b` uses `rng::stream(seed, b)`.
    pub seed: u64,
    /// Use antithetic pairs (Z, −Z).
    pub antithetic: bool,
}

impl McConfig {
    /// `paths` plain samples from `seed`.
    ///
    /// ```
    /// let cfg = finance::mc::McConfig::new(1_000, 7);
    /// assert!(!cfg.antithetic);
    /// ```
    pub fn new(paths: u64, seed: u64) -> Self {
        Self {
            paths,
            seed,
            antithetic: false,
        }
    }

    /// The same configuration with antithetic pairs.
    pub fn with_antithetic(self) -> Self {
        Self {
            antithetic: true,
            ..self
        }
    }
}

/// A Monte Carlo estimate and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The sample mean.
    pub value: f64,
    /// The standard error of the mean: sample standard deviation / √(samples).
    pub std_error: f64,
}

impl Estimate {
    /// How many standard errors the estimate lies from `truth`: (value − truth)/std_error.
    ///
    /// ```
    /// let est = finance::mc::Estimate { value: 10.2, std_error: 0.1 };
    /// assert!((est.z_score(10.0) - 2.0).abs() < 1e-12);
    /// ```
    pub fn z_score(&self, truth: f64) -> f64 {
        (self.value - truth) / self.std_error
    }
}

/// Count, sum and sum of squares of samples: all a mean and its standard error need.
///
/// Merging is plain addition, so it is cheap and, done in a fixed order, reproducible. The
/// price of this simplicity (over Welford's running mean) is cancellation in
/// Σx² − (Σx)²/n when the mean is many standard deviations from zero, which costs digits
/// of the standard error, never of the mean; for option payoffs that is harmless.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// Number of samples.
    pub count: u64,
    /// Σ x.
    pub sum: f64,
    /// Σ x².
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one sample.
    ///
    /// ```
    /// let mut m = finance::mc::Moments::default();
    /// for x in [1.0, 2.0, 3.0] {
    ///     m.push(x);
    /// }
    /// assert_eq!((m.count, m.mean(), m.variance()), (3, 2.0, 1.0));
    /// ```
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// The moments of the union of two sets of samples (`self` first, then `other`).
    #[inline]
    #[must_use]
    pub fn merge(self, other: Moments) -> Moments {
        Moments {
            count: self.count + other.count,
            sum: self.sum + other.sum,
            sum_sq: self.sum_sq + other.sum_sq,
        }
    }

    /// The sample mean (NaN without samples).
    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }

    /// The sample variance, with the n − 1 denominator (NaN with fewer than two samples).
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return f64::NAN;
        }
        let n = self.count as f64;
        // Rounding can push an (almost) zero variance below zero.
        ((self.sum_sq - self.sum * self.mean()) / (n - 1.0)).max(0.0)
    }

    /// The standard error of the mean, √(variance / n) (NaN with fewer than two samples).
    pub fn std_error(&self) -> f64 {
        (self.variance() / self.count as f64).sqrt()
    }

    /// The mean and its standard error.
    pub fn estimate(&self) -> Estimate {
        Estimate {
            value: self.mean(),
            std_error: self.std_error(),
        }
    }
}

/// The number of blocks for `paths` samples: ⌈paths / BLOCK_PATHS⌉.
///
/// ```
/// use finance::mc::{block_count, BLOCK_PATHS};
///
/// assert_eq!(block_count(0), 0);
/// assert_eq!(block_count(BLOCK_PATHS), 1);
/// assert_eq!(block_count(BLOCK_PATHS + 1), 2);
/// ```
pub fn block_count(paths: u64) -> u64 {
    paths.div_ceil(BLOCK_PATHS)
}

/// The number of samples in block `block` of `paths`: [`BLOCK_PATHS`], except for the last
/// block, which holds the remainder, and 0 for blocks past the end.
///
/// ```
/// use finance::mc::{block_len, BLOCK_PATHS};
///
/// let paths = 2 * BLOCK_PATHS + 100;
/// assert_eq!(block_len(paths, 0), BLOCK_PATHS);
/// assert_eq!(block_len(paths, 2), 100);
/// assert_eq!(block_len(paths, 3), 0);
/// ```
pub fn block_len(paths: u64, block: u64) -> u64 {
    let start = block.saturating_mul(BLOCK_PATHS).min(paths);
    (paths - start).min(BLOCK_PATHS)
}

/// Why a simulation cannot run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum McError {
    /// `paths` is zero: there is no estimate (and no standard error) to give.
    ZeroPaths,
    /// The number of fixings or monitoring steps is zero.
    ZeroSteps,
    /// The contract is invalid.
    InvalidContract(ContractError),
    /// The barrier is invalid.
    InvalidBarrier(ContractError),
}

impl fmt::Display for McError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroPaths => write!(f, "the number of paths must be positive"),
            Self::ZeroSteps => write!(f, "the number of fixings or steps must be positive"),
            Self::InvalidContract(e) => write!(f, "invalid contract: {e}"),
            Self::InvalidBarrier(e) => write!(f, "invalid barrier: {e}"),
        }
    }
}

impl std::error::Error for McError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidContract(e) | Self::InvalidBarrier(e) => Some(e),
            Self::ZeroPaths | Self::ZeroSteps => None,
        }
    }
}

/// Checks what every estimator needs: at least one path, a valid contract.
fn check(c: &Contract, cfg: &McConfig) -> Result<(), McError> {
    if cfg.paths == 0 {
        return Err(McError::ZeroPaths);
    }
    c.validate().map_err(McError::InvalidContract)
}

/// Runs `block(b, len)` for every block in index order and merges the results left to
/// right: the definition of every estimator's result.
fn run_blocks(paths: u64, mut block: impl FnMut(u64, u64) -> Moments) -> Estimate {
    (0..block_count(paths))
        .map(|b| block(b, block_len(paths, b)))
        .fold(Moments::default(), Moments::merge)
        .estimate()
}

/// Draws one standard normal.
#[inline(always)]
fn normal(rng: &mut Stream) -> f64 {
    rng.sample(StandardNormal)
}

/// The moments of the discounted payoffs of block `block`: `paths` samples (normally
/// [`block_len(total, block)`](block_len)) driven by `rng::stream(seed, block)`.
///
/// This is the unit of work of [`european`], exposed so that a parallel version can
/// schedule blocks itself:
///
/// ```
/// use finance::bs::Contract;
/// use finance::mc::{self, McConfig, Moments};
///
/// let c = Contract::put(100.0, 110.0, 0.03, 0.25, 0.5);
/// let cfg = McConfig { paths: 50_000, seed: 1, antithetic: true };
/// let by_hand = (0..mc::block_count(cfg.paths))
///     .map(|b| mc::european_block(&c, cfg.seed, b, mc::block_len(cfg.paths, b), cfg.antithetic))
///     .fold(Moments::default(), Moments::merge)
///     .estimate();
/// assert_eq!(by_hand, mc::european(&c, &cfg).unwrap());
/// ```
///
/// The contract is not validated here (an invalid one gives meaningless moments);
/// [`european`] does.
///
/// Per sample: one normal Z ([`Ziggurat`]), S_T = exp(ln F + σ√T·Z) with
/// ln F = ln S + (r − q − σ²/2)T, and the payoff; the discount factor is applied once, to
/// the block's sums. The samples go in batches of 256 through three loops, so that each
/// expensive step runs at full speed, and none of the tricks changes the result:
///
/// 1. Draw the normals. The exponential is only needed for paths that can finish in the
///    money, those with φ(ln F + σ√T·Z − ln K) > 0: their ln S_T are appended to the batch
///    buffer without branching (write always, advance the end only if promising), since an
///    `if` would mispredict half the time. The other payoffs are exact zeros, and adding a
///    zero changes no sum, so the sums are bit-identical to pricing every path.
/// 2. Replace each kept ln S_T by S_T with [`fastmath::exp`], a branch-free exponential
///    that the compiler vectorises: `f64::exp` calls the C library once per path, which
///    costs as much as everything else together.
/// 3. Add up the payoffs and their squares, in order.
///
/// For an antithetic pair the twin's terminal price is F·(F/S_T), since
/// S_T(Z)·S_T(−Z) = F²: a division instead of a second exponential; the pair is skipped
/// only if neither half can pay.
pub fn european_block(
    c: &Contract,
    seed: u64,
    block: u64,
    paths: u64,
    antithetic: bool,
) -> Moments {
    let mut rng = rng::stream(seed, block);
    let normal = Ziggurat::new();
    let t = c.expiry;
    let strike = c.strike;
    let phi = c.kind.sign();
    // Everything that does not depend on Z, hoisted out of the loop.
    let log_fwd = c.spot.ln() + (c.rate - c.dividend - 0.5 * c.vol * c.vol) * t;
    let fwd = log_fwd.exp();
    let vol_sqrt_t = c.vol * t.sqrt();
    let payoff = |s_t: f64| (phi * (s_t - strike)).max(0.0);
    // How far (in log space) the forward is in the money: a path pays only if
    // moneyness + φσ√T·Z > 0, and either half of an antithetic pair only if
    // moneyness + σ√T·|Z| > 0. The margin, far above the rounding of these logarithms,
    // keeps the test conservative: a skipped path is certainly worthless.
    const MARGIN: f64 = 1e-9;
    let moneyness = phi * (log_fwd - strike.ln());
    let may_pay = |z: f64| {
        let reach = if antithetic { z.abs() } else { phi * z };
        moneyness + vol_sqrt_t * reach > -MARGIN
    };

    let (mut sum, mut sum_sq) = (0.0, 0.0);
    let mut batch = [0.0; BATCH];
    let mut left = paths;
    while left > 0 {
        let n = left.min(BATCH as u64) as usize;
        // 1. The normals, keeping (in order) those of paths that may pay.
        let mut kept = 0;
        for _ in 0..n {
            let z = normal.sample(&mut rng);
            batch[kept] = log_fwd + vol_sqrt_t * z;
            kept += usize::from(may_pay(z));
        }
        // 2. Their terminal prices, vectorised.
        let batch = &mut batch[..kept];
        fastmath::exp_in_place(batch);
        // 3. The payoffs, in order.
        for &s_t in batch.iter() {
            let x = if antithetic {
                0.5 * (payoff(s_t) + payoff(fwd * (fwd / s_t)))
            } else {
                payoff(s_t)
            };
            sum += x;
            sum_sq += x * x;
        }
        left -= n as u64;
    }
    let df = (-c.rate * t).exp();
    Moments {
        count: paths,
        sum: df * sum,
        sum_sq: df * df * sum_sq,
    }
}

/// Samples per batch in [`european_block`]: 2 KiB of stack, well inside the L1 cache.
const BATCH: usize = 256;

/// A European option by Monte Carlo: blocks `0..block_count(cfg.paths)` of
/// [`european_block`], merged left to right.
///
/// Errors: [`McError::ZeroPaths`], [`McError::InvalidContract`].
///
/// ```
/// use finance::bs::{self, Contract};
/// use finance::mc::{self, McConfig};
///
/// let c = Contract::put(100.0, 110.0, 0.03, 0.25, 0.5);
/// let plain = mc::european(&c, &McConfig::new(200_000, 9)).unwrap();
/// let anti = mc::european(&c, &McConfig::new(100_000, 9).with_antithetic()).unwrap();
/// // Same number of payoffs, smaller error.
/// assert!(anti.std_error < plain.std_error);
/// assert!((anti.value - bs::price(&c)).abs() < 4.0 * anti.std_error);
/// ```
pub fn european(c: &Contract, cfg: &McConfig) -> Result<Estimate, McError> {
    check(c, cfg)?;
    Ok(run_blocks(cfg.paths, |b, len| {
        european_block(c, cfg.seed, b, len, cfg.antithetic)
    }))
}

/// The constants of a path of ln S on `steps` equally spaced dates:
/// ln S_{t+Δt} = ln S_t + drift_dt + vol_sqrt_dt·Z.
struct GbmSteps {
    log_spot: f64,
    drift_dt: f64,
    vol_sqrt_dt: f64,
}

impl GbmSteps {
    fn new(c: &Contract, steps: usize) -> Self {
        let dt = c.expiry / steps as f64;
        Self {
            log_spot: c.spot.ln(),
            drift_dt: (c.rate - c.dividend - 0.5 * c.vol * c.vol) * dt,
            vol_sqrt_dt: c.vol * dt.sqrt(),
        }
    }
}

/// The moments of block `block` of [`asian_arithmetic`]: `paths` samples from
/// `rng::stream(seed, block)`, each costing `fixings` normals. The contract is not validated.
pub fn asian_arithmetic_block(
    c: &Contract,
    fixings: usize,
    control_variate: bool,
    seed: u64,
    block: u64,
    paths: u64,
    antithetic: bool,
) -> Moments {
    let mut rng = rng::stream(seed, block);
    let gbm = GbmSteps::new(c, fixings);
    let n = fixings as f64;
    let df = (-c.rate * c.expiry).exp();
    let control_mean = if control_variate {
        bs::asian_geometric(c, fixings)
    } else {
        0.0
    };
    // One path's discounted sample: the arithmetic payoff, minus (with the control) the
    // geometric payoff's deviation from its known mean, with β = 1 (see asian_arithmetic).
    let sample = |sum_s: f64, sum_log: f64| {
        let arithmetic = df * c.payoff(sum_s / n);
        if control_variate {
            arithmetic - (df * c.payoff((sum_log / n).exp()) - control_mean)
        } else {
            arithmetic
        }
    };
    let mut moments = Moments::default();
    for _ in 0..paths {
        // Running Σ S_{t_i} and Σ ln S_{t_i}, for the path and (if asked) its twin.
        let (mut x, mut sum_s, mut sum_log) = (gbm.log_spot, 0.0, 0.0);
        let (mut x2, mut sum_s2, mut sum_log2) = (gbm.log_spot, 0.0, 0.0);
        for _ in 0..fixings {
            let dz = gbm.vol_sqrt_dt * normal(&mut rng);
            x += gbm.drift_dt + dz;
            sum_s += x.exp();
            sum_log += x;
            if antithetic {
                x2 += gbm.drift_dt - dz;
                sum_s2 += x2.exp();
                sum_log2 += x2;
            }
        }
        let value = if antithetic {
            0.5 * (sample(sum_s, sum_log) + sample(sum_s2, sum_log2))
        } else {
            sample(sum_s, sum_log)
        };
        moments.push(value);
    }
    moments
}

/// An arithmetic-average Asian option, fixings t_i = iT/n (i = 1..n, as in
/// [`bs::asian_geometric`]), payoff max(φ(A − K), 0) with A = (S_{t₁} + … + S_{tₙ})/n.
///
/// With `control_variate`, each sample is X − (Y − E(Y)) where X is the arithmetic payoff,
/// Y the geometric payoff on the same path and E(Y) = [`bs::asian_geometric`], its closed
/// form (Kemna and Vorst 1990). The coefficient is fixed at β = 1 instead of the
/// variance-optimal β* = Cov(X, Y)/Var(Y): X and Y are so close (correlation above 0.99)
/// that β* ≈ 1, and a fixed β keeps every sample self-contained, so the estimator stays
/// unbiased, needs no pilot run, and merges block by block like the others.
///
/// Errors: [`McError::ZeroPaths`], [`McError::ZeroSteps`] (no fixings),
/// [`McError::InvalidContract`].
///
/// ```
/// use finance::bs::Contract;
/// use finance::mc::{self, McConfig};
///
/// let c = Contract::call(100.0, 100.0, 0.05, 0.3, 1.0);
/// let cfg = McConfig::new(20_000, 3);
/// let plain = mc::asian_arithmetic(&c, 12, &cfg, false).unwrap();
/// let controlled = mc::asian_arithmetic(&c, 12, &cfg, true).unwrap();
/// assert!(controlled.std_error < plain.std_error / 10.0);
/// ```
pub fn asian_arithmetic(
    c: &Contract,
    fixings: usize,
    cfg: &McConfig,
    control_variate: bool,
) -> Result<Estimate, McError> {
    check(c, cfg)?;
    if fixings == 0 {
        return Err(McError::ZeroSteps);
    }
    Ok(run_blocks(cfg.paths, |b, len| {
        asian_arithmetic_block(
            c,
            fixings,
            control_variate,
            cfg.seed,
            b,
            len,
            cfg.antithetic,
        )
    }))
}

/// β = −ζ(1/2)/√(2π) ≈ 0.5826, the constant of the Broadie-Glasserman-Kou continuity
/// correction (see [`bgk_barrier`]).
pub const BGK_BETA: f64 = 0.582_597_157_939_010_7;

/// The continuously monitored barrier whose closed-form price approximates the price of
/// `b` monitored at `steps` equally spaced dates: the level moved away from the spot by the
/// factor exp(β σ √Δt), Δt = T/steps.
///
/// M. Broadie, P. Glasserman and S. Kou, "A continuity correction for discrete barrier
/// options", *Mathematical Finance* 7 (1997): a discretely monitored barrier misses the
/// crossings between dates, so it behaves like a continuous barrier shifted away by
/// β σ √Δt in log space, with an error o(1/√steps). So
/// `bs::barrier(c, &bgk_barrier(c, b, steps))` is a closed-form approximation of
/// [`barrier(c, b, steps, cfg)`](barrier), and the tests compare the two.
///
/// ```
/// use finance::bs::{Barrier, BarrierKind, Contract};
///
/// let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
/// let b = Barrier { kind: BarrierKind::DownOut, level: 90.0, rebate: 0.0 };
/// let shifted = finance::mc::bgk_barrier(&c, &b, 250);
/// assert!(shifted.level < 90.0); // a down barrier moves down
/// ```
pub fn bgk_barrier(c: &Contract, b: &Barrier, steps: usize) -> Barrier {
    let shift = BGK_BETA * c.vol * (c.expiry / steps as f64).sqrt();
    let sign = if b.kind.is_down() { -1.0 } else { 1.0 };
    Barrier {
        level: b.level * (sign * shift).exp(),
        ..*b
    }
}

/// The moments of block `block` of [`barrier`]: `paths` samples from
/// `rng::stream(seed, block)`, each costing `steps` normals. Inputs are not validated.
pub fn barrier_block(
    c: &Contract,
    b: &Barrier,
    steps: usize,
    seed: u64,
    block: u64,
    paths: u64,
    antithetic: bool,
) -> Moments {
    let mut rng = rng::stream(seed, block);
    let gbm = GbmSteps::new(c, steps);
    let dt = c.expiry / steps as f64;
    let df = (-c.rate * c.expiry).exp();
    let out = b.kind.is_out();
    // Compare in log space: one comparison per step, no exp.
    let log_level = b.level.ln();
    let is_hit = |x: f64| b.kind.is_hit(x, log_level);
    // A spot at or beyond the barrier has hit it at time 0.
    let hit_at_start = is_hit(gbm.log_spot).then_some(0);
    // The discounted payoff of a path, from its first hitting date (if any) and ln S_T.
    let sample = |first_hit: Option<usize>, log_terminal: f64| match (out, first_hit) {
        (true, Some(i)) => b.rebate * (-c.rate * i as f64 * dt).exp(),
        (false, None) => b.rebate * df,
        (true, None) | (false, Some(_)) => df * c.payoff(log_terminal.exp()),
    };
    let mut moments = Moments::default();
    for _ in 0..paths {
        let (mut x, mut hit) = (gbm.log_spot, hit_at_start);
        let (mut x2, mut hit2) = (gbm.log_spot, hit_at_start);
        // Every path draws all its `steps` normals, even once knocked out, so that sample
        // k of a block always uses the same normals.
        for i in 1..=steps {
            let dz = gbm.vol_sqrt_dt * normal(&mut rng);
            x += gbm.drift_dt + dz;
            if hit.is_none() && is_hit(x) {
                hit = Some(i);
            }
            if antithetic {
                x2 += gbm.drift_dt - dz;
                if hit2.is_none() && is_hit(x2) {
                    hit2 = Some(i);
                }
            }
        }
        let value = if antithetic {
            0.5 * (sample(hit, x) + sample(hit2, x2))
        } else {
            sample(hit, x)
        };
        moments.push(value);
    }
    moments
}

/// A barrier option monitored at the `steps` dates t_i = iT/steps (i = 1..steps), and at
/// time 0: a spot already at or beyond the barrier has hit it.
///
/// Rebates follow [`bs::barrier`]: a knock-out pays its rebate at the first monitoring date
/// at or beyond the barrier, a knock-in pays it at expiry if never knocked in.
///
/// Discrete monitoring sees fewer crossings than the continuous barrier of the closed form
/// [`bs::barrier`], so knock-outs are worth more and knock-ins less. No correction is
/// applied to the simulation, which prices the discretely monitored contract exactly (up
/// to Monte Carlo error); to compare with the closed form, shift the barrier with
/// [`bgk_barrier`] (the Broadie-Glasserman-Kou continuity correction).
///
/// Errors: [`McError::ZeroPaths`], [`McError::ZeroSteps`], [`McError::InvalidContract`],
/// [`McError::InvalidBarrier`].
///
/// ```
/// use finance::bs::{self, Barrier, BarrierKind, Contract};
/// use finance::mc::{self, McConfig};
///
/// let c = Contract::call(100.0, 100.0, 0.05, 0.25, 0.5);
/// let b = Barrier { kind: BarrierKind::UpOut, level: 130.0, rebate: 0.0 };
/// let est = mc::barrier(&c, &b, 50, &McConfig::new(50_000, 5)).unwrap();
/// let approx = bs::barrier(&c, &mc::bgk_barrier(&c, &b, 50));
/// assert!((est.value - approx).abs() < 4.0 * est.std_error + 0.01);
/// ```
pub fn barrier(
    c: &Contract,
    b: &Barrier,
    steps: usize,
    cfg: &McConfig,
) -> Result<Estimate, McError> {
    check(c, cfg)?;
    b.validate().map_err(McError::InvalidBarrier)?;
    if steps == 0 {
        return Err(McError::ZeroSteps);
    }
    Ok(run_blocks(cfg.paths, |blk, len| {
        barrier_block(c, b, steps, cfg.seed, blk, len, cfg.antithetic)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bs::{BarrierKind, OptionKind};

    // Every "within 4 standard errors" check below fails by chance with probability 6e-5
    // for an unbiased estimator; the seeds are fixed, so a test either always passes or
    // reveals a bias.
    const Z_MAX: f64 = 4.0;

    fn contract(kind: OptionKind, strike: f64) -> Contract {
        Contract {
            kind,
            spot: 100.0,
            strike,
            rate: 0.05,
            dividend: 0.02,
            vol: 0.3,
            expiry: 1.0,
        }
    }

    #[test]
    fn errors() {
        let c = contract(OptionKind::Call, 100.0);
        let b = Barrier {
            kind: BarrierKind::DownOut,
            level: 90.0,
            rebate: 0.0,
        };
        let none = McConfig::new(0, 1);
        let some = McConfig::new(10, 1);
        assert_eq!(european(&c, &none), Err(McError::ZeroPaths));
        assert_eq!(
            asian_arithmetic(&c, 4, &none, true),
            Err(McError::ZeroPaths)
        );
        assert_eq!(barrier(&c, &b, 4, &none), Err(McError::ZeroPaths));
        assert_eq!(
            asian_arithmetic(&c, 0, &some, true),
            Err(McError::ZeroSteps)
        );
        assert_eq!(barrier(&c, &b, 0, &some), Err(McError::ZeroSteps));
        let bad = Contract { vol: f64::NAN, ..c };
        match european(&bad, &some) {
            Err(e @ McError::InvalidContract(_)) => assert!(e.to_string().contains("vol")),
            other => panic!("{other:?}"),
        }
        let bad_barrier = Barrier { level: -1.0, ..b };
        match barrier(&c, &bad_barrier, 4, &some) {
            Err(e @ McError::InvalidBarrier(_)) => assert!(e.to_string().contains("level")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blocks_cover_the_paths() {
        for paths in [
            1,
            100,
            BLOCK_PATHS - 1,
            BLOCK_PATHS,
            BLOCK_PATHS + 1,
            5 * BLOCK_PATHS + 7,
        ] {
            let n = block_count(paths);
            let lens: Vec<u64> = (0..n).map(|b| block_len(paths, b)).collect();
            assert_eq!(lens.iter().sum::<u64>(), paths);
            assert!(lens[..lens.len() - 1].iter().all(|&l| l == BLOCK_PATHS));
            assert!(lens[lens.len() - 1] > 0);
            assert_eq!(block_len(paths, n), 0);
        }
        assert_eq!(block_len(10, u64::MAX), 0);
    }

    #[test]
    fn moments() {
        let xs = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.push(x));
        let (mut left, mut right) = (Moments::default(), Moments::default());
        xs[..3].iter().for_each(|&x| left.push(x));
        xs[3..].iter().for_each(|&x| right.push(x));
        let merged = left.merge(right);
        assert_eq!(merged.count, 8);
        assert!((merged.mean() - 3.875).abs() < 1e-15);
        // Sample variance with n − 1: Σ(x − 3.875)² / 7 = 52.875 / 7.
        assert!((all.variance() - 52.875 / 7.0).abs() < 1e-12);
        assert!((all.std_error() - (52.875 / 7.0 / 8.0f64).sqrt()).abs() < 1e-12);
        assert!(Moments::default().mean().is_nan());
        let mut one = Moments::default();
        one.push(2.0);
        assert!(one.std_error().is_nan());
    }

    #[test]
    fn european_matches_closed_form() {
        let cfg = McConfig::new(1 << 17, 2024);
        for kind in [OptionKind::Call, OptionKind::Put] {
            for strike in [70.0, 100.0, 130.0] {
                let c = contract(kind, strike);
                for cfg in [cfg, cfg.with_antithetic()] {
                    let est = european(&c, &cfg).unwrap();
                    let z = est.z_score(bs::price(&c));
                    assert!(
                        z.abs() < Z_MAX,
                        "{kind:?} K={strike} {cfg:?}: {est:?}, z = {z}"
                    );
                }
            }
        }
    }

    #[test]
    fn european_degenerate_contracts_are_exact() {
        // Without volatility (or time) every path gives the same payoff: exact, SE 0.
        for (kind, strike) in [
            (OptionKind::Call, 90.0),
            (OptionKind::Put, 90.0),
            (OptionKind::Call, 110.0),
        ] {
            for (vol, expiry) in [(0.0, 1.0), (0.3, 0.0)] {
                let c = Contract {
                    vol,
                    expiry,
                    ..contract(kind, strike)
                };
                for cfg in [
                    McConfig::new(1000, 1),
                    McConfig::new(1000, 1).with_antithetic(),
                ] {
                    let est = european(&c, &cfg).unwrap();
                    assert!((est.value - bs::price(&c)).abs() < 1e-12, "{c:?}: {est:?}");
                    assert!(est.std_error < 1e-6, "{c:?}: {est:?}");
                }
            }
        }
    }

    /// The straightforward loop `european_block` must agree with bit for bit: every path
    /// priced, in order, with the same normals and the same exponential.
    fn naive_block(c: &Contract, seed: u64, block: u64, paths: u64, antithetic: bool) -> Moments {
        let mut rng = rng::stream(seed, block);
        let normal = Ziggurat::new();
        let log_fwd = c.spot.ln() + (c.rate - c.dividend - 0.5 * c.vol * c.vol) * c.expiry;
        let fwd = log_fwd.exp();
        let vol_sqrt_t = c.vol * c.expiry.sqrt();
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..paths {
            let z = normal.sample(&mut rng);
            let s_t = fastmath::exp(log_fwd + vol_sqrt_t * z);
            let x = if antithetic {
                0.5 * (c.payoff(s_t) + c.payoff(fwd * (fwd / s_t)))
            } else {
                c.payoff(s_t)
            };
            sum += x;
            sum_sq += x * x;
        }
        let df = (-c.rate * c.expiry).exp();
        Moments {
            count: paths,
            sum: df * sum,
            sum_sq: df * df * sum_sq,
        }
    }

    #[test]
    fn skipping_worthless_paths_changes_nothing() {
        // Including the corners of the filter: zero strike, zero spot, (almost) no volatility.
        for kind in [OptionKind::Call, OptionKind::Put] {
            for (spot, strike, vol) in [
                (100.0, 0.0, 0.3),
                (100.0, 50.0, 0.3),
                (100.0, 100.0, 0.3),
                (100.0, 150.0, 0.3),
                (100.0, 1e6, 0.3),
                (0.0, 100.0, 0.3),
                (0.0, 0.0, 0.3),
                (100.0, 103.0, 1e-9),
                (100.0, 103.0, 0.0),
            ] {
                for antithetic in [false, true] {
                    let c = Contract {
                        spot,
                        strike,
                        vol,
                        ..contract(kind, strike)
                    };
                    let fast = european_block(&c, 7, 3, 1000, antithetic);
                    let naive = naive_block(&c, 7, 3, 1000, antithetic);
                    assert_eq!(fast, naive, "{c:?}, antithetic: {antithetic}");
                }
            }
        }
    }

    #[test]
    fn blocks_merged_in_order_are_bit_identical() {
        let c = contract(OptionKind::Put, 95.0);
        let cfg = McConfig {
            paths: 7 * BLOCK_PATHS + 123,
            seed: 99,
            antithetic: true,
        };
        let n = block_count(cfg.paths);
        let run = |b: u64| european_block(&c, cfg.seed, b, block_len(cfg.paths, b), cfg.antithetic);
        // Compute the blocks on two threads, in an order unrelated to their index (odd
        // blocks on one thread, even on the other, each from the end), then merge in order.
        let mut blocks = vec![Moments::default(); n as usize];
        let (even, odd): (Vec<u64>, Vec<u64>) = (0..n).rev().partition(|b| b % 2 == 0);
        std::thread::scope(|s| {
            let handles = [even, odd].map(|ids| {
                s.spawn(move || ids.into_iter().map(|b| (b, run(b))).collect::<Vec<_>>())
            });
            for h in handles {
                for (b, m) in h.join().unwrap() {
                    blocks[b as usize] = m;
                }
            }
        });
        let by_hand = blocks
            .into_iter()
            .fold(Moments::default(), Moments::merge)
            .estimate();
        assert_eq!(by_hand, european(&c, &cfg).unwrap());
    }

    #[test]
    fn antithetic_pairs_reduce_the_error_at_equal_cost() {
        // n pairs cost the same normals as n plain paths and half the payoffs of 2n; they
        // must beat 2n independent paths, since the halves of a pair are negatively
        // correlated for a monotone payoff.
        for kind in [OptionKind::Call, OptionKind::Put] {
            let c = contract(kind, 100.0);
            let plain = european(&c, &McConfig::new(1 << 16, 5)).unwrap();
            let pairs = european(&c, &McConfig::new(1 << 15, 5).with_antithetic()).unwrap();
            assert!(
                pairs.std_error < 0.8 * plain.std_error,
                "{kind:?}: {pairs:?} vs {plain:?}"
            );
        }
    }

    #[test]
    fn asian_control_variate() {
        let cfg = McConfig::new(1 << 15, 31);
        for kind in [OptionKind::Call, OptionKind::Put] {
            let c = contract(kind, 100.0);
            let plain = asian_arithmetic(&c, 12, &cfg, false).unwrap();
            let controlled = asian_arithmetic(&c, 12, &cfg, true).unwrap();
            // The geometric payoff explains almost all the variance of the arithmetic one.
            assert!(
                controlled.std_error < plain.std_error / 10.0,
                "{plain:?} {controlled:?}"
            );
            // The two estimates differ by the simulated geometric price minus its closed
            // form, whose standard error is about the plain one: this checks
            // bs::asian_geometric against simulation.
            let se = plain.std_error.hypot(controlled.std_error);
            assert!(
                (plain.value - controlled.value).abs() < Z_MAX * se,
                "{plain:?} {controlled:?}"
            );
            // Arithmetic ≥ geometric average, so a call is worth more, a put less.
            let geometric = bs::asian_geometric(&c, 12);
            match kind {
                OptionKind::Call => assert!(controlled.value > geometric),
                OptionKind::Put => assert!(controlled.value < geometric),
            }
            let anti = asian_arithmetic(&c, 12, &cfg.with_antithetic(), true).unwrap();
            assert!(
                (anti.value - controlled.value).abs()
                    < Z_MAX * anti.std_error.hypot(controlled.std_error)
            );
        }
        // With one fixing the arithmetic and geometric payoffs coincide, so the controlled
        // estimator returns the closed form on every path.
        let c = contract(OptionKind::Call, 100.0);
        let one = asian_arithmetic(&c, 1, &McConfig::new(1000, 3), true).unwrap();
        // (The standard error is zero up to the cancellation in Σx² − (Σx)²/n.)
        assert!((one.value - bs::price(&c)).abs() < 1e-10 && one.std_error < 1e-6);
    }

    #[test]
    fn barrier_matches_corrected_closed_form() {
        // Daily monitoring (250 steps). The bias of the Broadie-Glasserman-Kou shifted
        // barrier is below 0.2 of this test's standard errors (measured with 2 million
        // paths), so the 4-SE bound holds with room to spare.
        let steps = 250;
        let cfg = McConfig::new(1 << 16, 17);
        let cases = [
            (OptionKind::Call, BarrierKind::DownOut, 90.0, 0.0),
            (OptionKind::Call, BarrierKind::UpOut, 130.0, 0.0),
            (OptionKind::Put, BarrierKind::DownIn, 85.0, 0.0),
            (OptionKind::Put, BarrierKind::UpIn, 115.0, 0.0),
            (OptionKind::Put, BarrierKind::DownOut, 85.0, 2.0),
            (OptionKind::Call, BarrierKind::UpIn, 120.0, 2.0),
        ];
        for (kind, barrier_kind, level, rebate) in cases {
            let c = contract(kind, 100.0);
            let b = Barrier {
                kind: barrier_kind,
                level,
                rebate,
            };
            let est = barrier(&c, &b, steps, &cfg).unwrap();
            let corrected = bs::barrier(&c, &bgk_barrier(&c, &b, steps));
            let z = est.z_score(corrected);
            assert!(
                z.abs() < Z_MAX,
                "{kind:?} {b:?}: {est:?} vs {corrected}, z = {z}"
            );
        }
    }

    #[test]
    fn discrete_monitoring_is_biased() {
        // Monthly monitoring misses crossings: knock-outs are worth more, knock-ins less,
        // than under the continuous monitoring of the closed form.
        let cfg = McConfig::new(1 << 15, 17);
        let cases = [
            (OptionKind::Call, BarrierKind::DownOut, 90.0, 0.0),
            (OptionKind::Call, BarrierKind::UpOut, 130.0, 0.0),
            (OptionKind::Put, BarrierKind::UpIn, 115.0, 0.0),
            (OptionKind::Put, BarrierKind::DownOut, 85.0, 2.0),
        ];
        for (kind, barrier_kind, level, rebate) in cases {
            let c = contract(kind, 100.0);
            let b = Barrier {
                kind: barrier_kind,
                level,
                rebate,
            };
            let z = barrier(&c, &b, 12, &cfg)
                .unwrap()
                .z_score(bs::barrier(&c, &b));
            let biased = if barrier_kind.is_out() {
                z > Z_MAX
            } else {
                z < -Z_MAX
            };
            assert!(biased, "{kind:?} {b:?}: z = {z}");
        }
    }

    #[test]
    fn barrier_in_out_parity_and_edge_cases() {
        // On every path exactly one of knock-in and knock-out pays the vanilla payoff, so
        // their sum estimates the vanilla price; the SE of a sum is at most the sum of SEs.
        let c = contract(OptionKind::Call, 105.0);
        let cfg = McConfig::new(1 << 15, 8);
        for (into, out, level) in [
            (BarrierKind::DownIn, BarrierKind::DownOut, 90.0),
            (BarrierKind::UpIn, BarrierKind::UpOut, 120.0),
        ] {
            let knock_in = barrier(
                &c,
                &Barrier {
                    kind: into,
                    level,
                    rebate: 0.0,
                },
                50,
                &cfg,
            )
            .unwrap();
            let knock_out = barrier(
                &c,
                &Barrier {
                    kind: out,
                    level,
                    rebate: 0.0,
                },
                50,
                &cfg,
            )
            .unwrap();
            let gap = knock_in.value + knock_out.value - bs::price(&c);
            assert!(
                gap.abs() < Z_MAX * (knock_in.std_error + knock_out.std_error),
                "{gap}"
            );
        }
        // A spot already beyond the barrier: knocked out at once (the rebate, undiscounted),
        // or knocked in at once (the vanilla option).
        let b = Barrier {
            kind: BarrierKind::UpOut,
            level: 95.0,
            rebate: 1.5,
        };
        let est = barrier(&c, &b, 10, &cfg).unwrap();
        assert_eq!((est.value, est.std_error), (1.5, 0.0));
        let est = barrier(
            &c,
            &Barrier {
                kind: BarrierKind::UpIn,
                ..b
            },
            10,
            &cfg,
        )
        .unwrap();
        assert!(est.z_score(bs::price(&c)).abs() < Z_MAX);
    }

    #[test]
    fn bgk_shift_direction() {
        let c = contract(OptionKind::Call, 100.0);
        let down = Barrier {
            kind: BarrierKind::DownIn,
            level: 90.0,
            rebate: 0.0,
        };
        let up = Barrier {
            kind: BarrierKind::UpOut,
            level: 110.0,
            rebate: 0.0,
        };
        let shift = (BGK_BETA * 0.3 * (1.0f64 / 4.0).sqrt()).exp();
        assert!((bgk_barrier(&c, &down, 4).level - 90.0 / shift).abs() < 1e-12);
        assert!((bgk_barrier(&c, &up, 4).level - 110.0 * shift).abs() < 1e-12);
    }
}
