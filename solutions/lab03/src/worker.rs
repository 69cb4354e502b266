//! The worker: the program on the other end of the pipes.
//!
//! A worker reads frames on its standard input, each holding a chunk of tasks (a `Vec<Task>`, see
//! [`crate::task`]), runs the tasks one after another, and writes one frame per chunk on its
//! standard output: the `Vec<Result<Output, String>>` of their results, in order. It exits with
//! status 0 when its input ends cleanly, and with status 2 and a one-line message on standard error
//! when the input is not a valid stream of frames.
//!
//! Standard output *is* the channel: a stray `println!` in a worker corrupts the stream.
//! Debug output goes to standard error.
//!
//! Two programs can be workers: the lab's `lab03-worker` binary, and any program that calls
//! [`worker_main`] first thing in `main` when it was started with [`WORKER_FLAG`] (see
//! [`is_worker_invocation`]): the pool then re-runs the program itself, as Python's `spawn`
//! start method re-runs the main module.

// BEGIN SOLUTION
use crate::task::{Output, Task};
use crate::wire::{Wire, WireError, read_frame, write_frame};
use std::io::{self, Read, Write};
use std::panic::{self, AssertUnwindSafe};
// STUB
// use crate::wire::WireError;
// use std::io::{Read, Write};
// END SOLUTION
use std::process::ExitCode;

/// The argument that makes a program that supports it act as a worker.
pub const WORKER_FLAG: &str = "--lab03-worker";

/// The exit status of a worker given input that is not a valid stream of frames.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Serves chunks until `input` ends: reads a frame, decodes its `Vec<Task>`, runs each task,
/// writes the frame of their `Vec<Result<Output, String>>` and flushes it.
///
/// Returns `Ok(())` at a clean end of input, and the [`WireError`] of the first bad frame
/// or failed write otherwise. A task that panics becomes an `Err` result naming the panic;
/// the worker serves on.
pub fn serve<R: Read, W: Write>(mut input: R, mut output: W) -> Result<(), WireError> {
    // BEGIN SOLUTION
    let mut frame = Vec::new();
    let mut reply = Vec::new();
    while read_frame(&mut input, &mut frame)? {
        // The whole chunk is decoded before any task runs: a corrupt frame must not run the
        // tasks it happened to start with (garbage can decode as `Exit` or `Hang`).
        let tasks = Vec::<Task>::from_bytes(&frame)?;
        // The reply is a `Vec<Result<Output, String>>`, encoded as each task finishes
        // rather than collected first: one allocation less per chunk.
        reply.clear();
        (tasks.len() as u64).encode(&mut reply);
        for task in &tasks {
            run_caught(task).encode(&mut reply);
        }
        write_frame(&mut output, &reply)?;
        // The parent is waiting for this chunk: it must not sit in a buffer.
        output.flush()?;
    }
    Ok(())
    // STUB
    // let _ = (&mut input, &mut output);
    // todo!(
    //     "loop: read_frame; decode the Vec<Task> (from_bytes rejects trailing bytes); run each task with panics caught (std::panic::catch_unwind); write_frame the Vec<Result<Output, String>>; flush"
    // )
    // END SOLUTION
}

// BEGIN SOLUTION
/// Runs a task, turning a panic into an error result so that one bad task does not take
/// the worker down.
fn run_caught(task: &Task) -> Result<Output, String> {
    panic::catch_unwind(AssertUnwindSafe(|| task.run()))
        .unwrap_or_else(|payload| Err(format!("task panicked: {}", panic_message(&*payload))))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}
// END SOLUTION

/// The worker's `main`: [`serve`] on standard input and output.
///
/// Exit status 0 at the end of input; [`EXIT_BAD_INPUT`] with one line on standard error
/// (`lab03-worker: <what was wrong>`) for a bad frame. Never a panic backtrace.
pub fn worker_main() -> ExitCode {
    // BEGIN SOLUTION
    // A task's panic is reported to the parent as an error result; the default hook would
    // also print it, with a backtrace hint, to stderr. One line is enough.
    panic::set_hook(Box::new(|info| {
        eprintln!("lab03-worker: {}", info.to_string().replace('\n', " "));
    }));
    // No orphans: a worker waiting for its next chunk sees its input close when the parent
    // dies, but a worker busy with a long (or hung) task would run on after a parent killed
    // with SIGKILL. When the parent dies the worker is re-parented (to init or a
    // subreaper), so its parent id changes: then it exits.
    let parent = std::os::unix::process::parent_id();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(1);
            }
        }
    });
    match serve(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lab03-worker: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
    // STUB
    // todo!(
    //     "serve(stdin().lock(), stdout().lock()); on error print one line on stderr and return ExitCode::from(EXIT_BAD_INPUT); replace the panic hook (std::panic::set_hook) so a panicking task prints one line, not a backtrace hint"
    // )
    // END SOLUTION
}

/// Whether this process was started as a worker (its first argument is [`WORKER_FLAG`]).
///
/// The guard of the worker entry point. A program that re-runs itself as a worker must
/// check it before doing anything else, or every worker would run the program's own work,
/// start pools of its own, and so on:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     if lab03::worker::is_worker_invocation() {
///         return lab03::worker::worker_main();
///     }
///     // ... the program proper, which may start a pool of itself:
///     // ProcessPool::new(2, WorkerCommand::current_exe()?)
///     std::process::ExitCode::SUCCESS
/// }
/// ```
pub fn is_worker_invocation() -> bool {
    std::env::args_os().nth(1).is_some_and(|a| a == WORKER_FLAG)
}
