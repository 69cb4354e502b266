//! # `finance`: the primitives of the parlab course
//!
//! Every lab builds on this crate: the normal distribution, Black-Scholes-Merton prices and
//! greeks, reproducible random streams, sequential Monte Carlo pricers (the labs make them
//! parallel), statistics and risk measures, a small dense matrix, price series with CSV I/O,
//! a seeded market simulator and the work partitions of López de Prado.
//!
//! It is written to be read: each module documents its method and cites its source.
//!
//! ```
//! use finance::bs::{self, Contract, OptionKind};
//!
//! // Hull, Options, Futures and Other Derivatives, Example 15.6 (S=42, K=40, r=10%, σ=20%, T=0.5).
//! let call = Contract { kind: OptionKind::Call, spot: 42.0, strike: 40.0, rate: 0.10,
//!                       dividend: 0.0, vol: 0.20, expiry: 0.5 };
//! assert!((bs::price(&call) - 4.76).abs() < 0.005);
//! ```

pub mod bs;
pub mod fastmath;
pub mod linalg;
pub mod market;
pub mod mc;
pub mod normal;
pub mod partition;
pub mod philox;
pub mod risk;
pub mod rng;
pub mod series;
pub mod stats;
pub mod timing;
pub mod ziggurat;
