//! Task 6: a bounded blocking queue, the channel between producers and consumers, from one
//! mutex and two condition variables.
//!
//! A condition variable lets a thread sleep until another thread changes the state guarded
//! by a mutex. `wait` atomically releases the mutex and sleeps, then retakes the mutex
//! before returning; wake-ups may be spurious or stale (another thread got there first), so
//! every wait sits in a `while` loop that rechecks its condition.

// BEGIN SOLUTION
use std::collections::VecDeque;
// END SOLUTION
use std::fmt;
// BEGIN SOLUTION

use crate::sync::{Condvar, Mutex, MutexGuard};
// END SOLUTION use std::marker::PhantomData;

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

// BEGIN SOLUTION
/// The state the mutex guards.
#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
}

// END SOLUTION
/// A first-in first-out queue of at most `capacity` items, shared by reference between
/// producer and consumer threads.
///
/// Suggested fields: a `crate::sync::Mutex` around the state (a `VecDeque<T>` of items and
/// a `closed` flag), two `crate::sync::Condvar`s (`not_empty` for consumers to wait on,
/// `not_full` for producers) and the capacity.
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
    // BEGIN SOLUTION
    state: Mutex<State<T>>,
    /// Signalled when an item arrives (or the queue closes): consumers wait on it.
    not_empty: Condvar,
    /// Signalled when an item leaves (or the queue closes): producers wait on it.
    not_full: Condvar,
    capacity: usize,
    // STUB
    // // Replace with your fields.
    // _items: PhantomData<T>,
    // END SOLUTION
}

impl<T> BoundedQueue<T> {
    /// An empty, open queue holding at most `capacity` items.
    ///
    /// # Panics
    /// If `capacity == 0`.
    pub fn new(capacity: usize) -> Self {
        // BEGIN SOLUTION
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
        // STUB
        //     todo!(
        //         "BoundedQueue::new(capacity = {capacity}): a Mutex around the items and a closed flag, two Condvars"
        //     )
        // END SOLUTION
    }

    /// The most items it holds.
    pub fn capacity(&self) -> usize {
        // BEGIN SOLUTION
        self.capacity
        // END SOLUTION todo!("BoundedQueue::capacity")
    }

    /// Items in the queue now.
    pub fn len(&self) -> usize {
        // BEGIN SOLUTION
        self.lock().items.len()
        // END SOLUTION todo!("BoundedQueue::len")
    }

    /// True if the queue holds no item now.
    pub fn is_empty(&self) -> bool {
        // BEGIN SOLUTION
        self.len() == 0
        // END SOLUTION todo!("BoundedQueue::is_empty")
    }

    /// True once [`close`](BoundedQueue::close) has been called.
    pub fn is_closed(&self) -> bool {
        // BEGIN SOLUTION
        self.lock().closed
        // END SOLUTION todo!("BoundedQueue::is_closed")
    }

    /// Adds `item` at the back, waiting while the queue is full. On a closed queue (also
    /// one closed while waiting) gives the item back.
    pub fn push(&self, item: T) -> Result<(), Closed<T>> {
        // BEGIN SOLUTION
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
        // STUB
        // let _ = item;
        // todo!("BoundedQueue::push: wait on not_full in a while loop; push; notify one consumer")
        // END SOLUTION
    }

    /// Adds `item` at the back if there is room, without waiting.
    pub fn try_push(&self, item: T) -> Result<(), TryPushError<T>> {
        // BEGIN SOLUTION
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
        // STUB
        // let _ = item;
        // todo!("BoundedQueue::try_push: like push, but return Full instead of waiting")
        // END SOLUTION
    }

    /// Removes the front item, waiting while the queue is empty and open. `None` once the
    /// queue is closed and empty: items pushed before `close` are still delivered.
    pub fn pop(&self) -> Option<T> {
        // BEGIN SOLUTION
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
        // END SOLUTION todo!("BoundedQueue::pop: wait on not_empty in a while loop; pop; notify one producer")
    }

    /// Closes the queue: later pushes fail, pops drain what is left and then return
    /// `None`, and every thread waiting in `push` or `pop` wakes up to see it.
    pub fn close(&self) {
        // BEGIN SOLUTION
        self.lock().closed = true;
        // Every waiter must see the change, not just one: each of them would otherwise wait
        // for an item or a slot that will never come.
        self.not_empty.notify_all();
        self.not_full.notify_all();
        // END SOLUTION todo!("BoundedQueue::close: set the flag, then wake every waiter")
    }
}
