//! Task 2: a thread pool, the `ThreadPoolExecutor` of the lecture, built from std threads
//! and a crossbeam channel.
//!
//! Workers are started once and wait on a shared job queue (a multi-producer,
//! multi-consumer channel): a job is sent once and received by exactly one idle worker.
//! Each job reports its result through a channel of its own ([`ThreadPool::submit`]) or a
//! channel shared by a batch of jobs ([`ThreadPool::as_completed`]). A panic in a job is
//! caught where it happens and reported as [`TaskError::Panicked`]: the worker lives on.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

/// Why a task gave no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskError {
    /// The task panicked; holds the panic message (see [`panic_message`]).
    Panicked(String),
    /// The task's worker died before reporting a result. A correct pool never does this:
    /// it means a panic escaped into the worker's own loop.
    Lost,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Panicked(message) => write!(f, "the task panicked: {message}"),
            Self::Lost => write!(f, "the task's worker died before reporting a result"),
        }
    }
}

impl std::error::Error for TaskError {}

/// The message of a panic payload (what `std::panic::catch_unwind` returns as `Err`).
///
/// `panic!("literal")` carries a `&'static str`, `panic!("{x}")` a `String`; any other
/// payload (from `std::panic::panic_any`) gives `"<non-string panic payload>"`.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    let _ = payload;
    todo!("panic_message: try payload.downcast_ref::<&'static str>(), then ::<String>()")
}

/// A fixed set of worker threads that run submitted closures.
///
/// Suggested fields: the sending end of a crossbeam channel of jobs
/// (`Option<Sender<Box<dyn FnOnce() + Send + 'static>>>`, so that `drop` can close it) and
/// the workers' `JoinHandle`s.
///
/// ```
/// use lab02::pool::ThreadPool;
/// let pool = ThreadPool::new(4);
/// let squares = pool.map(0..5u64, |x| x * x);
/// assert_eq!(squares, vec![Ok(0), Ok(1), Ok(4), Ok(9), Ok(16)]);
/// ```
pub struct ThreadPool {
    // Your fields here.
}

impl ThreadPool {
    /// Starts `workers` worker threads.
    ///
    /// # Panics
    /// If `workers == 0`, or if the operating system refuses to start a thread.
    pub fn new(workers: usize) -> Self {
        todo!(
            "ThreadPool::new(workers = {workers}): a crossbeam channel of jobs; each worker loops on recv() and runs what it gets"
        )
    }

    /// Number of worker threads.
    pub fn workers(&self) -> usize {
        todo!("ThreadPool::workers")
    }

    /// Queues `task` and returns a handle to its result, like Python's `executor.submit`.
    ///
    /// ```
    /// use lab02::pool::ThreadPool;
    /// let pool = ThreadPool::new(2);
    /// let handle = pool.submit(|| 6 * 7);
    /// assert_eq!(handle.join(), Ok(42));
    /// ```
    pub fn submit<T, F>(&self, task: F) -> TaskHandle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _ = task;
        todo!(
            "ThreadPool::submit: a one-result channel; queue a job that runs the task under catch_unwind and sends the result"
        )
    }

    /// Runs `f` on every item and returns the results as they complete, each with the
    /// index of its item, like Python's `as_completed(executor.submit(f, x) for x in items)`.
    ///
    /// Every item is queued before this returns; the iterator then blocks until the next
    /// result is ready. Dropping it early does not cancel the queued work.
    pub fn as_completed<I, T, F>(&self, items: I, f: F) -> AsCompleted<T>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
    {
        let _ = (items, f);
        todo!(
            "ThreadPool::as_completed: share f through an Arc; every job sends (index, result) on one shared channel"
        )
    }

    /// Runs `f` on every item on the pool and returns the results in the order of the
    /// items, like Python's `executor.map`, except that a panic in one task becomes an
    /// `Err` in its slot instead of stopping the whole map.
    pub fn map<I, T, F>(&self, items: I, f: F) -> Vec<Result<T, TaskError>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
    {
        let _ = (items, f);
        todo!("ThreadPool::map: collect as_completed, then put each result back at its index")
    }
}

impl Drop for ThreadPool {
    /// Closes the job queue, lets the workers finish every job already queued, and joins
    /// them all: no thread outlives the pool.
    fn drop(&mut self) {
        todo!(
            "ThreadPool::drop: drop the sender (workers end once the queue is empty), then join every worker"
        )
    }
}

/// The pending result of a task queued with [`ThreadPool::submit`].
///
/// Suggested field: the receiving end of a channel that will carry one
/// `Result<T, TaskError>`.
pub struct TaskHandle<T> {
    // Replace with your fields.
    _result: PhantomData<T>,
}

impl<T> TaskHandle<T> {
    /// Blocks until the task has run; returns its value, or why there is none.
    pub fn join(self) -> Result<T, TaskError> {
        todo!("TaskHandle::join: receive the result; a disconnected channel means TaskError::Lost")
    }
}

/// The results of [`ThreadPool::as_completed`], in completion order: `(item index, result)`.
pub struct AsCompleted<T> {
    // Replace with your fields.
    _results: PhantomData<T>,
}

impl<T> Iterator for AsCompleted<T> {
    type Item = (usize, Result<T, TaskError>);

    fn next(&mut self) -> Option<Self::Item> {
        todo!("AsCompleted::next: stop after the last result; otherwise receive the next one")
    }
}
