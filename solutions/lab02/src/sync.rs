//! The lab's locks, condition variables, atomics, cells and thread numbers
//! ([`thread_index`]): the standard library's (and parking_lot's) in a normal build,
//! [loom]'s model-checked twins under `--cfg loom`.
//!
//! Code that imports its synchronisation from here instead of from `std::sync` is compiled
//! twice without a change: normally, where it runs at full speed, and under
//! `RUSTFLAGS="--cfg loom"`, where `tests/loom.rs` runs it under a model checker that
//! explores every interleaving of its threads. tokio, crossbeam and bytes keep the same kind
//! of shim in one module of their own.
//!
//! This module is given: you only import from it.
//!
//! [loom]: https://docs.rs/loom

#[cfg(loom)]
pub use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub use std::sync::{Condvar, Mutex, MutexGuard};

/// Atomic integers and flags (`std::sync::atomic`, or loom's under `--cfg loom`).
pub mod atomic {
    #[cfg(loom)]
    pub use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
    #[cfg(not(loom))]
    pub use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
}

/// `parking_lot`'s mutex: `lock()` returns the guard itself, since parking_lot has no
/// poisoning. loom cannot see inside parking_lot, so under `--cfg loom` this is a thin
/// wrapper around loom's mutex with the same interface.
pub mod parking_lot {
    #[cfg(not(loom))]
    pub use ::parking_lot::{Mutex, MutexGuard};

    /// The guard of a locked [`Mutex`].
    #[cfg(loom)]
    pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    /// A mutex with parking_lot's interface, model checked by loom.
    #[cfg(loom)]
    #[derive(Debug, Default)]
    pub struct Mutex<T>(loom::sync::Mutex<T>);

    #[cfg(loom)]
    impl<T> Mutex<T> {
        /// A new unlocked mutex holding `value`.
        pub fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        /// Blocks until the lock is free, then takes it.
        pub fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().expect("loom mutexes are never poisoned")
        }

        /// The value, taking the mutex apart.
        pub fn into_inner(self) -> T {
            self.0
                .into_inner()
                .expect("loom mutexes are never poisoned")
        }
    }
}

#[cfg(loom)]
pub use loom::cell::UnsafeCell;

/// `std::cell::UnsafeCell` with loom's interface: every access goes through [`with`] (read)
/// or [`with_mut`] (write), so that under `--cfg loom` the model checker can check that no
/// write is concurrent with another access (a data race).
///
/// [`with`]: UnsafeCell::with
/// [`with_mut`]: UnsafeCell::with_mut
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a pointer for reading the value. Dereferencing it is `unsafe`: the
    /// caller must ensure that no write happens at the same time.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a pointer for writing the value. Dereferencing it is `unsafe`: the
    /// caller must ensure that no other access happens at the same time.
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// A small number for the calling thread, the same for its whole life: 0 for the first
/// thread that asks, 1 for the next, and so on (`counters::thread_index` is this function).
///
/// Normally a `std::thread_local!`. Under `--cfg loom` it is loom's thread-local instead,
/// numbered by a loom atomic that starts at 0 in every execution of a model: loom runs all
/// the threads of a model on one OS thread, where a std thread-local would give every one
/// of them the same number (so a sharded counter under loom would use one cell only). The
/// threads of a model are numbered in the order they first ask, which loom varies like any
/// other interleaving.
#[cfg(not(loom))]
pub fn thread_index() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    INDEX.with(|index| *index)
}

/// A small number for the calling thread of a loom model (see the normal build's docs).
#[cfg(loom)]
pub fn thread_index() -> usize {
    use loom::sync::atomic::{AtomicUsize, Ordering};
    loom::lazy_static! {
        static ref NEXT: AtomicUsize = AtomicUsize::new(0);
    }
    loom::thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    INDEX.with(|index| *index)
}
