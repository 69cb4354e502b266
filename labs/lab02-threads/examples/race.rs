//! The lecture's race demo: 4 threads each add one to a shared counter 100,000 times.
//!
//! ```text
//! cargo run -p lab02 --release --example race
//! ```
//!
//! The given `RacyCounter` loses updates (its read and its write are separate steps); the
//! counters you write in `src/counters.rs` must not. Counters you have not written yet are
//! reported as such.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use lab02::counters::{
    AtomicCounter, Counter, LockCounter, MutexCounter, RacyCounter, ShardedCounter, hammer,
};

const THREADS: usize = 4;
const PER_THREAD: u64 = 100_000;

fn run(name: &str, make: impl FnOnce() -> Box<dyn Counter>) {
    let expected = THREADS as u64 * PER_THREAD;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let counter = make();
        let start = Instant::now();
        hammer(counter.as_ref(), THREADS, PER_THREAD);
        (counter.get(), start.elapsed())
    }));
    match outcome {
        Ok((count, elapsed)) => {
            let lost = expected.saturating_sub(count);
            println!(
                "{name:<16} {count:>9} of {expected} ({lost:>7} lost)  {:>6.1} ns per increment",
                elapsed.as_nanos() as f64 / expected as f64
            );
        }
        Err(_) => println!("{name:<16} not implemented yet (todo!)"),
    }
}

fn main() {
    // Keep the todo!() panics of unwritten counters from cluttering the table.
    panic::set_hook(Box::new(|_| {}));
    println!("{THREADS} threads x {PER_THREAD} increments each:");
    for round in 1..=3 {
        run(&format!("racy (run {round})"), || {
            Box::new(RacyCounter::new())
        });
    }
    run("std Mutex", || Box::new(MutexCounter::new()));
    run("parking_lot", || Box::new(LockCounter::new()));
    run("atomic", || Box::new(AtomicCounter::new()));
    run("sharded", || Box::new(ShardedCounter::new(THREADS)));
    let _ = panic::take_hook();
}
