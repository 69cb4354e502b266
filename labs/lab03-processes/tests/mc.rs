//! Task 5: Monte Carlo on the pool. One random stream per block, blocks merged in block
//! order: the price does not depend on the number of workers or on the chunking, to the
//! last bit.

use finance::bs::Contract;
use finance::mc::{self, McConfig};
use lab03::mc::{european_tasks, price_european};
use lab03::pool::{PoolError, ProcessPool, WorkerCommand};
use lab03::task::Task;

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

fn config(paths: u64, seed: u64, antithetic: bool) -> McConfig {
    McConfig {
        paths,
        seed,
        antithetic,
    }
}

#[test]
fn pool_price_is_bit_identical_for_any_worker_count() {
    let c = Contract::call(100.0, 105.0, 0.03, 0.25, 1.0);
    // 7 blocks, the last one short.
    let cfg = config(6 * mc::BLOCK_PATHS + 1234, 2024, false);
    let sequential = mc::european(&c, &cfg).unwrap();
    for workers in [1, 2, 3] {
        let mut pool = ProcessPool::new(workers, worker()).unwrap();
        for blocks_per_task in [1, 2, 5, 100] {
            let est = price_european(&mut pool, &c, &cfg, blocks_per_task).unwrap();
            assert_eq!(
                est, sequential,
                "{workers} workers, {blocks_per_task} blocks per task"
            );
        }
    }
}

#[test]
fn european_tasks_cover_every_block_once() {
    let c = Contract::put(100.0, 95.0, 0.01, 0.3, 0.5);
    let cfg = config(10 * mc::BLOCK_PATHS, 5, true);
    let tasks = european_tasks(&c, &cfg, 3);
    assert_eq!(tasks.len(), 4, "10 blocks in runs of 3: 3 + 3 + 3 + 1");
    let mut next = 0;
    for task in &tasks {
        let Task::McEuropean {
            contract,
            seed,
            paths,
            first_block,
            blocks,
            antithetic,
        } = task
        else {
            panic!("{task:?}")
        };
        assert_eq!(
            (*contract, *seed, *paths, *antithetic),
            (c, 5, cfg.paths, true)
        );
        assert_eq!(*first_block, next, "blocks in order, no gap, no overlap");
        next += blocks;
    }
    assert_eq!(next, 10);
}

#[test]
fn every_block_draws_its_own_stream() {
    // The lecture's pitfall: workers that share one seed draw the same numbers.
    let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
    let blocks = lab03::task::mc_blocks(&c, 11, 4 * mc::BLOCK_PATHS, 0, 4, false);
    assert_eq!(blocks.len(), 4);
    for i in 0..4 {
        for j in 0..i {
            assert_ne!(blocks[i].sum, blocks[j].sum, "blocks {j} and {i}");
        }
    }
}

#[test]
fn invalid_monte_carlo_input_is_rejected() {
    let mut pool = ProcessPool::new(1, worker()).unwrap();
    let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
    let bad = Contract::call(100.0, 100.0, 0.05, -0.2, 1.0);
    assert!(matches!(
        price_european(&mut pool, &c, &config(0, 1, false), 1),
        Err(PoolError::InvalidInput(_))
    ));
    assert!(matches!(
        price_european(&mut pool, &c, &config(1000, 1, false), 0),
        Err(PoolError::InvalidInput(_))
    ));
    match price_european(&mut pool, &bad, &config(1000, 1, false), 1) {
        Err(PoolError::InvalidInput(m)) => assert!(m.contains("vol"), "{m}"),
        other => panic!("expected InvalidInput naming vol, got {other:?}"),
    }
}
