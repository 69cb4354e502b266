//! Model checks: loom runs each model under every interleaving of its threads (up to a
//! preemption bound) and fails if any one of them breaks an assertion, races on an
//! `UnsafeCell` or deadlocks. Run them from the repository's root with
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p lab02 --release --test loom
//! ```
//!
//! Without `RUSTFLAGS="--cfg loom"` this file compiles to nothing, and "running 0 tests"
//! is not a pass (the command Cargo prints after a failure, "to rerun pass `-p lab02 --test
//! loom`", drops it). Add `LOOM_LOCATION=1` to see the file and line of each access in
//! loom's reports.
//!
//! Each test first checks your code, then shows loom catching the given wrong code (the
//! racy counter, the naive transfer, the unsynchronised cell): those models must fail, and
//! the test asserts that they do. The counter and `OnceSlot` tests also check that loom
//! *sees* your synchronisation: loom can only interleave the locks and atomics of
//! `crate::sync`, and code built on `std::sync` or `parking_lot` directly would pass every
//! model without being checked at all.
//!
//! Models that may deadlock keep their shared state in a `std::sync::Arc`, not loom's:
//! loom aborts the whole process when a deadlocked model's loom `Arc` is cleaned up (loom
//! issue 291), which no test could catch.
#![cfg(loom)]

use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc as StdArc, Mutex as StdMutex};

use lab02::bank::{Bank, TransferError};
use lab02::counters::{
    AtomicCounter, Counter, LockCounter, MutexCounter, RacyCounter, ShardedCounter,
};
use lab02::logger::{Logger, TornLogger};
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

/// A model checker without a preemption bound, for the small model that checks that some
/// interleaving *exists* ([`loom_sees_each_increment`]): a bound could only make loom skip
/// the interleaving that the check looks for.
fn check_every_interleaving(model: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
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
fn counts_four<C: Counter + 'static>(name: &'static str, new: fn() -> C) {
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
        other.join().expect("the other thread panicked");
        assert_eq!(
            counter.get(),
            4,
            "{name}: lost update (2 threads x 2 increments)"
        );
    });
}

/// Checks that loom sees each step of the counter: a reader runs while another thread
/// increments twice, and over all interleavings it must see 0, 1 and 2.
///
/// loom interleaves threads only at the operations it models, those of `crate::sync`.
/// A counter built on `std::sync` or `parking_lot` directly is invisible to it: the other
/// thread's two increments then run as one step, the reader never sees 1, and the models
/// above pass without having checked anything.
fn loom_sees_each_increment<C: Counter + 'static>(name: &'static str, new: fn() -> C) {
    let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
    let record = StdArc::clone(&seen);
    check_every_interleaving(move || {
        let counter = Arc::new(new());
        let other = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                counter.increment();
                counter.increment();
            })
        };
        let now = counter.get();
        record
            .lock()
            .expect("only this test locks the record")
            .insert(now);
        other.join().expect("the other thread panicked");
        assert_eq!(counter.get(), 2, "{name}: lost update (1 thread x 2)");
    });
    let seen = seen
        .lock()
        .expect("only this test locks the record")
        .clone();
    assert_eq!(
        seen,
        BTreeSet::from([0, 1, 2]),
        "{name}: a reader beside a thread that increments twice saw only {seen:?}, never the \
         count between the two increments: loom cannot see this counter's synchronisation. \
         Import its lock or atomic from crate::sync, not from std::sync or parking_lot."
    );
}

#[test]
fn loom_atomic_counter_is_exact_and_racy_counter_is_not() {
    counts_four("AtomicCounter", AtomicCounter::new);
    loom_sees_each_increment("AtomicCounter", AtomicCounter::new);
    let message = expect_failure(3, || {
        let counter = Arc::new(RacyCounter::new());
        let other = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || counter.increment())
        };
        counter.increment();
        other.join().expect("the other thread panicked");
        assert_eq!(counter.get(), 2, "lost update");
    });
    assert!(
        message.contains("lost update"),
        "loom should have found RacyCounter's lost update, but the model failed with: {message}"
    );
}

#[test]
fn loom_mutex_counter_is_exact() {
    counts_four("MutexCounter", MutexCounter::new);
    loom_sees_each_increment("MutexCounter", MutexCounter::new);
}

#[test]
fn loom_lock_counter_is_exact() {
    counts_four("LockCounter", LockCounter::new);
    loom_sees_each_increment("LockCounter", LockCounter::new);
}

#[test]
fn loom_sharded_counter_is_exact() {
    // Three threads on two cells. Under loom, thread_index() numbers a model's threads 0, 1
    // and 2 in the order they first ask, so two threads share cell 0 (which therefore needs
    // an atomic add) and one has cell 1 to itself, whichever thread gets which number.
    check(2, || {
        let counter = Arc::new(ShardedCounter::new(2));
        let others: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    counter.increment();
                    counter.increment();
                })
            })
            .collect();
        counter.increment();
        counter.increment();
        for other in others {
            other.join().expect("a spawned thread panicked");
        }
        assert_eq!(
            counter.get(),
            6,
            "lost update (3 threads x 2 increments on 2 cells: two threads share a cell)"
        );
        assert_eq!(
            counter.cells(),
            [4, 2],
            "each thread adds to cell thread_index() % 2: threads 0 and 2 to cell 0, thread 1 \
             to cell 1"
        );
    });
    loom_sees_each_increment("ShardedCounter", || ShardedCounter::new(2));
}

#[test]
fn loom_ordered_transfer_never_deadlocks_and_naive_transfer_does() {
    check(2, || {
        let bank = StdArc::new(Bank::new(&[100, 100]));
        let other = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer(1, 0, 30))
        };
        assert_eq!(bank.transfer(0, 1, 10), Ok(()), "transfer 0 -> 1 of 10");
        assert_eq!(
            other.join().expect("the other thread panicked"),
            Ok(()),
            "transfer 1 -> 0 of 30"
        );
        assert_eq!(
            (bank.balance(0), bank.balance(1)),
            (120, 80),
            "balances after both transfers"
        );
    });
    let message = expect_failure(2, || {
        let bank = StdArc::new(Bank::new(&[100, 100]));
        let other = {
            let bank = StdArc::clone(&bank);
            thread::spawn(move || bank.transfer_naive(1, 0, 30))
        };
        bank.transfer_naive(0, 1, 10);
        other.join().expect("the other thread panicked");
    });
    assert!(
        message.contains("deadlock"),
        "loom should have found transfer_naive's deadlock, but the model failed with: {message}"
    );
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
        assert_eq!(
            first.join().expect("the first transfer panicked"),
            Ok(()),
            "transfer 0 -> 1 of 50 from 50"
        );
        let second = second.join().expect("the second transfer panicked");
        // The second transfer succeeds only if it ran after the first.
        match second {
            Ok(()) => assert_eq!(
                bank.balance(2),
                50,
                "the second transfer succeeded, so account 2 holds 50"
            ),
            Err(e) => assert_eq!(
                e,
                TransferError::InsufficientFunds {
                    account: 1,
                    balance: 0,
                    amount: 50
                },
                "a transfer that ran before the money arrived is refused for account 1's \
                 balance of 0"
            ),
        }
        assert_eq!(bank.total(), 50, "the money is all still there");
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
        let theirs = other.join().expect("the other thread panicked");
        assert!(
            mine.is_ok() != theirs.is_ok(),
            "exactly one of two 60-transfers from 100 can succeed: {mine:?} {theirs:?}"
        );
        assert_eq!(bank.balance(0), 40, "account 0 keeps 100 - 60");
        assert_eq!(bank.total(), 100, "the money is all still there");
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
        // Whenever the reader sees the value, it must see all of it: loom checks that the
        // write happened-before this read.
        if let Some(v) = slot.get() {
            assert_eq!(*v, 42, "a reader saw a value other than the one set");
        }
        // Then wait for the value without joining the writer (a join would order the write
        // before any later read by itself): only OnceSlot's own Release store and Acquire
        // load can make this read safe. A state flag that loom cannot see (an atomic from
        // std::sync::atomic rather than crate::sync::atomic) leaves the read unordered, and
        // loom reports it.
        let value = loop {
            if let Some(v) = slot.get() {
                break *v;
            }
            thread::yield_now();
        };
        assert_eq!(
            value, 42,
            "the reader waited for the value and saw another one"
        );
        assert!(
            writer.join().expect("the writer panicked"),
            "the only set of an empty slot succeeds"
        );
        assert_eq!(slot.get(), Some(&42), "after join the value is visible");
    });
    let message = expect_failure(3, || {
        let cell = Arc::new(UnsyncCell::new(0));
        let other = {
            let cell = Arc::clone(&cell);
            thread::spawn(move || cell.set(1))
        };
        cell.set(2);
        other.join().expect("the other thread panicked");
    });
    assert!(
        message.contains("Causality violation"),
        "loom should have found UnsyncCell's data race, but the model failed with: {message}"
    );
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
        let theirs = other.join().expect("the other thread panicked");
        match (mine, theirs) {
            (Ok(()), Err(1)) => assert_eq!(slot.get(), Some(&2), "the winner's value is kept"),
            (Err(2), Ok(())) => assert_eq!(slot.get(), Some(&1), "the winner's value is kept"),
            other => {
                panic!("exactly one set must win, and the loser gets its value back: {other:?}")
            }
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
            assert_eq!(
                c.join().expect("a consumer panicked"),
                None,
                "a consumer of a closed, empty queue gets None"
            );
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
                q.push(1).expect("push 1 into an open queue");
                q.push(2).expect("push 2 into an open queue"); // waits until 1 is taken
                q.close();
            })
        };
        assert_eq!(q.pop(), Some(1), "the first pop gets the first item");
        assert_eq!(
            q.pop(),
            Some(2),
            "the second pop gets the second item: it must wait (in a loop) until the \
             producer, blocked on the full queue, has pushed it"
        );
        assert_eq!(q.pop(), None, "the queue is closed and drained");
        producer.join().expect("the producer panicked");
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
        q.push(1).expect("push 1 into an open queue");
        q.push(2).expect("push 2 into an open queue");
        q.close();
        assert_eq!(q.push(3), Err(Closed(3)), "a closed queue refuses a push");
        let mut all: Vec<u32> = consumers
            .into_iter()
            .flat_map(|c| c.join().expect("a consumer panicked"))
            .collect();
        all.sort();
        assert_eq!(
            all,
            vec![1, 2],
            "the two consumers together got each item exactly once"
        );
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
        q.push(1).expect("push 1 into an open queue");
        q.push(2).expect("push 2 into an open queue");
        let mut got: Vec<Option<u32>> = consumers
            .into_iter()
            .map(|c| c.join().expect("a consumer panicked"))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![Some(1), Some(2)],
            "a consumer woke up to an empty queue"
        );
    });
}

/// One thread logs lines `a1` and `a2` while another logs `b`, through `log` (the
/// logger's own, or the torn one's). Returns the log.
fn log_three_lines<L: Send + Sync + 'static>(
    new: fn() -> L,
    log: fn(&L, usize, &str),
    into_inner: fn(L) -> Vec<u8>,
) -> String {
    let logger = Arc::new(new());
    let other = {
        let logger = Arc::clone(&logger);
        thread::spawn(move || {
            log(&logger, 0, "a1");
            log(&logger, 0, "a2");
        })
    };
    log(&logger, 1, "b");
    other.join().expect("the other thread panicked");
    let logger = Arc::try_unwrap(logger)
        .ok()
        .expect("both threads are done with the logger");
    String::from_utf8(into_inner(logger)).expect("the log is UTF-8")
}

#[test]
fn loom_logger_lines_never_interleave_and_torn_logger_lines_do() {
    // Every interleaving: three whole lines, worker 0's in its order, worker 1's line
    // before, between or after them; and loom must see all three places (a lock it cannot
    // see would make each `log` one step, and the model would check nothing).
    let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
    let record = StdArc::clone(&seen);
    check_every_interleaving(move || {
        let out = log_three_lines(
            || Logger::new(Vec::new()),
            |l, w, m| l.log(w, m).expect("a Vec never fails to write"),
            Logger::into_inner,
        );
        let lines: Vec<&str> = out.lines().collect();
        let b = lines.iter().position(|l| *l == "[worker 1] b");
        let mut others = lines.clone();
        if let Some(b) = b {
            others.remove(b);
        }
        assert!(
            b.is_some() && others == ["[worker 0] a1", "[worker 0] a2"] && out.ends_with('\n'),
            "lines interleaved or out of order: {out:?}"
        );
        record
            .lock()
            .expect("only this test locks the record")
            .insert(b);
    });
    let seen = seen
        .lock()
        .expect("only this test locks the record")
        .clone();
    assert_eq!(
        seen,
        BTreeSet::from([Some(0), Some(1), Some(2)]),
        "worker 1's line came only at {seen:?} among worker 0's two, never between them: loom \
         cannot see the logger's lock. Import it from crate::sync, not from parking_lot."
    );

    // The torn logger writes its prefix and its message under two locks: loom finds the
    // schedule where the other thread's prefix lands between them.
    let failure = expect_failure(2, || {
        let out = log_three_lines(
            || TornLogger::new(Vec::new()),
            |l, w, m| l.log(w, m).expect("a Vec never fails to write"),
            TornLogger::into_inner,
        );
        let whole = out
            .lines()
            .all(|l| ["[worker 0] a1", "[worker 0] a2", "[worker 1] b"].contains(&l));
        assert!(whole, "lines interleaved: {out:?}");
    });
    assert!(
        failure.contains("lines interleaved"),
        "the torn logger should interleave, but loom reported: {failure}"
    );
}
