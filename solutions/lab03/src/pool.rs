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
// BEGIN SOLUTION
use crate::wire::{MAX_FRAME, Wire, WireError, encode_slice, read_frame};
use std::collections::VecDeque;
// END SOLUTION
use std::ffi::OsString;
use std::fmt;
// BEGIN SOLUTION
use std::io::{BufReader, Write};
use std::ops::Range;
use std::os::unix::process::ExitStatusExt;
// END SOLUTION use std::marker::PhantomData;
use std::path::PathBuf;
// BEGIN SOLUTION
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
// STUB
// use std::process::{Command, ExitStatus, Stdio};
// use std::time::Duration;
// END SOLUTION

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

    /// This very program, started with [`WORKER_FLAG`]: for a program whose `main` begins
    /// with the [`is_worker_invocation`] guard.
    ///
    /// [`WORKER_FLAG`]: crate::worker::WORKER_FLAG
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
    // BEGIN SOLUTION
    tasks.div_ceil(4 * workers.max(1)).max(1)
    // END SOLUTION todo!("ceil({tasks} / (4 * {workers})), at least 1")
}

// BEGIN SOLUTION

/// Locks a mutex, ignoring poisoning: the data behind these locks (a queue, a child handle)
/// stays consistent even if a thread panicked while holding one.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The two pipes of a running worker: its standard input and output.
struct Io {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// The chunk a worker is running, as the watchdog sees it.
struct Current {
    /// When the chunk must be done, if there is a timeout.
    deadline: Option<Instant>,
    /// Whether the watchdog killed the worker for running late.
    killed: bool,
}

/// What a worker's feeder thread shares with the calling thread, which acts as watchdog
/// (kills late workers) and which reports the pids.
struct Control {
    /// `None` while a dead worker waits to be replaced.
    child: Option<Child>,
    current: Option<Current>,
}

/// One worker: its pipes (used by one feeder thread at a time) and its control.
struct Slot {
    io: Option<Io>,
    control: Arc<Mutex<Control>>,
}

/// Starts one worker process.
fn spawn(command: &WorkerCommand) -> Result<(Child, Io), PoolError> {
    let mut child = command.to_command().spawn().map_err(|e| PoolError::Spawn {
        program: command.program.clone(),
        message: e.to_string(),
    })?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        unreachable!("both pipes were requested");
    };
    let io = Io {
        stdin,
        stdout: BufReader::with_capacity(1 << 16, stdout),
    };
    Ok((child, io))
}

/// Starts a worker for an empty slot.
fn restart(
    command: &WorkerCommand,
    io: &mut Option<Io>,
    control: &Mutex<Control>,
) -> Result<(), PoolError> {
    let (child, new_io) = spawn(command)?;
    *io = Some(new_io);
    lock(control).child = Some(child);
    Ok(())
}

/// Closes a worker's pipes, kills it if it still runs, reaps it and returns how it ended.
/// Killing a process that has already exited changes nothing: its status is the one it
/// exited with.
fn retire(io: &mut Option<Io>, control: &Mutex<Control>) -> ExitStatus {
    *io = None;
    let child = lock(control).child.take();
    match child {
        Some(mut child) => {
            let _ = child.kill();
            child
                .wait()
                .unwrap_or_else(|_| ExitStatus::from_raw(KILLED))
        }
        None => ExitStatus::from_raw(KILLED),
    }
}

/// The raw wait status "killed by SIGKILL", reported if a worker cannot be waited for.
const KILLED: i32 = 9;

/// Why a chunk came back without results.
enum Failure {
    /// The pipe closed (the worker died, or was killed) before a whole reply arrived.
    Closed,
    /// The worker answered something that is not a valid reply.
    Protocol(String),
}

/// Sends one chunk to a worker and reads its reply.
fn exchange(
    io: &mut Io,
    tasks: &[Task],
    frame: &mut Vec<u8>,
) -> Result<Vec<Result<Output, String>>, Failure> {
    // Header placeholder, payload, header patched: one write per chunk.
    frame.clear();
    frame.extend_from_slice(&[0; 4]);
    encode_slice(tasks, frame);
    let len = frame.len() - 4;
    if len > MAX_FRAME {
        // The worker would reject it: better say why here.
        return Err(Failure::Protocol(format!(
            "a chunk of {len} bytes is larger than a frame may be; use a smaller chunk size"
        )));
    }
    frame[..4].copy_from_slice(&(len as u32).to_le_bytes());
    if io.stdin.write_all(frame).is_err() {
        return Err(Failure::Closed); // a broken pipe: the worker is gone
    }
    match read_frame(&mut io.stdout, frame) {
        Ok(true) => {
            let results = Vec::<Result<Output, String>>::from_bytes(frame)
                .map_err(|e| Failure::Protocol(e.to_string()))?;
            if results.len() == tasks.len() {
                Ok(results)
            } else {
                Err(Failure::Protocol(format!(
                    "{} results for a chunk of {} tasks",
                    results.len(),
                    tasks.len()
                )))
            }
        }
        // The stream ended, or ended mid-frame: the worker died while answering.
        Ok(false)
        | Err(
            WireError::TruncatedHeader { .. }
            | WireError::TruncatedFrame { .. }
            | WireError::Io { .. },
        ) => Err(Failure::Closed),
        Err(e) => Err(Failure::Protocol(e.to_string())),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Schedule {
    /// One queue: the next chunk goes to whichever worker is free.
    Dynamic,
    /// One queue per worker, filled before anything runs.
    Static,
}

#[derive(Clone, Debug)]
struct Chunk {
    range: Range<usize>,
    /// Times this chunk has been sent before.
    attempt: u32,
}

/// The chunks waiting to be sent: one shared queue (dynamic), or one per worker (static).
struct Queues {
    schedule: Schedule,
    queues: Vec<Mutex<VecDeque<Chunk>>>,
}

impl Queues {
    fn new(
        tasks: usize,
        chunksize: usize,
        schedule: Schedule,
        workers: usize,
    ) -> Result<Self, PoolError> {
        if chunksize == 0 {
            return Err(PoolError::InvalidInput(
                "the chunk size must be at least 1".into(),
            ));
        }
        let count = match schedule {
            Schedule::Dynamic => 1,
            Schedule::Static => workers,
        };
        let mut queues: Vec<VecDeque<Chunk>> = (0..count).map(|_| VecDeque::new()).collect();
        for (i, start) in (0..tasks).step_by(chunksize).enumerate() {
            queues[i % count].push_back(Chunk {
                range: start..(start + chunksize).min(tasks),
                attempt: 0,
            });
        }
        Ok(Queues {
            schedule,
            queues: queues.into_iter().map(Mutex::new).collect(),
        })
    }

    fn queue(&self, slot: usize) -> &Mutex<VecDeque<Chunk>> {
        match self.schedule {
            Schedule::Dynamic => &self.queues[0],
            Schedule::Static => &self.queues[slot],
        }
    }
}

/// What a feeder thread needs to know about its run.
struct Feed<'r> {
    slot: usize,
    command: &'r WorkerCommand,
    config: PoolConfig,
    tasks: &'r [Task],
    queues: &'r Queues,
    stop: &'r AtomicBool,
}

/// How one chunk ended.
enum Outcome {
    /// The worker answered: one result per task of the chunk starting at `start`.
    Done {
        start: usize,
        results: Vec<Result<Output, String>>,
    },
    /// The chunk failed as a whole (its worker died, timed out or broke the protocol).
    Failed {
        range: Range<usize>,
        error: PoolError,
    },
}

impl Outcome {
    fn start(&self) -> usize {
        match self {
            Outcome::Done { start, .. } => *start,
            Outcome::Failed { range, .. } => range.start,
        }
    }

    /// The outcome as one `(task index, result)` per task.
    fn into_results(self) -> Vec<(usize, Result<Output, PoolError>)> {
        match self {
            Outcome::Done { start, results } => (start..)
                .zip(results)
                .map(|(task, r)| {
                    (
                        task,
                        r.map_err(|message| PoolError::TaskFailed { task, message }),
                    )
                })
                .collect(),
            Outcome::Failed { range, error } => range.map(|t| (t, Err(error.clone()))).collect(),
        }
    }
}

/// The feeder of one worker: takes the next chunk from its queue, sends it, waits for the
/// reply and emits the chunk's [`Outcome`], until the queue is empty. A worker that dies is
/// reaped and replaced at once; its chunk is sent again if retries remain, otherwise the
/// chunk fails.
fn feed(
    run: Feed<'_>,
    io: &mut Option<Io>,
    control: &Mutex<Control>,
    mut emit: impl FnMut(Outcome),
) {
    let mut frame = Vec::new();
    while !run.stop.load(Ordering::Relaxed) {
        let Some(mut chunk) = lock(run.queues.queue(run.slot)).pop_front() else {
            break;
        };
        let task = chunk.range.start;
        if io.is_none()
            && let Err(error) = restart(run.command, io, control)
        {
            emit(Outcome::Failed {
                range: chunk.range,
                error,
            });
            continue;
        }
        let Some(worker) = io.as_mut() else {
            unreachable!("the worker was just started")
        };
        {
            let mut control = lock(control);
            // Checked under the lock that an abandoning iterator takes to kill running
            // chunks: either it sees this chunk running, or this sees the run abandoned.
            if run.stop.load(Ordering::Relaxed) {
                break;
            }
            control.current = Some(Current {
                deadline: run
                    .config
                    .task_timeout
                    .map(|t| Instant::now() + t.saturating_mul(chunk.range.len() as u32)),
                killed: false,
            });
        }
        let reply = exchange(worker, &run.tasks[chunk.range.clone()], &mut frame);
        let killed = lock(control).current.take().is_some_and(|c| c.killed);
        let failure = match reply {
            Ok(results) => {
                emit(Outcome::Done {
                    start: task,
                    results,
                });
                if killed {
                    // Killed just after answering: the results stand, the worker is gone.
                    retire(io, control);
                    let _ = restart(run.command, io, control);
                }
                continue;
            }
            Err(failure) => failure,
        };
        let status = retire(io, control);
        // Replace the worker now, so that the pool keeps its size; if this fails, the next
        // chunk tries again.
        let _ = restart(run.command, io, control);
        let error = match failure {
            Failure::Protocol(message) => PoolError::Protocol { task, message },
            Failure::Closed if killed => PoolError::TimedOut {
                task,
                timeout: run.config.task_timeout.unwrap_or_default(),
            },
            Failure::Closed => PoolError::WorkerDied { task, status },
        };
        let retry =
            !matches!(error, PoolError::Protocol { .. }) && chunk.attempt < run.config.retries;
        if retry {
            chunk.attempt += 1;
            lock(run.queues.queue(run.slot)).push_front(chunk);
        } else {
            emit(Outcome::Failed {
                range: chunk.range,
                error,
            });
        }
    }
}

/// The watchdog: kills every worker past its deadline. Returns the earliest deadline still
/// to come, if any.
fn watch<'c>(controls: impl Iterator<Item = &'c Mutex<Control>>) -> Option<Instant> {
    let now = Instant::now();
    let mut next: Option<Instant> = None;
    for control in controls {
        let mut guard = lock(control);
        let Control { child, current } = &mut *guard;
        let Some(current) = current else { continue };
        let Some(deadline) = current.deadline else {
            continue;
        };
        if current.killed {
            continue;
        }
        if deadline <= now {
            current.killed = true;
            if let Some(child) = child {
                // The feeder sees the pipe close and reports the timeout.
                let _ = child.kill();
            }
        } else {
            next = Some(next.map_or(deadline, |n| n.min(deadline)));
        }
    }
    next
}
// END SOLUTION

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
// BEGIN SOLUTION
// END SOLUTION #[derive(Debug)]
pub struct ProcessPool {
    // BEGIN SOLUTION
    command: WorkerCommand,
    config: PoolConfig,
    slots: Vec<Slot>,
    // STUB
    // // Your fields: the worker command, the config, and per worker its `Child` and pipes.
    // // See the hints in the handout for one way to share them with feeder threads.
    // END SOLUTION
}

// BEGIN SOLUTION
impl fmt::Debug for ProcessPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPool")
            .field("command", &self.command)
            .field("config", &self.config)
            .field("pids", &self.pids())
            .finish()
    }
}
// END SOLUTION

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
        // BEGIN SOLUTION
        if workers == 0 {
            return Err(PoolError::InvalidInput(
                "a pool needs at least one worker".into(),
            ));
        }
        let mut pool = ProcessPool {
            command: worker_command,
            config,
            slots: Vec::with_capacity(workers),
        };
        for _ in 0..workers {
            // On error `pool` is dropped, which kills the workers already started.
            let (child, io) = spawn(&pool.command)?;
            pool.slots.push(Slot {
                io: Some(io),
                control: Arc::new(Mutex::new(Control {
                    child: Some(child),
                    current: None,
                })),
            });
        }
        Ok(pool)
        // STUB
        // todo!(
        //     "spawn {workers} x {worker_command:?} (to_command().spawn(), take the child's stdin and stdout) with {config:?}"
        // )
        // END SOLUTION
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        // BEGIN SOLUTION
        self.slots.len()
        // END SOLUTION todo!()
    }

    /// The process ids of the live workers, in worker order.
    pub fn pids(&self) -> Vec<u32> {
        // BEGIN SOLUTION
        self.slots
            .iter()
            .filter_map(|s| lock(&s.control).child.as_ref().map(Child::id))
            .collect()
        // END SOLUTION todo!("Child::id of each live worker")
    }

    /// The pool's failure policy.
    pub fn config(&self) -> PoolConfig {
        // BEGIN SOLUTION
        self.config
        // END SOLUTION todo!()
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
        // BEGIN SOLUTION
        self.run(tasks, chunksize, Schedule::Dynamic)
        // STUB
        // todo!(
        //     "{} tasks in chunks of {chunksize}: one shared queue of chunks, one feeder thread per worker (std::thread::scope)",
        //     tasks.len()
        // )
        // END SOLUTION
    }

    /// Like [`ProcessPool::map`], with static scheduling: chunk `i` goes to worker
    /// `i % workers`, fixed before anything runs, whatever the chunks cost. With
    /// `chunksize = ⌈n / workers⌉` each worker gets one contiguous block.
    pub fn map_static(
        &mut self,
        tasks: &[Task],
        chunksize: usize,
    ) -> Result<Vec<Output>, PoolError> {
        // BEGIN SOLUTION
        self.run(tasks, chunksize, Schedule::Static)
        // STUB
        // todo!(
        //     "{} tasks in chunks of {chunksize}: one queue per worker, filled round-robin before anything runs",
        //     tasks.len()
        // )
        // END SOLUTION
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
        // BEGIN SOLUTION
        let queues = Queues::new(tasks.len(), chunksize, Schedule::Dynamic, self.slots.len())?;
        let total = tasks.len();
        let shared = Arc::new(Shared {
            tasks,
            queues,
            command: self.command.clone(),
            config: self.config,
            stop: AtomicBool::new(false),
        });
        let (results_tx, results) = mpsc::channel();
        let feeders = self
            .slots
            .iter_mut()
            .enumerate()
            .map(|(slot, s)| {
                let mut io = s.io.take();
                let control = Arc::clone(&s.control);
                let shared = Arc::clone(&shared);
                let results_tx = results_tx.clone();
                thread::spawn(move || {
                    let run = Feed {
                        slot,
                        command: &shared.command,
                        config: shared.config,
                        tasks: &shared.tasks,
                        queues: &shared.queues,
                        stop: &shared.stop,
                    };
                    feed(run, &mut io, &control, |outcome| {
                        // The iterator may have been dropped: nobody to tell.
                        let _ = results_tx.send(outcome);
                    });
                    io
                })
            })
            .collect();
        Ok(ImapUnordered {
            pool: self,
            shared,
            results,
            pending: VecDeque::new(),
            feeders,
            yielded: 0,
            total,
        })
        // STUB
        // todo!(
        //     "{} tasks in chunks of {chunksize}: feeder threads (std::thread::spawn, the tasks in an Arc) send results on a channel",
        //     tasks.len()
        // )
        // END SOLUTION
    }

    /// Closes every worker's input, so that each exits on its own, and reaps them; returns
    /// their exit statuses (success for healthy workers). A worker still running after a
    /// second is killed.
    pub fn shutdown(mut self) -> Vec<ExitStatus> {
        // BEGIN SOLUTION
        // Close every input first, so that the workers finish in parallel.
        for slot in &mut self.slots {
            slot.io = None;
        }
        let children: Vec<Child> = self
            .slots
            .iter()
            .filter_map(|s| lock(&s.control).child.take())
            .collect();
        children
            .into_iter()
            .map(|mut child| wait_or_kill(&mut child, Duration::from_secs(1)))
            .collect()
        // STUB
        // let _ = &mut self;
        // todo!("drop each worker's stdin, then wait for each child (Child::try_wait, then kill)")
        // END SOLUTION
    }

    // BEGIN SOLUTION
    /// `map` and `map_static`: one scoped feeder thread per worker borrows the tasks; this
    /// thread waits for them, acting as the watchdog if there is a timeout.
    fn run(
        &mut self,
        tasks: &[Task],
        chunksize: usize,
        schedule: Schedule,
    ) -> Result<Vec<Output>, PoolError> {
        let queues = Queues::new(tasks.len(), chunksize, schedule, self.slots.len())?;
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let stop = AtomicBool::new(false);
        let (command, config) = (&self.command, self.config);
        let controls: Vec<Arc<Mutex<Control>>> =
            self.slots.iter().map(|s| Arc::clone(&s.control)).collect();
        let watchdog = thread::current();
        // Outcomes in the order the chunks come back.
        let outcomes = Mutex::new(Vec::new());
        thread::scope(|s| {
            let feeders: Vec<_> = self
                .slots
                .iter_mut()
                .enumerate()
                .map(|(slot, Slot { io, control })| {
                    let run = Feed {
                        slot,
                        command,
                        config,
                        tasks,
                        queues: &queues,
                        stop: &stop,
                    };
                    let (watchdog, outcomes) = (watchdog.clone(), &outcomes);
                    s.spawn(move || {
                        feed(run, io, control, |outcome| lock(outcomes).push(outcome));
                        watchdog.unpark();
                    })
                })
                .collect();
            if let Some(timeout) = config.task_timeout {
                while !feeders.iter().all(|f| f.is_finished()) {
                    let next = watch(controls.iter().map(|c| &**c))
                        .unwrap_or_else(|| Instant::now() + timeout);
                    thread::park_timeout(next.saturating_duration_since(Instant::now()));
                }
            }
        });
        let mut outcomes = outcomes
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        // Back in input order: chunks are consecutive runs of tasks.
        outcomes.sort_by_key(Outcome::start);
        collect_in_order(tasks.len(), outcomes)
    }
    // END SOLUTION
}

// BEGIN SOLUTION
/// Waits up to `grace` for `child` to exit, then kills it; returns its status.
fn wait_or_kill(child: &mut Child, grace: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if start.elapsed() < grace => thread::sleep(Duration::from_millis(1)),
            _ => {
                let _ = child.kill();
                return child
                    .wait()
                    .unwrap_or_else(|_| ExitStatus::from_raw(KILLED));
            }
        }
    }
}
// END SOLUTION

impl Drop for ProcessPool {
    fn drop(&mut self) {
        // BEGIN SOLUTION
        let mut children = Vec::new();
        for slot in &mut self.slots {
            slot.io = None;
            children.extend(lock(&slot.control).child.take());
        }
        // Kill them all first, so that they die in parallel, then reap each one: a child
        // that is never waited for stays a zombie until this process exits.
        for child in &mut children {
            let _ = child.kill();
        }
        for child in &mut children {
            let _ = child.wait();
        }
        // STUB
        // // Kill every worker (Child::kill) and reap it (Child::wait): a child that is never
        // // waited for stays a zombie until this process exits. Not reaping is a bug the
        // // tests look for in /proc.
        // END SOLUTION
    }
}

// BEGIN SOLUTION

/// Concatenates the chunks' results, which come sorted by their first task; the error of
/// the lowest-numbered failed task wins.
fn collect_in_order(n: usize, outcomes: Vec<Outcome>) -> Result<Vec<Output>, PoolError> {
    let mut outputs = Vec::with_capacity(n);
    for outcome in outcomes {
        match outcome {
            Outcome::Done { start, results } => {
                for (task, result) in (start..).zip(results) {
                    match result {
                        Ok(output) => outputs.push(output),
                        Err(message) => return Err(PoolError::TaskFailed { task, message }),
                    }
                }
            }
            Outcome::Failed { error, .. } => return Err(error),
        }
    }
    debug_assert_eq!(outputs.len(), n, "every task has a result");
    Ok(outputs)
}

/// What the feeder threads of an `imap_unordered` run share.
struct Shared {
    tasks: Vec<Task>,
    queues: Queues,
    command: WorkerCommand,
    config: PoolConfig,
    stop: AtomicBool,
}
// END SOLUTION

/// The iterator of [`ProcessPool::imap_unordered`]: `(task index, result)` in completion
/// order.
pub struct ImapUnordered<'a> {
    // BEGIN SOLUTION
    pool: &'a mut ProcessPool,
    shared: Arc<Shared>,
    results: Receiver<Outcome>,
    /// Results of a received chunk not yielded yet.
    pending: VecDeque<(usize, Result<Output, PoolError>)>,
    /// Each returns its worker's pipes when it ends.
    feeders: Vec<JoinHandle<Option<Io>>>,
    yielded: usize,
    total: usize,
    // STUB
    // // Your fields: the pool (borrowed mutably while the iterator lives), the receiving end
    // // of the results channel, the feeder threads' join handles, a count of results yielded.
    // _pool: PhantomData<&'a mut ProcessPool>,
    // END SOLUTION
}

impl ImapUnordered<'_> {
    /// Results yielded so far.
    pub fn completed(&self) -> usize {
        // BEGIN SOLUTION
        self.yielded
        // END SOLUTION todo!()
    }

    /// Tasks in this run.
    pub fn total(&self) -> usize {
        // BEGIN SOLUTION
        self.total
        // END SOLUTION todo!()
    }

    // BEGIN SOLUTION
    /// Joins the feeder threads and gives their workers back to the pool.
    fn finish(&mut self) {
        for (slot, feeder) in self.feeders.drain(..).enumerate() {
            self.pool.slots[slot].io = feeder.join().expect("a feeder thread panicked");
        }
    }
    // END SOLUTION
}

impl Iterator for ImapUnordered<'_> {
    type Item = (usize, Result<Output, PoolError>);

    fn next(&mut self) -> Option<Self::Item> {
        // BEGIN SOLUTION
        while self.yielded < self.total {
            if let Some(item) = self.pending.pop_front() {
                self.yielded += 1;
                return Some(item);
            }
            let outcome = match self.pool.config.task_timeout {
                None => self.results.recv().ok(),
                Some(timeout) => {
                    // Wake up for the earliest deadline, to kill a late worker.
                    let next = watch(self.pool.slots.iter().map(|s| &*s.control))
                        .unwrap_or_else(|| Instant::now() + timeout);
                    match self
                        .results
                        .recv_timeout(next.saturating_duration_since(Instant::now()))
                    {
                        Ok(outcome) => Some(outcome),
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => None,
                    }
                }
            };
            match outcome {
                Some(outcome) => self.pending.extend(outcome.into_results()),
                // Every feeder has ended: nothing more will come.
                None => break,
            }
        }
        self.finish();
        None
        // STUB
        // todo!(
        //     "the next result from the channel; at the end, join the feeders and give the workers back to the pool"
        // )
        // END SOLUTION
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // BEGIN SOLUTION
        let left = self.total - self.yielded;
        (left, Some(left))
        // END SOLUTION todo!("exactly the results not yielded yet")
    }
}

impl ExactSizeIterator for ImapUnordered<'_> {}

impl Drop for ImapUnordered<'_> {
    fn drop(&mut self) {
        // BEGIN SOLUTION
        if self.feeders.is_empty() {
            return;
        }
        // Abandon the run: no new chunks, and the chunks still running are killed (their
        // feeders replace the workers).
        self.shared.stop.store(true, Ordering::Relaxed);
        for slot in &self.pool.slots {
            let mut guard = lock(&slot.control);
            let Control { child, current } = &mut *guard;
            if let Some(current) = current {
                current.killed = true;
                if let Some(child) = child {
                    let _ = child.kill();
                }
            }
        }
        self.finish();
        // STUB
        // // Dropped before the end: stop the feeders from taking new chunks, kill the workers
        // // still running one (their feeders replace them), and join the feeders.
        // END SOLUTION
    }
}
