//! Task 6: a bounded blocking queue, the channel between producers and consumers, from one
//! mutex and two condition variables.
//!
//! A condition variable lets a thread sleep until another thread changes the state guarded
//! by a mutex. `wait` atomically releases the mutex and sleeps, then retakes the mutex
//! before returning; wake-ups may be spurious or stale (another thread got there first), so
//! every wait sits in a `while` loop that rechecks its condition.

use std::fmt;
use std::marker::PhantomData;

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
    // Replace with your fields.
    _items: PhantomData<T>,
}

impl<T> BoundedQueue<T> {
    /// An empty, open queue holding at most `capacity` items.
    ///
    /// # Panics
    /// If `capacity == 0`.
    pub fn new(capacity: usize) -> Self {
        todo!(
            "BoundedQueue::new(capacity = {capacity}): a Mutex around the items and a closed flag, two Condvars"
        )
    }

    /// The most items it holds.
    pub fn capacity(&self) -> usize {
        todo!("BoundedQueue::capacity")
    }

    /// Items in the queue now.
    pub fn len(&self) -> usize {
        todo!("BoundedQueue::len")
    }

    /// True if the queue holds no item now.
    pub fn is_empty(&self) -> bool {
        todo!("BoundedQueue::is_empty")
    }

    /// True once [`close`](BoundedQueue::close) has been called.
    pub fn is_closed(&self) -> bool {
        todo!("BoundedQueue::is_closed")
    }

    /// Adds `item` at the back, waiting while the queue is full. On a closed queue (also
    /// one closed while waiting) gives the item back.
    pub fn push(&self, item: T) -> Result<(), Closed<T>> {
        let _ = item;
        todo!("BoundedQueue::push: wait on not_full in a while loop; push; notify one consumer")
    }

    /// Adds `item` at the back if there is room, without waiting.
    pub fn try_push(&self, item: T) -> Result<(), TryPushError<T>> {
        let _ = item;
        todo!("BoundedQueue::try_push: like push, but return Full instead of waiting")
    }

    /// Removes the front item, waiting while the queue is empty and open. `None` once the
    /// queue is closed and empty: items pushed before `close` are still delivered.
    pub fn pop(&self) -> Option<T> {
        todo!("BoundedQueue::pop: wait on not_empty in a while loop; pop; notify one producer")
    }

    /// Closes the queue: later pushes fail, pops drain what is left and then return
    /// `None`, and every thread waiting in `push` or `pop` wakes up to see it.
    pub fn close(&self) {
        todo!("BoundedQueue::close: set the flag, then wake every waiter")
    }
}
