//! Hidden tests, task 4: counters and publishing.

use std::sync::Arc;

use lab02::counters::{AtomicCounter, Counter, LockCounter, MutexCounter, ShardedCounter, hammer};
use lab02::publish::OnceSlot;

fn exact(counter: &dyn Counter, threads: usize, per_thread: u64) {
    hammer(counter, threads, per_thread);
    assert_eq!(counter.get(), threads as u64 * per_thread);
}

#[test]
fn atomic_counter_exact_with_eight_threads() {
    exact(&AtomicCounter::new(), 8, 100_000);
}

#[test]
fn mutex_counter_exact_with_eight_threads() {
    exact(&MutexCounter::new(), 8, 20_000);
}

#[test]
fn lock_counter_exact_with_eight_threads() {
    exact(&LockCounter::new(), 8, 20_000);
}

#[test]
fn sharded_counter_exact_with_eight_threads_and_many_shards() {
    let counter = ShardedCounter::new(64);
    assert_eq!(counter.shards(), 64);
    exact(&counter, 8, 100_000);
}

#[test]
fn counters_accumulate_over_several_rounds() {
    let counters: Vec<Box<dyn Counter>> = vec![
        Box::new(MutexCounter::default()),
        Box::new(LockCounter::default()),
        Box::new(AtomicCounter::default()),
        Box::new(ShardedCounter::new(2)),
    ];
    for c in &counters {
        for round in 1..=3u64 {
            hammer(c.as_ref(), 2, 1000);
            assert_eq!(c.get(), round * 2000);
        }
    }
}

#[test]
fn once_slot_drops_its_value() {
    let token = Arc::new(());
    let slot = OnceSlot::new();
    slot.set(Arc::clone(&token)).unwrap();
    // The refused value comes back to the caller, who drops it.
    drop(slot.set(Arc::clone(&token)));
    assert_eq!(Arc::strong_count(&token), 2);
    drop(slot);
    assert_eq!(Arc::strong_count(&token), 1, "the slot leaked its value");
}

#[test]
fn once_slot_value_is_visible_to_later_threads() {
    let slot = OnceSlot::default();
    std::thread::scope(|s| {
        s.spawn(|| slot.set(vec![1, 2, 3]).unwrap()).join().unwrap();
        for _ in 0..4 {
            s.spawn(|| assert_eq!(slot.get(), Some(&vec![1, 2, 3])));
        }
    });
}
