//! Task 4: counters and publishing (`src/counters.rs`, `src/publish.rs`).
//!
//! The racy counter is not tested here (it is given, and wrong on purpose): run
//! `cargo run -p lab02 --release --example race` to watch it lose updates.

use std::sync::Arc;

use lab02::counters::{
    AtomicCounter, Counter, LockCounter, MutexCounter, ShardedCounter, hammer, thread_index,
};
use lab02::publish::OnceSlot;

const THREADS: usize = 4;
const PER_THREAD: u64 = 50_000;

fn exact_under_contention(counter: &dyn Counter) {
    assert_eq!(counter.get(), 0, "a new counter starts at zero");
    hammer(counter, THREADS, PER_THREAD);
    assert_eq!(counter.get(), THREADS as u64 * PER_THREAD, "lost updates");
}

#[test]
fn mutex_counter_counts_exactly() {
    exact_under_contention(&MutexCounter::new());
}

#[test]
fn lock_counter_counts_exactly() {
    exact_under_contention(&LockCounter::new());
}

#[test]
fn atomic_counter_counts_exactly() {
    exact_under_contention(&AtomicCounter::new());
}

#[test]
fn sharded_counter_counts_exactly() {
    let counter = ShardedCounter::new(THREADS);
    assert_eq!(counter.shards(), THREADS);
    exact_under_contention(&counter);
}

#[test]
fn sharded_counter_counts_exactly_with_fewer_shards_than_threads() {
    // Threads must share cells here, so each cell still needs an atomic add.
    exact_under_contention(&ShardedCounter::new(1));
    exact_under_contention(&ShardedCounter::new(3));
}

#[test]
fn sharded_counter_gives_each_thread_its_own_cell() {
    let counter = ShardedCounter::new(4);
    // Thread k adds k * 100 and reports its thread_index().
    let indices: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=3u64)
            .map(|k| {
                let counter = &counter;
                s.spawn(move || {
                    for _ in 0..k * 100 {
                        counter.increment();
                    }
                    thread_index()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut expected = vec![0u64; 4];
    for (k, index) in (1..=3u64).zip(indices) {
        expected[index % 4] += k * 100;
    }
    assert_eq!(counter.cells(), expected);
    assert_eq!(counter.get(), 600);
}

#[test]
fn counters_work_single_threaded() {
    let counters: Vec<Box<dyn Counter>> = vec![
        Box::new(MutexCounter::new()),
        Box::new(LockCounter::new()),
        Box::new(AtomicCounter::new()),
        Box::new(ShardedCounter::new(2)),
    ];
    for c in &counters {
        for _ in 0..5 {
            c.increment();
        }
        assert_eq!(c.get(), 5);
    }
}

#[test]
fn once_slot_keeps_the_first_value() {
    let slot = OnceSlot::new();
    assert_eq!(slot.get(), None);
    assert_eq!(slot.set(String::from("first")), Ok(()));
    assert_eq!(
        slot.set(String::from("second")),
        Err(String::from("second"))
    );
    assert_eq!(slot.get().map(String::as_str), Some("first"));
}

#[test]
fn once_slot_has_exactly_one_winner_among_threads() {
    let slot = Arc::new(OnceSlot::new());
    let winners: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| {
                let slot = Arc::clone(&slot);
                s.spawn(move || slot.set(i).is_ok().then_some(i))
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(winners.len(), 1);
    assert_eq!(slot.get(), Some(&winners[0]));
}
