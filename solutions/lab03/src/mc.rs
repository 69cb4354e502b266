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
// BEGIN SOLUTION
use crate::task::{Output, Task};
// END SOLUTION use crate::task::Task;
use finance::bs::Contract;
// BEGIN SOLUTION
use finance::mc::{self, Estimate, McConfig, Moments};
// END SOLUTION use finance::mc::{Estimate, McConfig};

/// The tasks of a European Monte Carlo price: blocks `0..mc::block_count(cfg.paths)` in
/// runs of `blocks_per_task` (the last run may be shorter), in block order.
pub fn european_tasks(contract: &Contract, cfg: &McConfig, blocks_per_task: u64) -> Vec<Task> {
    // BEGIN SOLUTION
    let blocks = mc::block_count(cfg.paths);
    let step = blocks_per_task.max(1);
    (0..blocks)
        .step_by(usize::try_from(step).unwrap_or(usize::MAX))
        .map(|first_block| Task::McEuropean {
            contract: *contract,
            seed: cfg.seed,
            paths: cfg.paths,
            first_block,
            blocks: step.min(blocks - first_block),
            antithetic: cfg.antithetic,
        })
        .collect()
    // STUB
    // todo!(
    //     "Task::McEuropean for blocks 0..mc::block_count(paths) in runs of {blocks_per_task}: {contract:?} {cfg:?}"
    // )
    // END SOLUTION
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
    // BEGIN SOLUTION
    if cfg.paths == 0 {
        return Err(PoolError::InvalidInput("no paths to simulate".into()));
    }
    if blocks_per_task == 0 {
        return Err(PoolError::InvalidInput(
            "each task needs at least one block".into(),
        ));
    }
    contract
        .validate()
        .map_err(|e| PoolError::InvalidInput(e.to_string()))?;
    let tasks = european_tasks(contract, cfg, blocks_per_task);
    // Each task is already a chunk of blocks.
    let outputs = pool.map(&tasks, 1)?;
    let mut total = Moments::default();
    for (task, output) in outputs.into_iter().enumerate() {
        let Output::Blocks(blocks) = output else {
            return Err(PoolError::Protocol {
                task,
                message: format!("expected Monte Carlo blocks, got {output:?}"),
            });
        };
        // Left to right, block after block: the order of `finance::mc::european`.
        for m in blocks {
            total = total.merge(m);
        }
    }
    if total.count != cfg.paths {
        return Err(PoolError::Protocol {
            task: 0,
            message: format!(
                "{} paths came back, {} were asked for",
                total.count, cfg.paths
            ),
        });
    }
    Ok(total.estimate())
    // STUB
    // todo!(
    //     "validate, european_tasks, pool.map (chunk size 1: each task is already a chunk of blocks), then merge every block's Moments left to right from Moments::default(): {:?} {contract:?} {cfg:?} {blocks_per_task}",
    //     pool.workers()
    // )
    // END SOLUTION
}
