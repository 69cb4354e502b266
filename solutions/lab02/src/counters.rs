//! Task 4: race conditions. `counter += 1` is three steps (read, add, write); two threads
//! that interleave them lose updates. Four ways to count correctly, from a lock to per-thread
//! cells, all behind one [`Counter`] trait so that the same stress test and benchmark run on
//! each.
//!
//! Rust refuses the classic racy version outright: a plain `u64` cannot be shared mutably
//! between threads, because `&mut` is exclusive. Two scoped threads that both capture
//! `&mut counter` do not compile:
//!
//! ```compile_fail,E0499
//! let mut counter = 0u64;
//! std::thread::scope(|s| {
//!     s.spawn(|| counter += 1);
//!     s.spawn(|| counter += 1); // error: a second mutable borrow of `counter`
//! });
//! ```
//!
//! Nor does a `'static` thread that borrows a local, since it might outlive it:
//!
//! ```compile_fail,E0373
//! let mut counter = 0u64;
//! let handle = std::thread::spawn(|| counter += 1); // error: may outlive `counter`
//! handle.join().unwrap();
//! ```
//!
//! And a `Cell`, which allows mutation through `&`, is not `Sync`, so it cannot be shared:
//!
//! ```compile_fail,E0277
//! let counter = std::cell::Cell::new(0u64);
//! std::thread::scope(|s| {
//!     s.spawn(|| counter.set(counter.get() + 1)); // error: `Cell<u64>` is not `Sync`
//! });
//! ```
//!
//! What remains is to share a type that is `Sync` because it synchronises: a lock or an
//! atomic. [`RacyCounter`] shows that `Sync` alone is not enough: it has no undefined
//! behaviour, yet it still loses updates, because its read-add-write is not atomic.

use std::sync::Barrier;

// BEGIN SOLUTION
use crossbeam::utils::CachePadded;

// END SOLUTION
use crate::sync::atomic::{AtomicU64, Ordering};
// BEGIN SOLUTION
use crate::sync::{Mutex, parking_lot};
// END SOLUTION

/// A counter shared between threads.
pub trait Counter: Send + Sync {
    /// Adds one.
    fn increment(&self);
    /// The current count. Exact once every thread that incremented has been joined.
    fn get(&self) -> u64;
}

/// Given: a counter that loses updates. `increment` reads the value and then writes it plus
/// one, as two separate atomic operations; another thread's increment between the two is
/// overwritten. Atomics make this free of undefined behaviour, not correct.
#[derive(Debug, Default)]
pub struct RacyCounter {
    value: AtomicU64,
}

impl RacyCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self {
            value: AtomicU64::new(0),
        }
    }
}

impl Counter for RacyCounter {
    fn increment(&self) {
        let current = self.value.load(Ordering::Relaxed);
        // Another thread may increment right here; its update is then lost.
        self.value.store(current + 1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// Given: `threads` threads each call `counter.increment()` `per_thread` times, all starting
/// together (a barrier), as in the lecture's race demo.
pub fn hammer<C: Counter + ?Sized>(counter: &C, threads: usize, per_thread: u64) {
    let start = Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                for _ in 0..per_thread {
                    counter.increment();
                }
            });
        }
    });
}

/// Given: a small number for the calling thread, the same for its whole life: 0 for the
/// first thread that asks, 1 for the next, and so on.
///
/// It comes from [`crate::sync`], like the locks: under `--cfg loom` every thread of a loom
/// model gets a number of its own (0, 1, 2, ... in the order they first ask, from 0 again
/// in each interleaving), so `tests/loom.rs` can check a [`ShardedCounter`] whose threads
/// use different cells. Use this function, not `std::thread::current().id()`: loom runs
/// all of a model's threads on one OS thread.
pub fn thread_index() -> usize {
    crate::sync::thread_index()
}

/// A counter behind the standard library's [`std::sync::Mutex`]: use
/// `crate::sync::Mutex<u64>`, which is std's (loom's under `--cfg loom`).
#[derive(Debug, Default)]
pub struct MutexCounter {
    // BEGIN SOLUTION
    value: Mutex<u64>,
    // STUB
    // // Your fields here.
    // END SOLUTION
}

impl MutexCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        // BEGIN SOLUTION
        Self {
            value: Mutex::new(0),
        }
        // END SOLUTION todo!("MutexCounter::new: a crate::sync::Mutex<u64> at 0")
    }
}

impl Counter for MutexCounter {
    fn increment(&self) {
        // BEGIN SOLUTION
        // A thread can only panic between lock and unlock here on overflow, after which
        // the count is meaningless anyway: propagate the poisoning as a panic.
        *self.value.lock().expect("the counter's lock is poisoned") += 1;
        // END SOLUTION todo!("MutexCounter::increment: lock, add one; the guard unlocks when dropped")
    }

    fn get(&self) -> u64 {
        // BEGIN SOLUTION
        *self.value.lock().expect("the counter's lock is poisoned")
        // END SOLUTION todo!("MutexCounter::get: lock and read")
    }
}

/// A counter behind [`parking_lot::Mutex`]: smaller than std's and
/// never poisoned. Use `crate::sync::parking_lot::Mutex<u64>`.
#[derive(Debug, Default)]
pub struct LockCounter {
    // BEGIN SOLUTION
    value: parking_lot::Mutex<u64>,
    // STUB
    // // Your fields here.
    // END SOLUTION
}

impl LockCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        // BEGIN SOLUTION
        Self {
            value: parking_lot::Mutex::new(0),
        }
        // END SOLUTION todo!("LockCounter::new: a crate::sync::parking_lot::Mutex<u64> at 0")
    }
}

impl Counter for LockCounter {
    fn increment(&self) {
        // BEGIN SOLUTION
        *self.value.lock() += 1;
        // END SOLUTION todo!("LockCounter::increment: parking_lot's lock() returns the guard itself")
    }

    fn get(&self) -> u64 {
        // BEGIN SOLUTION
        *self.value.lock()
        // END SOLUTION todo!("LockCounter::get")
    }
}

/// A counter on one atomic integer (`crate::sync::atomic::AtomicU64`): `fetch_add` does
/// read, add and write as one indivisible step, in hardware (`lock xadd` on x86).
#[derive(Debug, Default)]
pub struct AtomicCounter {
    // BEGIN SOLUTION
    value: AtomicU64,
    // STUB
    // // Your fields here.
    // END SOLUTION
}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        // BEGIN SOLUTION
        Self {
            value: AtomicU64::new(0),
        }
        // END SOLUTION todo!("AtomicCounter::new: an AtomicU64 at 0")
    }
}

impl Counter for AtomicCounter {
    fn increment(&self) {
        // BEGIN SOLUTION
        // Relaxed is enough: the counter publishes no other data, so no ordering with other
        // memory is needed, and a read-modify-write never loses an update whatever its
        // ordering (all RMWs of one atomic form a single total order). Readers get the exact
        // total after joining the threads, since `join` synchronises with the thread's end.
        self.value.fetch_add(1, Ordering::Relaxed);
        // STUB
        // // Choose the memory ordering, and justify it here in a comment.
        // todo!("AtomicCounter::increment: fetch_add, with the weakest ordering that is correct")
        // END SOLUTION
    }

    fn get(&self) -> u64 {
        // BEGIN SOLUTION
        self.value.load(Ordering::Relaxed)
        // END SOLUTION todo!("AtomicCounter::get: load")
    }
}

/// A counter split into per-thread cells, each on its own cache line, summed on `get`.
///
/// With one shared atomic, every increment moves the cache line between cores. Here each
/// thread ([`thread_index`] modulo the number of shards) adds to its own cell, which stays
/// in its core's cache. [`crossbeam::utils::CachePadded`] aligns each cell to a cache line;
/// without it, cells of different threads would share a line and bounce just the same
/// (false sharing).
#[derive(Debug)]
pub struct ShardedCounter {
    // BEGIN SOLUTION
    shards: Box<[CachePadded<AtomicU64>]>,
    // STUB
    // // Your fields here, e.g. a `Box<[CachePadded<AtomicU64>]>`.
    // END SOLUTION
}

impl ShardedCounter {
    /// A counter at zero with `shards` cells (use at least the number of threads).
    ///
    /// # Panics
    /// If `shards == 0`.
    pub fn new(shards: usize) -> Self {
        // BEGIN SOLUTION
        assert!(shards > 0, "a sharded counter needs at least one shard");
        Self {
            shards: (0..shards)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect(),
        }
        // END SOLUTION todo!("ShardedCounter::new(shards = {shards}): one CachePadded<AtomicU64> per shard")
    }

    /// Number of cells.
    pub fn shards(&self) -> usize {
        // BEGIN SOLUTION
        self.shards.len()
        // END SOLUTION todo!("ShardedCounter::shards")
    }

    /// The count of each cell, in cell order; they add up to [`get`](Counter::get).
    pub fn cells(&self) -> Vec<u64> {
        // BEGIN SOLUTION
        self.shards
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .collect()
        // END SOLUTION todo!("ShardedCounter::cells: load each cell")
    }
}

impl Counter for ShardedCounter {
    fn increment(&self) {
        // BEGIN SOLUTION
        // Relaxed, as in AtomicCounter: still a read-modify-write, because two threads may
        // share a cell (more threads than shards).
        self.shards[thread_index() % self.shards.len()].fetch_add(1, Ordering::Relaxed);
        // END SOLUTION todo!("ShardedCounter::increment: fetch_add on cell thread_index() % shards")
    }

    fn get(&self) -> u64 {
        // BEGIN SOLUTION
        self.shards.iter().map(|s| s.load(Ordering::Relaxed)).sum()
        // END SOLUTION todo!("ShardedCounter::get: the sum of the cells")
    }
}
