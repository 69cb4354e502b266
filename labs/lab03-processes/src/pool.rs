//! A process pool on `std::process`: worker processes fed chunks of tasks through pipes.
//!
//! Each worker is a child process with two pipes, its standard input (tasks) and its
//! standard output (results). While a call runs, each worker has a *feeder* thread in the
//! parent: it takes the next chunk from a queue, writes it to its worker, waits for the
//! reply and repeats. A worker therefore holds at most one chunk and gets the next when it
//! returns the last: that is dynamic scheduling, a thread pool (lab 02) whose threads each
//! drive a process. std has no `select` on pipes; a thread per pipe is how std waits for
//! "whichever worker answers first".
//!
//! Workers that die are reaped and replaced; a worker that runs past its deadline is killed
//! by the calling thread, the watchdog; dropping the pool kills and reaps every worker.

use crate::task::{Output, Task};
use std::ffi::OsString;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

/// How to start a worker: a program and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerCommand {
    program: PathBuf,
    args: Vec<OsString>,
}

impl WorkerCommand {
    /// Runs `program` with no arguments, e.g. the lab's worker binary:
    /// `WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// This very program, started with [`WORKER_FLAG`](crate::worker::WORKER_FLAG): for a
    /// program whose `main` begins with the [`is_worker_invocation`] guard.
    ///
    /// [`is_worker_invocation`]: crate::worker::is_worker_invocation
    pub fn current_exe() -> std::io::Result<Self> {
        Ok(Self::new(std::env::current_exe()?).arg(crate::worker::WORKER_FLAG))
    }

    /// The program.
    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    /// A `Command` for one worker: standard input and output piped (they are the channel),
    /// standard error inherited (a worker's messages go where the parent's go).
    pub fn to_command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        cmd
    }
}

/// What the pool does about failures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolConfig {
    /// Kill a worker whose chunk takes longer than this per task (a chunk of `k` tasks gets
    /// `k` times this). `None`: wait forever.
    pub task_timeout: Option<Duration>,
    /// How many times a chunk whose worker died or timed out is sent again (to a fresh
    /// worker) before its tasks are reported as failed. Retried tasks run more than once:
    /// only retry tasks that are safe to repeat.
    pub retries: u32,
}

/// Why a pool call or one of its tasks failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// A bad argument: no workers, chunk size 0, an invalid Monte Carlo input.
    InvalidInput(String),
    /// A worker process could not be started.
    Spawn {
        /// The program.
        program: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// The worker running this task's chunk died before returning it. `task` is the
    /// chunk's first task (with chunk size 1, the task that was running): results travel
    /// per chunk, so the pool cannot tell which task of a chunk killed its worker.
    WorkerDied {
        /// Index of the chunk's first task.
        task: usize,
        /// How the worker ended (`status.code()`, `status.signal()`).
        status: ExitStatus,
    },
    /// The chunk starting at `task` ran past its deadline; its worker was killed.
    TimedOut {
        /// Index of the chunk's first task.
        task: usize,
        /// The per-task timeout.
        timeout: Duration,
    },
    /// The task ran and returned an error (the worker lives on).
    TaskFailed {
        /// Index of the task.
        task: usize,
        /// The worker's message.
        message: String,
    },
    /// A worker broke the protocol (a corrupt frame, the wrong number of results) while
    /// running the chunk starting at `task`; it was killed.
    Protocol {
        /// Index of the chunk's first task.
        task: usize,
        /// What was wrong.
        message: String,
    },
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::InvalidInput(m) => write!(f, "invalid input: {m}"),
            PoolError::Spawn { program, message } => {
                write!(f, "cannot start worker {}: {message}", program.display())
            }
            PoolError::WorkerDied { task, status } => {
                write!(f, "the worker running task {task} died ({status})")
            }
            PoolError::TimedOut { task, timeout } => write!(
                f,
                "task {task} ran past its timeout of {timeout:?}; its worker was killed"
            ),
            PoolError::TaskFailed { task, message } => write!(f, "task {task} failed: {message}"),
            PoolError::Protocol { task, message } => write!(
                f,
                "the worker running task {task} broke the protocol: {message}"
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// The chunk size of Python's `multiprocessing.Pool.map`: ⌈tasks / (4 × workers)⌉, at least 1.
/// Four chunks per worker: few messages, and still some room to balance unequal chunks.
pub fn python_chunksize(tasks: usize, workers: usize) -> usize {
    todo!("ceil({tasks} / (4 * {workers})), at least 1")
}

/// A pool of worker processes.
///
/// Each worker has a feeder thread in this process while a call runs: it takes the next
/// chunk from the queue, writes it to the worker's standard input, waits for the reply on
/// the worker's standard output, and repeats. The calling thread waits for the feeders (and
/// kills workers that run past their deadline).
///
/// ```no_run
/// use lab03::pool::{ProcessPool, WorkerCommand};
/// use lab03::task::Task;
///
/// let mut pool = ProcessPool::new(2, WorkerCommand::new("target/debug/lab03-worker"))?;
/// let tasks: Vec<Task> = (0..1000).map(Task::IsPrime).collect();
/// let primes = pool.map(&tasks, 100)?.iter().filter(|o| o.as_bool() == Some(true)).count();
/// assert_eq!(primes, 168);
/// # Ok::<(), lab03::pool::PoolError>(())
/// ```
#[derive(Debug)]
pub struct ProcessPool {
    // Your fields: the worker command, the config, and per worker its `Child` and pipes.
    // See the hints in the handout for one way to share them with feeder threads.
}

impl ProcessPool {
    /// Starts `workers` worker processes running `worker_command`, with the default
    /// [`PoolConfig`] (no timeout, no retries).
    ///
    /// Errors: [`PoolError::InvalidInput`] for 0 workers, [`PoolError::Spawn`] if a worker
    /// cannot be started (the ones already started are killed).
    pub fn new(workers: usize, worker_command: WorkerCommand) -> Result<Self, PoolError> {
        Self::with_config(workers, worker_command, PoolConfig::default())
    }

    /// Like [`ProcessPool::new`], with a timeout and retry policy.
    pub fn with_config(
        workers: usize,
        worker_command: WorkerCommand,
        config: PoolConfig,
    ) -> Result<Self, PoolError> {
        todo!(
            "spawn {workers} x {worker_command:?} (to_command().spawn(), take the child's stdin and stdout) with {config:?}"
        )
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        todo!()
    }

    /// The process ids of the live workers, in worker order.
    pub fn pids(&self) -> Vec<u32> {
        todo!("Child::id of each live worker")
    }

    /// The pool's failure policy.
    pub fn config(&self) -> PoolConfig {
        todo!()
    }

    /// Runs every task and returns their outputs in input order, with dynamic scheduling:
    /// the tasks are cut into chunks of `chunksize` consecutive tasks (the last may be
    /// shorter), and each worker gets the next chunk when it returns its last.
    ///
    /// A failure does not stop the other tasks: they all run, then the error of the
    /// lowest-numbered failed task is returned. The pool stays usable (dead workers have
    /// been replaced).
    ///
    /// Errors: [`PoolError::InvalidInput`] for chunk size 0; otherwise the failed task's.
    pub fn map(&mut self, tasks: &[Task], chunksize: usize) -> Result<Vec<Output>, PoolError> {
        todo!(
            "{} tasks in chunks of {chunksize}: one shared queue of chunks, one feeder thread per worker (std::thread::scope)",
            tasks.len()
        )
    }

    /// Like [`ProcessPool::map`], with static scheduling: chunk `i` goes to worker
    /// `i % workers`, fixed before anything runs, whatever the chunks cost. With
    /// `chunksize = ⌈n / workers⌉` each worker gets one contiguous block.
    pub fn map_static(
        &mut self,
        tasks: &[Task],
        chunksize: usize,
    ) -> Result<Vec<Output>, PoolError> {
        todo!(
            "{} tasks in chunks of {chunksize}: one queue per worker, filled round-robin before anything runs",
            tasks.len()
        )
    }

    /// Runs every task with dynamic scheduling and yields `(task index, result)` as the
    /// chunks come back, in completion order: the results of early chunks can be used
    /// (or shown as progress) while later ones still run. The pool takes the tasks: its
    /// feeder threads keep them while the iterator lives.
    ///
    /// Dropping the iterator early kills the workers still running a chunk, and replaces
    /// them.
    ///
    /// Errors: [`PoolError::InvalidInput`] for chunk size 0.
    pub fn imap_unordered(
        &mut self,
        tasks: Vec<Task>,
        chunksize: usize,
    ) -> Result<ImapUnordered<'_>, PoolError> {
        todo!(
            "{} tasks in chunks of {chunksize}: feeder threads (std::thread::spawn, the tasks in an Arc) send results on a channel",
            tasks.len()
        )
    }

    /// Closes every worker's input, so that each exits on its own, and reaps them; returns
    /// their exit statuses (success for healthy workers). A worker still running after a
    /// second is killed.
    pub fn shutdown(self) -> Vec<ExitStatus> {
        todo!("drop each worker's stdin, then wait for each child (Child::try_wait, then kill)")
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        // Kill every worker (Child::kill) and reap it (Child::wait): a child that is never
        // waited for stays a zombie until this process exits. Not reaping is a bug the
        // tests look for in /proc.
    }
}

/// The iterator of [`ProcessPool::imap_unordered`]: `(task index, result)` in completion
/// order.
pub struct ImapUnordered<'a> {
    // Your fields: the pool (borrowed mutably while the iterator lives), the receiving end
    // of the results channel, the feeder threads' join handles, a count of results yielded.
    _pool: PhantomData<&'a mut ProcessPool>,
}

impl ImapUnordered<'_> {
    /// Results yielded so far.
    pub fn completed(&self) -> usize {
        todo!()
    }

    /// Tasks in this run.
    pub fn total(&self) -> usize {
        todo!()
    }
}

impl Iterator for ImapUnordered<'_> {
    type Item = (usize, Result<Output, PoolError>);

    fn next(&mut self) -> Option<Self::Item> {
        todo!(
            "the next result from the channel; at the end, join the feeders and give the workers back to the pool"
        )
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        todo!("exactly the results not yielded yet")
    }
}

impl ExactSizeIterator for ImapUnordered<'_> {}

impl Drop for ImapUnordered<'_> {
    fn drop(&mut self) {
        // Dropped before the end: stop the feeders from taking new chunks, kill the workers
        // still running one (their feeders replace them), and join the feeders.
    }
}
