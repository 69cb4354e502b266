//! Lab 02 — Threads and locks: thread pools for I/O-bound work, race conditions proven
//! under loom.
//!
//! The handout is `labs/lab02-threads/README.md`. The modules follow its tasks:
//!
//! 1. [`threads`]: spawn and join, scoped threads, a parallel sum.
//! 2. [`pool`]: a thread pool with `submit`, `map` and `as_completed`.
//! 3. [`fetch`]: I/O-bound work on the pool: a slow data source, a folder of CSV files.
//! 4. [`counters`] and [`publish`]: race conditions, locks, atomics, memory ordering.
//! 5. [`bank`]: deadlock and lock ordering.
//! 6. [`queue`]: a bounded blocking queue (mutex and condition variables).
//! 7. [`profile`]: I/O-bound or CPU-bound? A stage's CPU time against its wall time.
//! 8. [`logger`]: debugging parallel code: log lines that stay whole and name their worker.
//!
//! [`sync`] is given: it supplies the locks and atomics of tasks 4–6 and 8, which become loom's
//! under `--cfg loom` so that `tests/loom.rs` can model check your code unchanged.

pub mod bank;
pub mod counters;
pub mod fetch;
pub mod logger;
pub mod pool;
pub mod profile;
pub mod publish;
pub mod queue;
pub mod sync;
pub mod threads;
