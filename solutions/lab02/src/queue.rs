//! Task 6: a bounded blocking queue, the channel between producers and consumers, from one
//! mutex and two condition variables.
//!
//! A condition variable lets a thread sleep until another thread changes the state guarded
//! by a mutex. `wait` atomically releases the mutex and sleeps, then retakes the mutex
//! before returning; wake-ups may be spurious or stale (another thread got there first), so
//! every wait sits in a `while` loop that rechecks its condition.

use std::collections::VecDeque;
use std::fmt;

use crate::sync::{Condvar, Mutex, MutexGuard};

/// [`BoundedQueue::push`] on a closed queue: the item comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the queue is closed")
    }
}

impl<T: fmt::Debug> std::error::Error for Closed<T> {}

/// Why [`BoundedQueue::try_push`] did not add the item; the item comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryPushError<T> {
    /// The queue holds `capacity` items.
    Full(T),
    /// The queue is closed.
    Closed(T),
}

/// The state the mutex guards.
#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
}

/// A first-in first-out queue of at most `capacity` items, shared by reference between
/// producer and consumer threads.
///
/// ```
/// use lab02::queue::BoundedQueue;
/// let q = BoundedQueue::new(2);
/// q.push(1).unwrap();
/// q.push(2).unwrap();
/// q.close();
/// assert_eq!((q.pop(), q.pop(), q.pop()), (Some(1), Some(2), None));
/// ```
#[derive(Debug)]
pub struct BoundedQueue<T> {
    state: Mutex<State<T>>,
    /// Signalled when an item arrives (or the queue closes): consumers wait on it.
    not_empty: Condvar,
    /// Signalled when an item leaves (or the queue closes): producers wait on it.
    not_full: Condvar,
    capacity: usize,
}

impl<T> BoundedQueue<T> {
    /// An empty, open queue holding at most `capacity` items.
    ///
    /// # Panics
    /// If `capacity == 0`.
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a bounded queue needs room for at least one item"
        );
        Self {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                closed: false,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The state is changed by single, non-panicking operations, so it stays consistent
        // even if a thread panicked while holding the lock.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most items it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items in the queue now.
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// True if the queue holds no item now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True once [`close`](BoundedQueue::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Adds `item` at the back, waiting while the queue is full. On a closed queue (also
    /// one closed while waiting) gives the item back.
    pub fn push(&self, item: T) -> Result<(), Closed<T>> {
        let mut state = self.lock();
        // `while`, not `if`: after a wake-up another producer may have filled the space.
        while state.items.len() == self.capacity && !state.closed {
            state = self
                .not_full
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if state.closed {
            return Err(Closed(item));
        }
        state.items.push_back(item);
        drop(state);
        // One new item can satisfy one consumer.
        self.not_empty.notify_one();
        Ok(())
    }

    /// Adds `item` at the back if there is room, without waiting.
    pub fn try_push(&self, item: T) -> Result<(), TryPushError<T>> {
        let mut state = self.lock();
        if state.closed {
            return Err(TryPushError::Closed(item));
        }
        if state.items.len() == self.capacity {
            return Err(TryPushError::Full(item));
        }
        state.items.push_back(item);
        drop(state);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Removes the front item, waiting while the queue is empty and open. `None` once the
    /// queue is closed and empty: items pushed before `close` are still delivered.
    pub fn pop(&self) -> Option<T> {
        let mut state = self.lock();
        while state.items.is_empty() && !state.closed {
            state = self
                .not_empty
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let item = state.items.pop_front();
        drop(state);
        if item.is_some() {
            // One free slot can satisfy one producer.
            self.not_full.notify_one();
        }
        item
    }

    /// Closes the queue: later pushes fail, pops drain what is left and then return
    /// `None`, and every thread waiting in `push` or `pop` wakes up to see it.
    pub fn close(&self) {
        self.lock().closed = true;
        // Every waiter must see the change, not just one: each of them would otherwise wait
        // for an item or a slot that will never come.
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }
}
