//! Task 8: debugging parallel code. A log whose lines stay whole and say which worker
//! wrote them.
//!
//! A debugger stops one thread while the others run on, and a `println!` in a worker
//! changes the timing it is meant to observe; the lecture's strategies are to start with
//! one worker, test with small data, and log with a worker id. Each [`Logger::log`] call
//! writes one complete line, `[worker 3] message`, to a shared writer: the lines of several
//! threads then come out whole, and each says whose it is, so a log can be sorted by
//! worker and read as one story per thread.
//!
//! [`TornLogger`] (given, and wrong on purpose) writes each line in two locked writes, the
//! prefix and then the message, as `eprint!` followed by `eprintln!` does: another
//! thread's line can land in between.

use std::io::{self, Write};
// BEGIN SOLUTION
// STUB
// use std::marker::PhantomData;
// END SOLUTION

use crate::sync::parking_lot::Mutex;

/// A log shared by threads (`&Logger` or `Arc<Logger>`): every [`log`](Logger::log) call
/// writes one whole line `[worker {worker}] {message}\n` to the writer, never interleaved
/// with another thread's line, and the lines of one worker come out in the order it logged
/// them.
#[derive(Debug)]
pub struct Logger<W> {
    // BEGIN SOLUTION
    out: Mutex<W>,
    // STUB
    // // Replace with your fields.
    // _out: PhantomData<W>,
    // END SOLUTION
}

impl<W: Write> Logger<W> {
    /// A logger writing to `out` (a file, `std::io::stderr()`, a `Vec<u8>` in a test).
    pub fn new(out: W) -> Self {
        // BEGIN SOLUTION
        Self {
            out: Mutex::new(out),
        }
        // STUB
        // let _ = out;
        // todo!("Logger::new: the writer behind a crate::sync::parking_lot::Mutex")
        // END SOLUTION
    }

    /// Writes `[worker {worker}] {message}` and a newline as **one** `write_all` while
    /// holding the lock, so that no other thread's bytes can come between the prefix, the
    /// message and the newline, however many `write` calls the writer needs for them. Use
    /// [`crate::sync::parking_lot::Mutex`], so that loom can check it.
    ///
    /// # Errors
    /// An `io::ErrorKind::InvalidInput` error naming the worker, writing nothing, if
    /// `message` contains a line break (`\n` or `\r`): one call, one line. The writer's
    /// error, as it is, if writing fails; the logger stays usable.
    pub fn log(&self, worker: usize, message: &str) -> io::Result<()> {
        // BEGIN SOLUTION
        if let Some(at) = message.find(['\n', '\r']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the log message of worker {worker} has a line break at byte {at}: \
                     log one line per call"
                ),
            ));
        }
        // The line is built before the lock is taken (formatting is the slow part), then
        // written in one call under the lock: write_all loops over short writes, all of
        // them while this thread holds the lock.
        let line = format!("[worker {worker}] {message}\n");
        self.out.lock().write_all(line.as_bytes())
        // END SOLUTION todo!("Logger::log(worker = {worker}, message = {message:?}): refuse a line break, then format the whole line and write_all it under the lock")
    }

    /// The writer, once every thread is done with the logger.
    pub fn into_inner(self) -> W {
        // BEGIN SOLUTION
        self.out.into_inner()
        // END SOLUTION todo!("Logger::into_inner: take the writer out of the mutex")
    }
}

/// A logger with [`Logger`]'s interface that writes the prefix `[worker {worker}] ` and
/// then the message and its newline under **two** acquisitions of its lock, as
/// `eprint!("[worker {w}] "); eprintln!("{msg}");` does: each write is whole, but another
/// thread may write its own prefix in between, giving `[worker 0] [worker 1] b` and a line
/// `a` of nobody's. Given, and wrong on purpose: `tests/loom.rs` shows loom finding the
/// interleaving.
#[derive(Debug)]
pub struct TornLogger<W> {
    out: Mutex<W>,
}

impl<W: Write> TornLogger<W> {
    /// A torn logger writing to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out: Mutex::new(out),
        }
    }

    /// Writes the prefix, releases the lock, then writes the message and a newline.
    ///
    /// # Errors
    /// The writer's error if writing fails.
    pub fn log(&self, worker: usize, message: &str) -> io::Result<()> {
        self.out
            .lock()
            .write_all(format!("[worker {worker}] ").as_bytes())?;
        self.out.lock().write_all(format!("{message}\n").as_bytes())
    }

    /// The writer.
    pub fn into_inner(self) -> W {
        self.out.into_inner()
    }
}
