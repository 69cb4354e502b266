//! Task 4 (continued): publishing data from one thread to others through a flag.
//!
//! Writing a value and then setting a flag is only safe if a reader that sees the flag also
//! sees the value. A `Release` store of the flag and an `Acquire` load that reads it create
//! that "happens-before" edge; with `Relaxed` on either side there is none, and the reader
//! may read the value while (or before) it is written: a data race, undefined behaviour. On
//! x86 the hardware hides the bug (every store is a release); on ARM, or after the compiler
//! reorders, it does not. loom finds it on any machine (`tests/loom.rs`).

// BEGIN SOLUTION
// STUB
// use std::marker::PhantomData;

// END SOLUTION
use crate::sync::UnsafeCell;
// BEGIN SOLUTION
use crate::sync::atomic::{AtomicU8, Ordering};
// END SOLUTION

/// Given: a cell that two threads may write at the same time, wrongly declared `Sync`.
///
/// This is the bug `Send`/`Sync` exist to prevent, smuggled past the compiler with an
/// `unsafe impl`: two concurrent [`set`](UnsyncCell::set)s are a data race. It exists for
/// the loom demo only (`tests/loom.rs`), where loom reports the race instead of letting it
/// happen; never share one between real threads.
#[derive(Debug, Default)]
pub struct UnsyncCell {
    value: UnsafeCell<u64>,
}

// SAFETY: none. This impl is the bug that the loom demo detects (see the type's docs).
unsafe impl Sync for UnsyncCell {}

impl UnsyncCell {
    /// A cell holding `value`.
    pub fn new(value: u64) -> Self {
        Self {
            value: UnsafeCell::new(value),
        }
    }

    /// Overwrites the value, with no synchronisation at all.
    pub fn set(&self, value: u64) {
        // SAFETY: not safe if another thread accesses the cell concurrently; that is the
        // point of the demo.
        self.value.with_mut(|p| unsafe { *p = value });
    }

    /// Reads the value, with no synchronisation at all.
    pub fn get(&self) -> u64 {
        // SAFETY: as for `set`.
        self.value.with(|p| unsafe { *p })
    }
}

// BEGIN SOLUTION
const EMPTY: u8 = 0;
const WRITING: u8 = 1;
const READY: u8 = 2;

// END SOLUTION
/// A slot written at most once and then read by any thread, like `std::sync::OnceLock`
/// without blocking: a value in an [`UnsafeCell`] (from `crate::sync`) published by an
/// atomic state flag (`crate::sync::atomic::AtomicU8`: empty, being written, ready).
///
/// The type holds an `UnsafeCell`, so it is not `Sync` until you promise, with an
/// `unsafe impl`, that your accesses are synchronised; loom then checks the promise.
///
/// ```
/// use lab02::publish::OnceSlot;
/// let slot = OnceSlot::new();
/// assert_eq!(slot.get(), None);
/// assert_eq!(slot.set(7), Ok(()));
/// assert_eq!(slot.set(8), Err(8));
/// assert_eq!(slot.get(), Some(&7));
/// ```
#[derive(Debug)]
pub struct OnceSlot<T> {
    // BEGIN SOLUTION
    /// EMPTY, then WRITING while the single winning writer fills `value`, then READY.
    state: AtomicU8,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the value is written by exactly one thread (the one that moved the state from
// EMPTY to WRITING) and only read after a reader has seen READY with an Acquire load, which
// synchronises with the writer's Release store: no access is ever concurrent with the
// write. Sending the slot moves a T (so T: Send); sharing it hands out &T to many threads
// and lets any of them put in a T (so T: Send + Sync).
unsafe impl<T: Send + Sync> Sync for OnceSlot<T> {}
// STUB
//     // Replace with your fields.
//     _value: PhantomData<T>,
// }
// END SOLUTION

impl<T> Default for OnceSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> OnceSlot<T> {
    /// An empty slot.
    pub fn new() -> Self {
        // BEGIN SOLUTION
        Self {
            state: AtomicU8::new(EMPTY),
            value: UnsafeCell::new(None),
        }
        // END SOLUTION todo!("OnceSlot::new: an AtomicU8 state (EMPTY) and an UnsafeCell<Option<T>>")
    }

    /// Stores `value` if the slot is empty; otherwise (another thread set it, or is setting
    /// it right now) gives `value` back. Never blocks.
    pub fn set(&self, value: T) -> Result<(), T> {
        // BEGIN SOLUTION
        // Claim the slot. Only the thread whose compare-exchange succeeds may write, so the
        // write below has no competitor; Relaxed suffices for the claim itself, since no
        // data is read through it.
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return Err(value);
        }
        // SAFETY: this thread owns the slot (state WRITING) and no reader touches the value
        // before seeing READY.
        self.value.with_mut(|p| unsafe { *p = Some(value) });
        // Release: a reader that sees READY (with Acquire) also sees the write above.
        self.state.store(READY, Ordering::Release);
        Ok(())
        // STUB
        // let _ = value;
        // todo!(
        //     "OnceSlot::set: claim the slot with compare_exchange(EMPTY, WRITING), write the value, then publish READY"
        // )
        // END SOLUTION
    }

    /// The value, if it has been set (and fully written).
    pub fn get(&self) -> Option<&T> {
        // BEGIN SOLUTION
        // Acquire: pairs with the Release store in `set`, making the value's write visible.
        if self.state.load(Ordering::Acquire) == READY {
            // SAFETY: READY is set after the only write, which happens-before this read;
            // the value is never written again while `&self` lives.
            self.value.with(|p| unsafe { (*p).as_ref() })
        } else {
            None
        }
        // END SOLUTION todo!("OnceSlot::get: read the value only after an Acquire load has seen READY")
    }
}
