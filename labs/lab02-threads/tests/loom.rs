//! Model checks: loom runs each model under every interleaving of its threads (up to a
//! preemption bound) and fails if any one of them breaks an assertion, races on an
//! `UnsafeCell` or deadlocks. Run them with
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p lab02 --release --test loom
//! ```
//!
//! Each test first checks your code, then shows loom catching the given wrong code (the
//! racy counter, the naive transfer, the unsynchronised cell): those models must fail, and
//! the test asserts that they do.
//!
//! Models that may deadlock keep their shared state in a `std::sync::Arc`, not loom's:
//! loom aborts the whole process when a deadlocked model's loom `Arc` is cleaned up (loom
//! issue 291), which no test could catch.
#![cfg(loom)]

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc as StdArc;

use lab02::bank::{Bank, TransferError};
use lab02::counters::{
    AtomicCounter, Counter, LockCounter, MutexCounter, RacyCounter, ShardedCounter,
};
use lab02::publish::{OnceSlot, UnsyncCell};
use lab02::queue::{BoundedQueue, Closed};
use loom::sync::Arc;
use loom::thread;

/// A model checker with a preemption bound: schedules that switch away from a runnable
/// thread more than `bound` times are skipped. Bugs need few preemptions, and the bound
/// keeps each model to well under a second.
fn check(bound: usize, model: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(model);
}

/// Runs a model that must fail; returns loom's (or the model's) panic message.
fn expect_failure(bound: usize, model: impl Fn() + Send + Sync + 'static) -> String {
    let failure = panic::catch_unwind(AssertUnwindSafe(|| check(bound, model)))
        .expect_err("loom should have found a failing interleaving");
    if let Some(s) = failure.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = failure.downcast_ref::<String>() {
        s.clone()
    } else {
        String::new()
    }
}

/// Two threads increment twice each; the count must be 4 in every interleaving.
fn counts_four<C: Counter + 'static>(new: fn() -> C) {
    check(3, move || {
        let counter = Arc::new(new());
        let other = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                counter.increment();
                counter.increment();
            })
        };
        counter.increment();
        counter.increment();
        other.join().unwrap();
        assert_eq!(counter.get(), 4, "lost update");
    });
}

#[test]
fn loom_atomic_counter_is_exact_and_racy_counter_is_not() {
    counts_four(AtomicCounter::new);
    let message = expect_failure(3, || {
        let counter = Arc::new(RacyCounter::new());
        let other = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || counter.increment())
        };
        counter.increment();
        other.join().unwrap();
        assert_eq!(counter.get(), 2, "lost update");
    });
    assert!(message.contains("lost update"), "{message}");
}

#[test]
fn loom_mutex_counter_is_exact() {
    counts_four(MutexCounter::new);
}

#[test]
fn loom_lock_counter_is_exact() {
    counts_four(LockCounter::new);
}

#[test]
fn loom_sharded_counter_is_exact() {
    counts_four(|| ShardedCounter::new(2));
    counts_four(|| ShardedCounter::new(1));
}

#[test]
fn loom_ordered_transfer_never_deadlocks_and_naive_transfer_does() {
    check(2, || {
        let bank = StdArc::new(Bank::new(&[100, 100]));
        let other = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer(1, 0, 30))
        };
        assert_eq!(bank.transfer(0, 1, 10), Ok(()));
        assert_eq!(other.join().unwrap(), Ok(()));
        assert_eq!((bank.balance(0), bank.balance(1)), (120, 80));
    });
    let message = expect_failure(2, || {
        let bank = StdArc::new(Bank::new(&[100, 100]));
        let other = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer_naive(1, 0, 30))
        };
        bank.transfer_naive(0, 1, 10);
        other.join().unwrap();
    });
    assert!(message.contains("deadlock"), "{message}");
}

#[test]
fn loom_transfer_is_atomic_for_an_auditor() {
    // Two transfers through account 1 while the main thread takes a snapshot.
    check(2, || {
        let bank = StdArc::new(Bank::new(&[50, 0, 0]));
        let first = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer(0, 1, 50))
        };
        let second = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer(1, 2, 50))
        };
        assert_eq!(bank.total(), 50, "a snapshot saw a half-done transfer");
        assert_eq!(first.join().unwrap(), Ok(()));
        let second = second.join().unwrap();
        // The second transfer succeeds only if it ran after the first.
        match second {
            Ok(()) => assert_eq!(bank.balance(2), 50),
            Err(e) => assert_eq!(
                e,
                TransferError::InsufficientFunds {
                    account: 1,
                    balance: 0,
                    amount: 50
                }
            ),
        }
        assert_eq!(bank.total(), 50);
    });
}

#[test]
fn loom_transfer_never_spends_the_same_money_twice() {
    check(3, || {
        let bank = StdArc::new(Bank::new(&[100, 0, 0]));
        let other = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer(0, 2, 60))
        };
        let mine = bank.transfer(0, 1, 60);
        let theirs = other.join().unwrap();
        assert!(
            mine.is_ok() != theirs.is_ok(),
            "exactly one of two 60-transfers from 100 can succeed: {mine:?} {theirs:?}"
        );
        assert_eq!(bank.balance(0), 40);
        assert_eq!(bank.total(), 100);
    });
}

#[test]
fn loom_once_slot_publishes_safely_and_an_unsynchronised_cell_races() {
    check(3, || {
        let slot = Arc::new(OnceSlot::new());
        let writer = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || slot.set(42).is_ok())
        };
        // Whenever the reader sees the value, it must see all of it (loom checks that the
        // write happened-before this read).
        if let Some(v) = slot.get() {
            assert_eq!(*v, 42);
        }
        assert!(writer.join().unwrap());
        assert_eq!(slot.get(), Some(&42));
    });
    let message = expect_failure(3, || {
        let cell = Arc::new(UnsyncCell::new(0));
        let other = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || cell.set(1))
        };
        cell.set(2);
        other.join().unwrap();
    });
    assert!(message.contains("Causality violation"), "{message}");
}

#[test]
fn loom_once_slot_has_one_winner() {
    check(3, || {
        let slot = Arc::new(OnceSlot::new());
        let other = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || slot.set(1))
        };
        let mine = slot.set(2);
        let theirs = other.join().unwrap();
        match (mine, theirs) {
            (Ok(()), Err(1)) => assert_eq!(slot.get(), Some(&2)),
            (Err(2), Ok(())) => assert_eq!(slot.get(), Some(&1)),
            other => panic!("exactly one set must win: {other:?}"),
        }
    });
}

#[test]
fn loom_queue_close_wakes_both_waiting_consumers() {
    check(2, || {
        let q = StdArc::new(BoundedQueue::<u32>::new(1));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = StdArc::clone(&q);
                thread::spawn(move || q.pop())
            })
            .collect();
        q.close();
        for c in consumers {
            assert_eq!(c.join().unwrap(), None);
        }
    });
}

#[test]
fn loom_queue_hands_over_items_through_a_full_queue() {
    check(3, || {
        let q = StdArc::new(BoundedQueue::new(1));
        let producer = {
            let q = StdArc::clone(&q);
            thread::spawn(move || {
                q.push(1).unwrap();
                q.push(2).unwrap(); // waits until the consumer takes 1
                q.close();
            })
        };
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), Some(2));
        assert_eq!(q.pop(), None);
        producer.join().unwrap();
    });
}

#[test]
fn loom_queue_two_consumers_share_items_and_see_the_end() {
    check(2, || {
        let q = StdArc::new(BoundedQueue::new(2));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = StdArc::clone(&q);
                thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Some(x) = q.pop() {
                        got.push(x);
                    }
                    got
                })
            })
            .collect();
        q.push(1).unwrap();
        q.push(2).unwrap();
        q.close();
        assert_eq!(q.push(3), Err(Closed(3)));
        let mut all: Vec<u32> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort();
        assert_eq!(all, vec![1, 2]);
    });
}

#[test]
fn loom_queue_each_waiting_consumer_gets_an_item() {
    // A consumer woken for an item that another consumer took first must wait again, not
    // come back empty-handed: the reason every wait sits in a `while` loop.
    check(2, || {
        let q = StdArc::new(BoundedQueue::new(2));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = StdArc::clone(&q);
                thread::spawn(move || q.pop())
            })
            .collect();
        q.push(1).unwrap();
        q.push(2).unwrap();
        let mut got: Vec<Option<u32>> = consumers.into_iter().map(|c| c.join().unwrap()).collect();
        got.sort();
        assert_eq!(
            got,
            vec![Some(1), Some(2)],
            "a consumer woke up to an empty queue"
        );
    });
}
