//! # Lab 03 — Processes: a process pool on `std::process`
//!
//! Threads share one address space; processes do not. A process pool buys isolation (a
//! worker that crashes takes nothing else with it) and pays for it: starting a process,
//! and copying every task and every result through a pipe.
//!
//! * [`wire`]: the wire format: the [`Wire`] trait and length-prefixed frames.
//! * [`task`]: the tasks a worker knows ([`Task`]) and what they return.
//! * [`worker`]: the worker's loop and `main` (the `lab03-worker` binary).
//! * [`pool`]: [`ProcessPool`]: `map`, `map_static`, `imap_unordered`,
//!   crashes, timeouts, clean shutdown.
//! * [`mc`]: Monte Carlo pricing on the pool, bit-identical to the sequential pricer.
//! * [`costs`]: what a process costs: state that stays in the worker, the price of a
//!   message and the break-even chunk size, each worker's peak memory.
//!
//! The handout is `labs/lab03-processes/README.md`.

pub mod costs;
pub mod mc;
pub mod pool;
pub mod task;
pub mod wire;
pub mod worker;

pub use pool::{ImapUnordered, PoolConfig, PoolError, ProcessPool, WorkerCommand};
pub use task::{Output, Task};
pub use wire::{Wire, WireError};
