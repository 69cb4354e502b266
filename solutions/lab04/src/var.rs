//! Task 4: Monte Carlo value at risk and conditional value at risk of a portfolio.
//!
//! Daily asset returns are modelled as `x ~ N(0, Σ)`. With the Cholesky factor `L` of `Σ`
//! (`L Lᵀ = Σ`, [`finance::linalg::cholesky`]) and independent standard normals `z`,
//! `x = L z` has exactly that distribution. A portfolio worth `V` with weights `w` loses
//! `-V wᵀx` on a scenario; over many scenarios:
//!
//! - `VaR_c` is the `c`-quantile of the losses (NumPy's linear interpolation, as in
//!   [`finance::stats::quantile`]): a loss exceeded on a fraction `1 - c` of days;
//! - `CVaR_c` (expected shortfall) is the mean of the losses at or above the VaR.
//!
//! Both are positive numbers for losses. The model being normal, they must agree with
//! [`finance::risk::parametric_var`] and [`finance::risk::parametric_es`] within Monte Carlo
//! error: a check on the whole pipeline.
//!
//! # Reproducible in parallel
//! Scenarios are cut into blocks of [`SCENARIO_BLOCK`]; block `b` draws from
//! [`finance::rng::stream`]`(seed, b)`, each scenario drawing its `d` normals with
//! [`Ziggurat::sample`] in asset order. Whoever computes block `b`, its losses are the same,
//! and they land at the same place in the list of losses.
//!
//! # The inner loop
//! The naive version allocates two vectors per scenario (`z`, then `L z` from
//! [`Matrix::mul_vec`], which also multiplies the zeros above the diagonal of `L`), then
//! takes `wᵀx`. The tight version allocates nothing per scenario and hoists out of the loop
//! everything that does not change from one scenario to the next: `wᵀ(L z) = (Lᵀw)ᵀ z`, so
//! with `a = -V Lᵀw` computed once, a scenario's loss is a dot product of `d` numbers, taken
//! while the normals are drawn.

use std::fmt;

use finance::linalg::{LinalgError, Matrix, cholesky};
// BEGIN SOLUTION
use finance::rng::{Stream, stream};

use crate::molecules::{linear_molecules, mp_fill};
// END SOLUTION use finance::rng::Stream;

/// Scenarios per block: block `b` of the scenarios uses `finance::rng::stream(seed, b)`.
pub const SCENARIO_BLOCK: u64 = 16_384;

/// What to simulate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VarConfig {
    /// Number of scenarios, at least 1.
    pub scenarios: u64,
    /// Master seed.
    pub seed: u64,
    /// Confidence level in `(0, 1)`, e.g. 0.99.
    pub confidence: f64,
}

/// Value at risk and conditional value at risk, positive numbers for losses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TailRisk {
    /// The `confidence` quantile of the losses.
    pub var: f64,
    /// The mean of the losses at or above the VaR.
    pub cvar: f64,
}

/// Why a Monte Carlo VaR could not be computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum VarError {
    /// The covariance matrix is not `d x d` for `d` weights.
    DimensionMismatch {
        /// Number of weights.
        weights: usize,
        /// Rows of the covariance matrix.
        rows: usize,
        /// Columns of the covariance matrix.
        cols: usize,
    },
    /// The covariance matrix has no Cholesky factor (not symmetric positive definite).
    Covariance(LinalgError),
    /// A confidence level outside `(0, 1)`.
    ConfidenceOutOfRange(f64),
    /// A portfolio value that is negative or not finite.
    InvalidValue(f64),
    /// Zero scenarios were asked for.
    NoScenarios,
}

impl fmt::Display for VarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DimensionMismatch {
                weights,
                rows,
                cols,
            } => write!(
                f,
                "covariance matrix is {rows}x{cols}, expected {weights}x{weights}"
            ),
            Self::Covariance(e) => write!(f, "covariance matrix: {e}"),
            Self::ConfidenceOutOfRange(c) => write!(f, "confidence {c} is outside (0, 1)"),
            Self::InvalidValue(v) => write!(f, "portfolio value {v} must be non-negative"),
            Self::NoScenarios => write!(f, "at least one scenario is needed"),
        }
    }
}

impl std::error::Error for VarError {}

/// Checks the inputs and returns the Cholesky factor of `cov`. (Given: both versions start
/// with it.)
///
/// # Errors
/// See [`VarError`].
pub fn validate(
    weights: &[f64],
    cov: &Matrix,
    value: f64,
    cfg: &VarConfig,
) -> Result<Matrix, VarError> {
    let d = weights.len();
    if cov.shape() != (d, d) {
        return Err(VarError::DimensionMismatch {
            weights: d,
            rows: cov.rows(),
            cols: cov.cols(),
        });
    }
    if !(cfg.confidence > 0.0 && cfg.confidence < 1.0) {
        return Err(VarError::ConfidenceOutOfRange(cfg.confidence));
    }
    if !(value >= 0.0 && value.is_finite()) {
        return Err(VarError::InvalidValue(value));
    }
    if cfg.scenarios == 0 {
        return Err(VarError::NoScenarios);
    }
    cholesky(cov).map_err(VarError::Covariance)
}

/// VaR and CVaR of a sample of losses at `confidence` (see the [module docs](self)); reorders
/// `losses`.
///
/// The VaR is the `confidence` quantile with NumPy's linear interpolation: with
/// `h = (N - 1) confidence`, between the order statistics `⌊h⌋` and `⌊h⌋ + 1`, which
/// `select_nth_unstable` finds in O(N) without sorting. The CVaR is the mean of the losses
/// `>= VaR`.
///
/// # Panics
/// If `losses` is empty or `confidence` is outside `(0, 1)`.
///
/// ```
/// let mut losses: Vec<f64> = (1..=100).map(f64::from).collect();
/// let risk = lab04::var::tail_risk(&mut losses, 0.95);
/// assert!((risk.var - 95.05).abs() < 1e-12);  // h = 99 × 0.95 = 94.05: between 95 and 96
/// assert_eq!(risk.cvar, 98.0);                 // mean of 96..=100
/// ```
pub fn tail_risk(losses: &mut [f64], confidence: f64) -> TailRisk {
    // BEGIN SOLUTION
    assert!(!losses.is_empty(), "no losses");
    assert!(
        confidence > 0.0 && confidence < 1.0,
        "confidence must be in (0, 1), got {confidence}"
    );
    let n = losses.len();
    let h = (n - 1) as f64 * confidence;
    let lo = (h.floor() as usize).min(n - 1);
    let t = h - lo as f64;
    let (below, &mut a, above) = losses.select_nth_unstable_by(lo, f64::total_cmp);
    let var = match above.iter().copied().min_by(f64::total_cmp) {
        // NumPy's `_lerp`, as in finance::stats::quantile.
        Some(b) if t < 0.5 => a + (b - a) * t,
        Some(b) => b - (b - a) * (1.0 - t),
        None => a,
    };
    let (mut sum, mut count) = (0.0, 0usize);
    for &x in std::iter::once(&a).chain(above.iter()) {
        if x >= var {
            sum += x;
            count += 1;
        }
    }
    if var <= a {
        // Ties with the VaR sitting below position ⌊h⌋ also count (only possible when the
        // VaR equals an order statistic, i.e. for discrete losses).
        for &x in below.iter().filter(|&&x| x >= var) {
            sum += x;
            count += 1;
        }
    }
    TailRisk {
        var,
        cvar: sum / count as f64,
    }
    // STUB
    // todo!(
    //     "tail_risk of {} losses at {confidence}: select_nth_unstable_by, then interpolate",
    //     losses.len()
    // )
    // END SOLUTION
}

/// A sampler of standard normal draws by the ziggurat method (given).
///
/// Marsaglia and Tsang, "The ziggurat method for generating random variables", *Journal of
/// Statistical Software* 5 (2000), with 256 layers and Doornik's test (2005): one 64-bit
/// draw gives the layer (8 bits) and a uniform in `[-1, 1)` (52 bits); 98.8% of draws fall
/// inside their layer's rectangle and cost a multiplication and a comparison. It is the
/// algorithm of `rand_distr::StandardNormal`, about twice as fast here because its rare slow
/// path is a separate function and its fast path inlines into your loop.
///
/// Both Monte Carlo versions draw a scenario's normals with it, in asset order, so that
/// they see the very same scenarios:
///
/// ```
/// use lab04::var::Ziggurat;
/// let normal = Ziggurat::new(); // cheap: the tables are computed once per program
/// let mut rng = finance::rng::stream(1, 0);
/// let z: Vec<f64> = (0..4).map(|_| normal.sample(&mut rng)).collect();
/// assert!(z.iter().all(|x| x.abs() < 10.0));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Ziggurat {
    tables: &'static Tables,
}

impl Default for Ziggurat {
    fn default() -> Self {
        Self::new()
    }
}

impl Ziggurat {
    /// The sampler (its tables are built on first use).
    pub fn new() -> Self {
        static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
        Self {
            tables: TABLES.get_or_init(Tables::new),
        }
    }

    /// One standard normal draw from `rng`.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        let bits = rng.next_u64();
        let layer = (bits & 0xff) as usize;
        // The top 52 bits as a double in [2, 4), minus 3: uniform in [-1, 1).
        let u = f64::from_bits((bits >> 12) | 0x4000_0000_0000_0000) - 3.0;
        let x = u * self.tables.x[layer];
        if x.abs() < self.tables.x[layer + 1] {
            return x;
        }
        ziggurat_slow(rng, self.tables, layer, u, x)
    }
}

/// Layer edges `x[0] > x[1] = R > ... > x[256] = 0` of the 256-layer ziggurat of the normal
/// density `f(x) = exp(-x²/2)`, and `f` at each edge.
#[derive(Debug)]
struct Tables {
    x: [f64; 257],
    f: [f64; 257],
}

/// Right end of the base layer (Marsaglia and Tsang, 256 layers).
const ZIG_R: f64 = 3.654_152_885_361_009;
/// Area of each layer.
const ZIG_V: f64 = 0.004_928_673_233_99;

impl Tables {
    fn new() -> Tables {
        let f = |x: f64| (-0.5 * x * x).exp();
        let mut x = [0.0; 257];
        x[0] = ZIG_V / f(ZIG_R); // the base layer: a rectangle plus the tail, area V
        x[1] = ZIG_R;
        for i in 1..255 {
            x[i + 1] = (-2.0 * (ZIG_V / x[i] + f(x[i])).ln()).sqrt();
        }
        x[256] = 0.0;
        Tables { x, f: x.map(f) }
    }
}

/// A uniform in `(0, 1]`, so that its logarithm is finite.
fn open_uniform(rng: &mut Stream) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The 1.2% of draws outside their layer's rectangle: the tail beyond `R` for the base
/// layer, otherwise a test under the density; a rejected draw starts over.
#[cold]
#[inline(never)]
fn ziggurat_slow(rng: &mut Stream, t: &Tables, mut layer: usize, mut u: f64, mut x: f64) -> f64 {
    loop {
        if layer == 0 {
            // Marsaglia's tail method: R + a with a exponential, accepted with exp(-a²/2).
            loop {
                let a = -open_uniform(rng).ln() / ZIG_R;
                let b = -open_uniform(rng).ln();
                if 2.0 * b > a * a {
                    return if u < 0.0 { -(ZIG_R + a) } else { ZIG_R + a };
                }
            }
        }
        let v = open_uniform(rng);
        if t.f[layer + 1] + (t.f[layer] - t.f[layer + 1]) * v < (-0.5 * x * x).exp() {
            return x;
        }
        let bits = rng.next_u64();
        layer = (bits & 0xff) as usize;
        u = f64::from_bits((bits >> 12) | 0x4000_0000_0000_0000) - 3.0;
        x = u * t.x[layer];
        if x.abs() < t.x[layer + 1] {
            return x;
        }
    }
}

/// Number of blocks for `scenarios` scenarios. (Given.)
pub fn block_count(scenarios: u64) -> u64 {
    scenarios.div_ceil(SCENARIO_BLOCK)
}

/// Scenarios in block `b`: [`SCENARIO_BLOCK`], except the last, which holds the rest.
/// (Given.)
pub fn block_len(scenarios: u64, b: u64) -> usize {
    (scenarios - b * SCENARIO_BLOCK).min(SCENARIO_BLOCK) as usize
}

/// Monte Carlo VaR and CVaR, the simple way: sequential, and allocating two vectors per
/// scenario (`z`, then `x = L z` with [`Matrix::mul_vec`]). The reference for [`mc_var`].
///
/// `weights` are fractions of `value`, `cov` the covariance of the daily asset returns.
///
/// # Errors
/// See [`validate`].
pub fn mc_var_naive(
    weights: &[f64],
    cov: &Matrix,
    value: f64,
    cfg: &VarConfig,
) -> Result<TailRisk, VarError> {
    let chol = validate(weights, cov, value, cfg)?;
    // BEGIN SOLUTION
    let d = weights.len();
    let normal = Ziggurat::new();
    let mut losses = Vec::with_capacity(cfg.scenarios as usize);
    for b in 0..block_count(cfg.scenarios) {
        let mut rng = stream(cfg.seed, b);
        for _ in 0..block_len(cfg.scenarios, b) {
            let z: Vec<f64> = (0..d).map(|_| normal.sample(&mut rng)).collect();
            let x = chol.mul_vec(&z);
            let pnl: f64 = weights.iter().zip(&x).map(|(w, r)| w * r).sum();
            losses.push(-value * pnl);
        }
    }
    Ok(tail_risk(&mut losses, cfg.confidence))
    // STUB
    // todo!(
    //     "mc_var_naive: {cfg:?}, Cholesky factor {:?}: z, L z, the loss",
    //     chol.shape()
    // )
    // END SOLUTION
}

/// Monte Carlo VaR and CVaR with a tight inner loop (no allocation per scenario, the work
/// that does not depend on the scenario hoisted out of it), the blocks of scenarios run in
/// parallel on the current rayon pool.
///
/// Same scenarios as [`mc_var_naive`] (within rounding: results agree to `1e-12`),
/// bit-identical for any number of threads.
///
/// # Errors
/// See [`validate`].
pub fn mc_var(
    weights: &[f64],
    cov: &Matrix,
    value: f64,
    cfg: &VarConfig,
) -> Result<TailRisk, VarError> {
    let chol = validate(weights, cov, value, cfg)?;
    // BEGIN SOLUTION
    let d = weights.len();
    // Hoist what does not depend on the scenario out of the loop: the portfolio return
    // wᵀ(L z) = (Lᵀw)ᵀ z, so with a = -value Lᵀw computed once, a scenario's loss is one dot
    // product of d numbers (instead of L z's d(d+1)/2 multiplications, then wᵀx).
    let a: Vec<f64> = (0..d)
        .map(|k| -value * (k..d).map(|i| weights[i] * chol[(i, k)]).sum::<f64>())
        .collect();
    let blocks = block_count(cfg.scenarios) as usize;
    let mut losses = vec![0.0; cfg.scenarios as usize];
    // Atoms are blocks; each molecule of blocks fills its own slice of `losses`.
    let molecules = linear_molecules(blocks, 4 * rayon::current_num_threads());
    mp_fill(
        &mut losses,
        SCENARIO_BLOCK as usize,
        &molecules,
        |m, out| {
            let normal = Ziggurat::new();
            for (b, block) in m.zip(out.chunks_mut(SCENARIO_BLOCK as usize)) {
                let mut rng = stream(cfg.seed, b as u64);
                for loss in block {
                    // The normals are drawn in asset order, as in the naive version; no
                    // buffer is needed since each is used once.
                    let mut sum = 0.0;
                    for &ak in &a {
                        sum += ak * normal.sample(&mut rng);
                    }
                    *loss = sum;
                }
            }
        },
    );
    Ok(tail_risk(&mut losses, cfg.confidence))
    // STUB
    // todo!(
    //     "mc_var: {cfg:?}, Cholesky factor {:?}: no allocation per scenario",
    //     chol.shape()
    // )
    // END SOLUTION
}
