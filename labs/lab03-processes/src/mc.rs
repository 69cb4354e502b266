//! Monte Carlo pricing on the process pool, reproducible whatever the pool.
//!
//! The simulation is cut into `finance::mc`'s blocks (block `b`: `rng::stream(seed, b)`,
//! `mc::block_len(paths, b)` paths). Each task computes a run of consecutive blocks and
//! returns one `Moments` per block; the parent merges all blocks left to right. Which
//! worker ran which block, and in which order chunks came back, cannot change a bit of the
//! result: it equals `finance::mc::european` exactly.
//!
//! Two things would break that. Seeding each worker's generator from one seed (every
//! worker, or every task, draws the same numbers: Python's `fork` copies the parent's
//! global `RandomState` into every worker, the lecture's pitfall), and merging partial sums
//! in completion order (floating-point addition is not associative).

use crate::pool::{PoolError, ProcessPool};
use crate::task::Task;
use finance::bs::Contract;
use finance::mc::{Estimate, McConfig};

/// The tasks of a European Monte Carlo price: blocks `0..mc::block_count(cfg.paths)` in
/// runs of `blocks_per_task` (the last run may be shorter), in block order.
pub fn european_tasks(contract: &Contract, cfg: &McConfig, blocks_per_task: u64) -> Vec<Task> {
    todo!(
        "Task::McEuropean for blocks 0..mc::block_count(paths) in runs of {blocks_per_task}: {contract:?} {cfg:?}"
    )
}

/// Prices a European option by Monte Carlo on `pool`: bit-identical to
/// `finance::mc::european(contract, cfg)` for any number of workers and any
/// `blocks_per_task`.
///
/// Errors: [`PoolError::InvalidInput`] for 0 paths, 0 blocks per task or an invalid
/// contract; the pool's errors.
pub fn price_european(
    pool: &mut ProcessPool,
    contract: &Contract,
    cfg: &McConfig,
    blocks_per_task: u64,
) -> Result<Estimate, PoolError> {
    todo!(
        "validate, european_tasks, pool.map (chunk size 1: each task is already a chunk of blocks), then merge every block's Moments left to right from Moments::default(): {:?} {contract:?} {cfg:?} {blocks_per_task}",
        pool.workers()
    )
}
