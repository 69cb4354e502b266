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
// BEGIN SOLUTION
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam::channel::{self, Receiver, Sender};
// END SOLUTION use std::marker::PhantomData;

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
    // BEGIN SOLUTION
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// A unit of work as the workers see it: any closure, its result already wired to whoever
/// waits for it.
type Job = Box<dyn FnOnce() + Send + 'static>;

// STUB
//     let _ = payload;
//     todo!("panic_message: try payload.downcast_ref::<&'static str>(), then ::<String>()")
// }

// END SOLUTION
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
    // BEGIN SOLUTION
    /// The sending end of the job queue; `None` once `drop` has closed it.
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
    // STUB
    // // Your fields here.
    // END SOLUTION
}

impl ThreadPool {
    /// Starts `workers` worker threads.
    ///
    /// # Panics
    /// If `workers == 0`, or if the operating system refuses to start a thread.
    pub fn new(workers: usize) -> Self {
        // BEGIN SOLUTION
        assert!(workers > 0, "a thread pool needs at least one worker");
        let (sender, receiver) = channel::unbounded::<Job>();
        let workers = (0..workers)
            .map(|i| {
                let receiver = receiver.clone();
                thread::Builder::new()
                    .name(format!("pool-worker-{i}"))
                    .spawn(move || {
                        // `recv` fails only once the pool has dropped its sender *and* the
                        // queue is empty: queued jobs are finished before workers exit.
                        while let Ok(job) = receiver.recv() {
                            job();
                        }
                    })
                    .expect("the operating system refused to start a worker thread")
            })
            .collect();
        Self {
            jobs: Some(sender),
            workers,
        }
        // STUB
        // todo!(
        //     "ThreadPool::new(workers = {workers}): a crossbeam channel of jobs; each worker loops on recv() and runs what it gets"
        // )
        // END SOLUTION
    }

    /// Number of worker threads.
    pub fn workers(&self) -> usize {
        // BEGIN SOLUTION
        self.workers.len()
    }

    /// Queues `task`; whatever becomes of it (a value or a panic) is passed to `report`,
    /// on the worker that ran it.
    fn execute<T, F, R>(&self, task: F, report: R)
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
        R: FnOnce(Result<T, TaskError>) + Send + 'static,
    {
        let job = move || {
            // Catch the panic here, inside the job, so that it never reaches the worker's
            // loop: the worker survives and the submitter learns what happened.
            let outcome = panic::catch_unwind(AssertUnwindSafe(task));
            report(outcome.map_err(|payload| TaskError::Panicked(panic_message(&*payload))));
        };
        self.jobs
            .as_ref()
            .expect("the job queue is open until the pool is dropped")
            .send(Box::new(job))
            .expect("workers live as long as the pool");
        // STUB
        //     todo!("ThreadPool::workers")
        // END SOLUTION
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
        // BEGIN SOLUTION
        let (sender, receiver) = channel::bounded(1);
        self.execute(task, move |result| {
            // The handle may have been dropped: nobody wants the result, which is fine.
            let _ = sender.send(result);
        });
        TaskHandle { result: receiver }
        // STUB
        // let _ = task;
        // todo!(
        //     "ThreadPool::submit: a one-result channel; queue a job that runs the task under catch_unwind and sends the result"
        // )
        // END SOLUTION
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
        // BEGIN SOLUTION
        let f = Arc::new(f);
        let (sender, receiver) = channel::unbounded();
        let mut queued = 0;
        for (index, item) in items.into_iter().enumerate() {
            let f = Arc::clone(&f);
            let sender = sender.clone();
            self.execute(
                move || f(item),
                move |result| {
                    let _ = sender.send((index, result));
                },
            );
            queued += 1;
        }
        AsCompleted {
            results: receiver,
            remaining: queued,
        }
        // STUB
        // let _ = (items, f);
        // todo!(
        //     "ThreadPool::as_completed: share f through an Arc; every job sends (index, result) on one shared channel"
        // )
        // END SOLUTION
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
        // BEGIN SOLUTION
        let mut results: Vec<(usize, Result<T, TaskError>)> = self.as_completed(items, f).collect();
        // Results arrive in completion order; the caller wants the order of the items.
        results.sort_by_key(|(index, _)| *index);
        results.into_iter().map(|(_, result)| result).collect()
        // STUB
        // let _ = (items, f);
        // todo!("ThreadPool::map: collect as_completed, then put each result back at its index")
        // END SOLUTION
    }
}

impl Drop for ThreadPool {
    /// Closes the job queue, lets the workers finish every job already queued, and joins
    /// them all: no thread outlives the pool.
    fn drop(&mut self) {
        // BEGIN SOLUTION
        // Dropping the only sender disconnects the channel, which ends each worker's loop
        // once the queue is empty.
        drop(self.jobs.take());
        for worker in self.workers.drain(..) {
            // Jobs catch their own panics, so a worker never panics; if one did, there is
            // nothing left to report it to.
            let _ = worker.join();
        }
        // STUB
        // todo!(
        //     "ThreadPool::drop: drop the sender (workers end once the queue is empty), then join every worker"
        // )
        // END SOLUTION
    }
}

/// The pending result of a task queued with [`ThreadPool::submit`].
///
/// Suggested field: the receiving end of a channel that will carry one
/// `Result<T, TaskError>`.
pub struct TaskHandle<T> {
    // BEGIN SOLUTION
    result: Receiver<Result<T, TaskError>>,
    // STUB
    // // Replace with your fields.
    // _result: PhantomData<T>,
    // END SOLUTION
}

impl<T> TaskHandle<T> {
    /// Blocks until the task has run; returns its value, or why there is none.
    pub fn join(self) -> Result<T, TaskError> {
        // BEGIN SOLUTION
        // A disconnected channel means the job was dropped without reporting.
        self.result.recv().unwrap_or(Err(TaskError::Lost))
        // END SOLUTION todo!("TaskHandle::join: receive the result; a disconnected channel means TaskError::Lost")
    }
}

/// The results of [`ThreadPool::as_completed`], in completion order: `(item index, result)`.
pub struct AsCompleted<T> {
    // BEGIN SOLUTION
    results: Receiver<(usize, Result<T, TaskError>)>,
    remaining: usize,
    // STUB
    // // Replace with your fields.
    // _results: PhantomData<T>,
    // END SOLUTION
}

impl<T> Iterator for AsCompleted<T> {
    type Item = (usize, Result<T, TaskError>);

    fn next(&mut self) -> Option<Self::Item> {
        // BEGIN SOLUTION
        if self.remaining == 0 {
            return None;
        }
        match self.results.recv() {
            Ok(next) => {
                self.remaining -= 1;
                Some(next)
            }
            // Every job dropped its sender without reporting: only a dead worker does that.
            Err(_) => {
                self.remaining = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining))
        // STUB
        //     todo!("AsCompleted::next: stop after the last result; otherwise receive the next one")
        // END SOLUTION
    }
}
