//! # Lab 01: why parallelism
//!
//! Amdahl's law, cores, and the first parallel Monte Carlo. The handout (`README.md`)
//! explains the ideas; this file holds what you implement, in the order of the tasks:
//!
//! 1. **The laws of speedup**: [`amdahl_speedup`], [`amdahl_limit`], [`gustafson_speedup`],
//!    [`karp_flatt`] and [`fit_parallel_fraction`].
//! 2. **Cores**: [`physical_cores_from_cpuinfo`] and [`cores`].
//! 3. **Monte Carlo on one thread, then on many**: [`price_mc`] and [`price_mc_parallel`],
//!    bit-identical for every thread count.
//! 4. **Many options at once**: [`price_book`] and [`vol_grid`], with rayon.
//! 5. **Measuring**: [`scaling_curve`].
//!
//! Errors are values, never NaN: the laws return [`ScalingError`], the pricers
//! [`McError`] or [`PriceError`].

use finance::bs::{Contract, ContractError};
// BEGIN SOLUTION
use finance::mc::{self, Estimate, McError, Moments};
use rayon::prelude::*;
use std::collections::HashSet;
// END SOLUTION use finance::mc::{Estimate, McError};
use std::fmt;
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Task 1: the laws of speedup
// ---------------------------------------------------------------------------------------

/// Why a law of speedup, a fit or a measurement cannot be computed.
///
/// Every function of tasks 1 and 5 checks its input and returns one of these instead of a
/// NaN or an infinity that would silently spread through later arithmetic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalingError {
    /// A parallel fraction `p` outside `[0, 1]`, or NaN.
    InvalidFraction(f64),
    /// Zero processors (or a thread count of zero).
    ZeroProcessors,
    /// The Karp-Flatt metric on one processor: its formula is 0 / 0 there.
    OneProcessor,
    /// A speedup that is not a finite, strictly positive number.
    InvalidSpeedup(f64),
    /// A fit of `p` needs at least one point measured on two or more threads.
    NoParallelPoint,
    /// A measurement of zero runs.
    ZeroRuns,
}

impl fmt::Display for ScalingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidFraction(p) => {
                write!(f, "the parallel fraction must lie in [0, 1], got {p}")
            }
            Self::ZeroProcessors => write!(f, "the number of processors must be at least 1"),
            Self::OneProcessor => write!(
                f,
                "the Karp-Flatt metric is undefined on one processor (0 / 0)"
            ),
            Self::InvalidSpeedup(s) => {
                write!(f, "a speedup must be finite and positive, got {s}")
            }
            Self::NoParallelPoint => write!(
                f,
                "fitting the parallel fraction needs a point measured on 2 or more threads"
            ),
            Self::ZeroRuns => write!(f, "a measurement needs at least one run"),
        }
    }
}

impl std::error::Error for ScalingError {}

// BEGIN SOLUTION
/// Checks a parallel fraction: finite and within `[0, 1]`.
fn check_fraction(p: f64) -> Result<f64, ScalingError> {
    // `contains` is false for NaN, so NaN is rejected too.
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(ScalingError::InvalidFraction(p))
    }
}

/// Checks a processor count and returns it as a float.
fn check_processors(n: usize) -> Result<f64, ScalingError> {
    if n == 0 {
        Err(ScalingError::ZeroProcessors)
    } else {
        Ok(n as f64)
    }
}

/// Checks a measured speedup: finite and strictly positive.
fn check_speedup(speedup: f64) -> Result<f64, ScalingError> {
    if speedup.is_finite() && speedup > 0.0 {
        Ok(speedup)
    } else {
        Err(ScalingError::InvalidSpeedup(speedup))
    }
}

// END SOLUTION
/// Amdahl's law: the speedup on `n` processors of a program whose fraction `p` of the
/// one-processor run time can be spread perfectly over processors, the rest being serial.
///
/// S(n) = 1 / ((1 − p) + p / n).
///
/// Errors, checked in this order (the first that applies is returned):
/// [`ScalingError::InvalidFraction`] if `p` is not in `[0, 1]`, then
/// [`ScalingError::ZeroProcessors`] if `n == 0`. So `amdahl_speedup(2.0, 0)` is
/// `InvalidFraction(2.0)`.
///
/// ```
/// // Half the program parallel, 4 cores: 1 / (0.5 + 0.125) = 1.6.
/// let s = lab01::amdahl_speedup(0.5, 4).unwrap();
/// assert!((s - 1.6).abs() < 1e-12);
/// ```
pub fn amdahl_speedup(p: f64, n: usize) -> Result<f64, ScalingError> {
    // BEGIN SOLUTION
    let p = check_fraction(p)?;
    let n = check_processors(n)?;
    Ok(1.0 / ((1.0 - p) + p / n))
    // END SOLUTION todo!("amdahl_speedup(p = {p}, n = {n}): check both inputs, then 1 / ((1 - p) + p / n)")
}

/// The limit of Amdahl's speedup as the number of processors grows without bound:
/// 1 / (1 − p). A fully parallel program (`p == 1`) has no limit: the result is
/// `f64::INFINITY`.
///
/// Error: [`ScalingError::InvalidFraction`] if `p` is not in `[0, 1]`.
///
/// ```
/// // Half serial: never more than twice as fast, whatever the number of cores.
/// assert_eq!(lab01::amdahl_limit(0.5).unwrap(), 2.0);
/// ```
pub fn amdahl_limit(p: f64) -> Result<f64, ScalingError> {
    // BEGIN SOLUTION
    let p = check_fraction(p)?;
    // 1 / 0.0 is +∞ in IEEE arithmetic: exactly the limit of a fully parallel program.
    Ok(1.0 / (1.0 - p))
    // END SOLUTION todo!("amdahl_limit(p = {p}): check p, then 1 / (1 - p)")
}

/// Gustafson's law: the *scaled* speedup on `n` processors when the problem grows with the
/// machine and `p` is the parallel fraction of the run time measured on the `n` processors.
///
/// S(n) = (1 − p) + p · n: how long one processor would need for the work `n` processors
/// did, divided by the time they took.
///
/// Errors: as [`amdahl_speedup`], in the same order (`p` first, then `n`).
///
/// ```
/// // 90% parallel on 8 cores: 0.1 + 0.9 × 8 = 7.3.
/// let s = lab01::gustafson_speedup(0.9, 8).unwrap();
/// assert!((s - 7.3).abs() < 1e-12);
/// ```
pub fn gustafson_speedup(p: f64, n: usize) -> Result<f64, ScalingError> {
    // BEGIN SOLUTION
    let p = check_fraction(p)?;
    let n = check_processors(n)?;
    Ok((1.0 - p) + p * n)
    // END SOLUTION todo!("gustafson_speedup(p = {p}, n = {n}): check both inputs, then (1 - p) + p * n")
}

/// The Karp-Flatt metric: the serial fraction `e` that a measured `speedup` on `n`
/// processors reveals, e = (1/S − 1/n) / (1 − 1/n).
///
/// It solves Amdahl's law for the serial fraction 1 − p, so for a program that follows the
/// law exactly it returns 1 − p whatever `n`. Measured on real runs, a value that *grows*
/// with `n` exposes overheads Amdahl ignores (thread start-up, synchronisation, load
/// imbalance). It is positive below perfect speedup, zero at S = n, and negative for a
/// superlinear speedup (S > n, e.g. when the data of each core starts to fit in its cache).
///
/// Errors, checked in this order (the first that applies is returned):
/// [`ScalingError::InvalidSpeedup`] unless `speedup` is finite and positive, then
/// [`ScalingError::ZeroProcessors`] if `n == 0`, then [`ScalingError::OneProcessor`] if
/// `n == 1` (both numerator and denominator vanish). So `karp_flatt(f64::NAN, 1)` is
/// `InvalidSpeedup(NaN)`.
///
/// ```
/// // A speedup of 3.077 on 4 cores is Amdahl with p = 0.9: serial fraction 0.1.
/// let s = lab01::amdahl_speedup(0.9, 4).unwrap();
/// let e = lab01::karp_flatt(s, 4).unwrap();
/// assert!((e - 0.1).abs() < 1e-12);
/// ```
pub fn karp_flatt(speedup: f64, n: usize) -> Result<f64, ScalingError> {
    // BEGIN SOLUTION
    let speedup = check_speedup(speedup)?;
    let n = check_processors(n)?;
    if n == 1.0 {
        return Err(ScalingError::OneProcessor);
    }
    Ok((1.0 / speedup - 1.0 / n) / (1.0 - 1.0 / n))
    // STUB
    // todo!(
    //     "karp_flatt(speedup = {speedup}, n = {n}): check the inputs (n = 1 is an error), then (1/S - 1/n) / (1 - 1/n)"
    // )
    // END SOLUTION
}

/// One point of a scaling curve: a run time on `threads` threads and what follows from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScalingPoint {
    /// Number of threads the work ran on.
    pub threads: usize,
    /// Its run time (median of several runs).
    pub time: Duration,
    /// Speedup over one thread: time on 1 thread / time on `threads` threads.
    pub speedup: f64,
    /// Efficiency: speedup / threads (1 is perfect use of every thread).
    pub efficiency: f64,
}

/// The parallel fraction `p` that best explains measured speedups, by least squares on
/// Amdahl's law written as 1/S = (1 − p) + p/n.
///
/// Only `threads` and `speedup` of each point are used. Write the law as
/// y = p·x with x = 1 − 1/n and y = 1 − 1/S: a line through the origin. Minimising
/// Σ (yᵢ − p·xᵢ)² gives the closed form p = Σ xᵢyᵢ / Σ xᵢ². Points on one thread have
/// x = 0 and carry no information, so at least one point on two or more threads is needed.
/// Noise can push the estimate outside `[0, 1]` (a superlinear speedup suggests p > 1, a
/// slowdown p < 0); the result is clamped to `[0, 1]`, the range of a fraction, so that it
/// can be passed straight to [`amdahl_speedup`].
///
/// Errors: the points are checked one by one, in order, and the first invalid one decides:
/// [`ScalingError::ZeroProcessors`] if its `threads == 0`, else
/// [`ScalingError::InvalidSpeedup`] if its speedup is not finite and positive. Only when
/// every point is valid: [`ScalingError::NoParallelPoint`] if none has `threads >= 2`
/// (an empty slice included).
///
/// ```
/// use lab01::{amdahl_speedup, fit_parallel_fraction, ScalingPoint};
/// use std::time::Duration;
///
/// let points: Vec<ScalingPoint> = [1, 2, 4, 8]
///     .map(|threads| {
///         let speedup = amdahl_speedup(0.9, threads).unwrap();
///         ScalingPoint { threads, time: Duration::ZERO, speedup, efficiency: speedup / threads as f64 }
///     })
///     .to_vec();
/// assert!((fit_parallel_fraction(&points).unwrap() - 0.9).abs() < 1e-12);
/// ```
pub fn fit_parallel_fraction(points: &[ScalingPoint]) -> Result<f64, ScalingError> {
    // BEGIN SOLUTION
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for point in points {
        let n = check_processors(point.threads)?;
        let s = check_speedup(point.speedup)?;
        let (x, y) = (1.0 - 1.0 / n, 1.0 - 1.0 / s);
        sxy += x * y;
        sxx += x * x;
    }
    if sxx == 0.0 {
        return Err(ScalingError::NoParallelPoint);
    }
    Ok((sxy / sxx).clamp(0.0, 1.0))
    // STUB
    // todo!(
    //     "fit_parallel_fraction({} points): p = sum(x*y) / sum(x*x) with x = 1 - 1/n, y = 1 - 1/S",
    //     points.len()
    // )
    // END SOLUTION
}

// ---------------------------------------------------------------------------------------
// Task 2: cores
// ---------------------------------------------------------------------------------------

/// The cores of this machine, as this process sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cores {
    /// Hardware threads this process may run on at once: what
    /// [`std::thread::available_parallelism`] reports (it honours affinity masks and
    /// container CPU quotas). With hyper-threading, two logical cores share one physical core.
    pub logical: usize,
    /// Physical cores among them: never more than `logical`, equal to it when the operating
    /// system does not say.
    pub physical: usize,
}

/// The number of physical cores described by the text of Linux's `/proc/cpuinfo`, or `None`
/// if the text does not say.
///
/// `/proc/cpuinfo` has one entry per *logical* processor, entries separated by an empty
/// line, each line `key<tabs>: value`. Two logical processors are the same physical core
/// when their `physical id` (the socket) and their `core id` (the core within the socket)
/// are equal, so the answer is the number of distinct `(physical id, core id)` pairs.
/// Core ids restart on each socket, which is why the pair, not the core id alone, counts.
///
/// The text ends with an empty line, so cutting it at empty lines also gives an empty last
/// piece: a piece that is empty or only whitespace is not an entry, skip it (counting it as
/// an entry without ids would make every answer `None`).
///
/// Returns `None` when there is no processor entry, or when an entry lacks either id or has
/// one that is not a whole number (many ARM kernels and some virtual machines do not report
/// them): the caller then falls back on the logical count.
///
/// ```
/// // One core with hyper-threading: two logical processors, one physical core.
/// let text = "processor\t: 0\nphysical id\t: 0\ncore id\t\t: 0\n\n\
///             processor\t: 1\nphysical id\t: 0\ncore id\t\t: 0\n\n";
/// assert_eq!(lab01::physical_cores_from_cpuinfo(text), Some(1));
/// ```
pub fn physical_cores_from_cpuinfo(text: &str) -> Option<usize> {
    // BEGIN SOLUTION
    let mut cores = HashSet::new();
    for entry in text.split("\n\n").filter(|entry| !entry.trim().is_empty()) {
        // The value of `key` in this entry, if present.
        let field = |key: &str| {
            entry.lines().find_map(|line| {
                let (k, v) = line.split_once(':')?;
                (k.trim() == key).then(|| v.trim())
            })
        };
        let socket: u32 = field("physical id")?.parse().ok()?;
        let core: u32 = field("core id")?.parse().ok()?;
        cores.insert((socket, core));
    }
    (!cores.is_empty()).then_some(cores.len())
    // STUB
    // todo!(
    //     "physical_cores_from_cpuinfo({} bytes): count distinct (physical id, core id) pairs",
    //     text.len()
    // )
    // END SOLUTION
}

/// The logical and physical cores available to this process.
///
/// `logical` is [`std::thread::available_parallelism`] (1 if unknown). `physical` comes from
/// `/proc/cpuinfo` through [`physical_cores_from_cpuinfo`] where the file exists (Linux),
/// capped at `logical` (a container allowed 2 CPUs of a 64-core server can use 2, not 32);
/// elsewhere, or when the file does not say, it is `logical`.
///
/// ```
/// let c = lab01::cores();
/// assert!(1 <= c.physical && c.physical <= c.logical);
/// ```
pub fn cores() -> Cores {
    // BEGIN SOLUTION
    let logical = std::thread::available_parallelism().map_or(1, |n| n.get());
    let physical = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| physical_cores_from_cpuinfo(&text))
        .map_or(logical, |physical| physical.min(logical));
    Cores { logical, physical }
    // END SOLUTION todo!("cores(): available_parallelism() for logical; /proc/cpuinfo for physical")
}

// ---------------------------------------------------------------------------------------
// Task 3: Monte Carlo on one thread, then on many
// ---------------------------------------------------------------------------------------

/// Why a parallel pricer cannot run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PriceError {
    /// The simulation cannot run: zero paths, or (for one contract) an invalid contract.
    Mc(McError),
    /// A parallel pricer was asked for zero threads.
    ZeroThreads,
    /// Item `index` of a book, or of a volatility grid, is an invalid contract.
    InvalidContract {
        /// Position of the first invalid item.
        index: usize,
        /// What is wrong with it.
        error: ContractError,
    },
}

impl fmt::Display for PriceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mc(e) => write!(f, "{e}"),
            Self::ZeroThreads => write!(f, "the number of threads must be at least 1"),
            Self::InvalidContract { index, error } => {
                write!(f, "contract {index} is invalid: {error}")
            }
        }
    }
}

impl std::error::Error for PriceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Mc(e) => Some(e),
            Self::InvalidContract { error, .. } => Some(error),
            Self::ZeroThreads => None,
        }
    }
}

impl From<McError> for PriceError {
    fn from(e: McError) -> Self {
        Self::Mc(e)
    }
}

// BEGIN SOLUTION
/// What every pricer checks before simulating: at least one path, a valid contract.
fn check_simulation(contract: &Contract, paths: u64) -> Result<(), McError> {
    if paths == 0 {
        return Err(McError::ZeroPaths);
    }
    contract.validate().map_err(McError::InvalidContract)
}

/// The discounted payoffs of block `block` of a `paths`-path simulation: the unit of work.
fn block_moments(contract: &Contract, paths: u64, seed: u64, block: u64) -> Moments {
    mc::european_block(contract, seed, block, mc::block_len(paths, block), false)
}

// END SOLUTION
/// The price of a European option by Monte Carlo on one thread, with the course's block
/// scheme.
///
/// The `paths` paths are cut into blocks of [`finance::mc::BLOCK_PATHS`] (the last block
/// holds the remainder); block `b` draws its normals from
/// [`finance::rng::stream(seed, b)`](finance::rng::stream) and gives the
/// [`finance::mc::Moments`] of its discounted payoffs
/// ([`finance::mc::european_block`]); the blocks' moments are merged left to right, in block
/// order, and give the mean and its standard error. The result is therefore bit-for-bit that
/// of [`finance::mc::european`] with the same seed.
///
/// Errors, checked in this order: [`McError::ZeroPaths`] if `paths == 0` (whatever the
/// contract), then [`McError::InvalidContract`] with the error of
/// [`Contract::validate`](finance::bs::Contract::validate).
///
/// ```
/// use finance::bs::{self, Contract};
///
/// let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
/// let est = lab01::price_mc(&c, 100_000, 42).unwrap();
/// assert!((est.value - bs::price(&c)).abs() < 4.0 * est.std_error);
/// ```
pub fn price_mc(contract: &Contract, paths: u64, seed: u64) -> Result<Estimate, McError> {
    // BEGIN SOLUTION
    check_simulation(contract, paths)?;
    Ok((0..mc::block_count(paths))
        .map(|b| block_moments(contract, paths, seed, b))
        .fold(Moments::default(), Moments::merge)
        .estimate())
    // STUB
    // todo!(
    //     "price_mc({:?}, {paths} paths, seed {seed}): merge the blocks' moments in block order",
    //     contract.kind
    // )
    // END SOLUTION
}

/// The same price as [`price_mc`], bit for bit, computed on `threads` threads
/// (`std::thread::scope`).
///
/// The blocks are shared out as contiguous runs, one per thread (threads beyond the number
/// of blocks would have nothing to do and are not started). Each thread returns the moments
/// of its blocks *one by one*, and this function merges all of them left to right in block
/// order: exactly the additions [`price_mc`] performs, in the same order, so the result does
/// not depend on `threads`. (Summing each thread's blocks first and then the threads'
/// subtotals would add the same numbers in another order; floating-point addition is not
/// associative, so the last bits would change with the thread count.)
///
/// Errors, checked in this order before any thread starts: [`PriceError::ZeroThreads`] if
/// `threads == 0` (whatever the other inputs), then the errors of [`price_mc`] in its order,
/// wrapped: [`PriceError::Mc`]`(`[`McError::ZeroPaths`]`)`, then
/// [`PriceError::Mc`]`(`[`McError::InvalidContract`]`)`.
///
/// ```
/// use finance::bs::Contract;
///
/// let c = Contract::put(100.0, 105.0, 0.02, 0.3, 0.5);
/// let one = lab01::price_mc(&c, 100_000, 7).unwrap();
/// let three = lab01::price_mc_parallel(&c, 100_000, 7, 3).unwrap();
/// assert_eq!(one, three);
/// ```
pub fn price_mc_parallel(
    contract: &Contract,
    paths: u64,
    seed: u64,
    threads: usize,
) -> Result<Estimate, PriceError> {
    // BEGIN SOLUTION
    if threads == 0 {
        return Err(PriceError::ZeroThreads);
    }
    check_simulation(contract, paths)?;
    let blocks = mc::block_count(paths) as usize;
    let per_thread: Vec<Vec<Moments>> = std::thread::scope(|s| {
        // Spawn every thread before joining any (hence the `collect`): joining inside a lazy
        // chain would wait for each thread before starting the next.
        let handles: Vec<_> = finance::partition::even_chunks(blocks, threads.min(blocks))
            .into_iter()
            .map(|range| {
                s.spawn(move || {
                    range
                        .map(|b| block_moments(contract, paths, seed, b as u64))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a pricing thread panicked"))
            .collect()
    });
    // The threads' lists, in thread order, are the blocks in block order.
    Ok(per_thread
        .into_iter()
        .flatten()
        .fold(Moments::default(), Moments::merge)
        .estimate())
    // STUB
    // todo!(
    //     "price_mc_parallel({:?}, {paths} paths, seed {seed}, {threads} threads): blocks on scoped threads, merged in block order",
    //     contract.kind
    // )
    // END SOLUTION
}

// ---------------------------------------------------------------------------------------
// Task 4: many options at once, with rayon
// ---------------------------------------------------------------------------------------

/// The seed of contract `index` of a book priced from master seed `seed` (given: do not
/// change it, the tests rely on it).
///
/// It is the first number of random stream `index` of `seed`: it depends on the pair
/// `(seed, index)` only, never on which thread prices the contract or when, and different
/// contracts get unrelated seeds.
///
/// ```
/// assert_eq!(lab01::contract_seed(1, 0), lab01::contract_seed(1, 0));
/// assert_ne!(lab01::contract_seed(1, 0), lab01::contract_seed(1, 1));
/// ```
pub fn contract_seed(seed: u64, index: usize) -> u64 {
    finance::rng::stream(seed, index as u64).next_u64()
    // BEGIN SOLUTION
}

/// Checks every contract in order; the error names the first invalid one.
fn validate_all(contracts: &[Contract]) -> Result<(), PriceError> {
    for (index, contract) in contracts.iter().enumerate() {
        contract
            .validate()
            .map_err(|error| PriceError::InvalidContract { index, error })?;
    }
    Ok(())
    // END SOLUTION
}

/// Prices every contract of a book with `paths_each` paths, the contracts in parallel on
/// rayon's thread pool.
///
/// Entry `i` of the result is exactly `price_mc(&contracts[i], paths_each,
/// contract_seed(seed, i))`: each contract's seed depends only on `(seed, i)`, so the result
/// is the same on any number of threads and in any scheduling order. Calls and puts mix
/// freely.
///
/// The checks, in this order, all before any contract is priced:
/// 1. `paths_each == 0` → [`PriceError::Mc`]`(`[`McError::ZeroPaths`]`)`, whatever the
///    contracts (an empty book or invalid contracts included);
/// 2. the contracts, in index order → [`PriceError::InvalidContract`] naming the first
///    invalid one (`index`), with the error of its
///    [`Contract::validate`](finance::bs::Contract::validate).
///
/// An empty book with `paths_each >= 1` passes both checks and gives an empty vector.
///
/// ```
/// use finance::bs::Contract;
///
/// let book = [Contract::call(100.0, 95.0, 0.03, 0.2, 1.0), Contract::put(100.0, 95.0, 0.03, 0.2, 1.0)];
/// let prices = lab01::price_book(&book, 10_000, 1).unwrap();
/// assert_eq!(prices[1], lab01::price_mc(&book[1], 10_000, lab01::contract_seed(1, 1)).unwrap());
/// ```
pub fn price_book(
    contracts: &[Contract],
    paths_each: u64,
    seed: u64,
) -> Result<Vec<Estimate>, PriceError> {
    // BEGIN SOLUTION
    if paths_each == 0 {
        return Err(McError::ZeroPaths.into());
    }
    validate_all(contracts)?;
    Ok(contracts
        .par_iter()
        .enumerate()
        .map(|(i, c)| price_mc(c, paths_each, contract_seed(seed, i)))
        .collect::<Result<_, _>>()?)
    // STUB
    // todo!(
    //     "price_book({} contracts, {paths_each} paths each, seed {seed}): par_iter over the contracts, contract i seeded with contract_seed(seed, i)",
    //     contracts.len()
    // )
    // END SOLUTION
}

/// Prices `contract` at each volatility of `vols` (in parallel), every one from the *same*
/// `seed`: common random numbers.
///
/// Entry `i` is exactly `price_mc(&Contract { vol: vols[i], ..*contract }, paths, seed)`.
/// Every price is then driven by the very same normal draws, so the difference between two
/// neighbouring prices carries almost none of the Monte Carlo noise: the grid is smooth and,
/// since option prices grow with volatility, increasing, even for steps far smaller than one
/// standard error. With a different seed per volatility each price would carry its own
/// independent error and a fine grid would zigzag.
///
/// The checks, in this order, all before any price is computed:
/// 1. `paths == 0` → [`PriceError::Mc`]`(`[`McError::ZeroPaths`]`)`, whatever `vols` and
///    `contract` (an empty `vols` included);
/// 2. the grid's contracts `Contract { vol: vols[i], ..*contract }`, in index order →
///    [`PriceError::InvalidContract`] with the first invalid `i`: a negative or NaN
///    volatility, or (at index 0) a field of `contract` other than `vol` that is invalid.
///    The contract's own `vol` is replaced, so it does not matter.
///
/// An empty `vols` with `paths >= 1` passes both checks and gives an empty vector.
///
/// ```
/// use finance::bs::Contract;
///
/// let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
/// let grid = lab01::vol_grid(&c, &[0.20, 0.21, 0.22], 20_000, 3).unwrap();
/// assert!(grid[0].value < grid[1].value && grid[1].value < grid[2].value);
/// ```
pub fn vol_grid(
    contract: &Contract,
    vols: &[f64],
    paths: u64,
    seed: u64,
) -> Result<Vec<Estimate>, PriceError> {
    // BEGIN SOLUTION
    if paths == 0 {
        return Err(McError::ZeroPaths.into());
    }
    let grid: Vec<Contract> = vols
        .iter()
        .map(|&vol| Contract { vol, ..*contract })
        .collect();
    validate_all(&grid)?;
    Ok(grid
        .par_iter()
        .map(|c| price_mc(c, paths, seed))
        .collect::<Result<_, _>>()?)
    // STUB
    // todo!(
    //     "vol_grid({:?}, {} vols, {paths} paths, seed {seed}): price the contract at each vol from the same seed, in parallel",
    //     contract.kind,
    //     vols.len()
    // )
    // END SOLUTION
}

// ---------------------------------------------------------------------------------------
// Task 5: measuring
// ---------------------------------------------------------------------------------------

/// Measures how `work` scales: for each thread count, the median time of `runs` calls of
/// `work(threads)`, then speedup and efficiency relative to one thread.
///
/// The one-thread baseline is always measured, listed or not. The result holds one point per
/// distinct thread count of `threads` and 1, sorted by thread count, so its first point is
/// the baseline, with speedup exactly 1. `work(n)` is called exactly `runs` times for each
/// of these counts (no warm-up: the median already ignores a slow first run). A time of
/// zero (a clock too coarse for the work) counts as one nanosecond, so every speedup is
/// finite.
///
/// Errors, checked in this order before `work` is ever called:
/// [`ScalingError::ZeroRuns`] if `runs == 0` (whatever `threads` holds), then
/// [`ScalingError::ZeroProcessors`] if `threads` contains 0.
///
/// ```
/// let curve = lab01::scaling_curve(|n| { std::hint::black_box(n); }, &[2, 4], 3).unwrap();
/// let threads: Vec<usize> = curve.iter().map(|p| p.threads).collect();
/// assert_eq!(threads, [1, 2, 4]);
/// assert_eq!(curve[0].speedup, 1.0);
/// ```
pub fn scaling_curve(
    mut work: impl FnMut(usize),
    threads: &[usize],
    runs: usize,
) -> Result<Vec<ScalingPoint>, ScalingError> {
    // BEGIN SOLUTION
    if runs == 0 {
        return Err(ScalingError::ZeroRuns);
    }
    if threads.contains(&0) {
        return Err(ScalingError::ZeroProcessors);
    }
    let mut counts = threads.to_vec();
    counts.push(1);
    counts.sort_unstable();
    counts.dedup();
    let times: Vec<Duration> = counts
        .iter()
        .map(|&n| finance::timing::median_of(runs, || work(n)).max(Duration::from_nanos(1)))
        .collect();
    let baseline = times[0].as_secs_f64();
    Ok(counts
        .into_iter()
        .zip(times)
        .map(|(threads, time)| {
            let speedup = baseline / time.as_secs_f64();
            ScalingPoint {
                threads,
                time,
                speedup,
                efficiency: speedup / threads as f64,
            }
        })
        .collect())
    // STUB
    // let _ = &mut work; // only keeps the stub free of warnings: delete this line
    // todo!(
    //     "scaling_curve(threads = {threads:?}, runs = {runs}): time work(n) for 1 and each n, then speedup and efficiency"
    // )
    // END SOLUTION
}
