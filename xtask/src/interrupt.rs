//! Stopping the grader cleanly: on Ctrl-C (SIGINT), SIGTERM or SIGHUP every process the
//! grader started is stopped, the report of what was graded so far is written, and the
//! grader exits non-zero.
//!
//! The signals are blocked in every thread (the mask is set before any thread starts) and a
//! dedicated thread waits for them with `sigwait`, so no code runs in a signal handler. The
//! processes to stop are registered by `util::run_capped` and `util::run_full` while they
//! run: each leads its own process group. Cargo's groups are killed outright; the sandbox
//! supervisors are sent SIGTERM, and kill the student processes they watch before exiting.
//! A second signal exits at once.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static SIGNAL: AtomicI32 = AtomicI32::new(0);
static RUNNING: Mutex<BTreeMap<i32, Stop>> = Mutex::new(BTreeMap::new());

/// How a registered process group is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGKILL to the whole group (cargo and rustc).
    Kill,
    /// SIGTERM to the leader, a sandbox supervisor that cleans up after itself.
    Terminate,
}

/// Blocks SIGINT, SIGTERM and SIGHUP and starts the thread that handles them. Call it first
/// in `main`, before any other thread exists.
pub fn install() {
    let set = stop_signals();
    // SAFETY: a valid, initialised signal set; only the calling thread's mask changes, and
    // every thread started later inherits it.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    std::thread::spawn(move || {
        loop {
            let mut sig = 0;
            // SAFETY: a valid set and output pointer.
            if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                continue;
            }
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                eprintln!("\nsecond signal: exiting now");
                stop_all();
                std::process::exit(128 + sig);
            }
            SIGNAL.store(sig, Ordering::SeqCst);
            eprintln!(
                "\n{}: stopping every process the grader started, then writing the report of what was graded so far",
                name(sig)
            );
            stop_all();
        }
    });
}

fn stop_signals() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set before sigaddset uses it.
    unsafe {
        let mut set = std::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

fn stop_all() {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    for (&pgid, &how) in running.iter() {
        // SAFETY: kill(2) on a process group (or its leader) this grader started.
        unsafe {
            match how {
                Stop::Kill => libc::kill(-pgid, libc::SIGKILL),
                Stop::Terminate => libc::kill(pgid, libc::SIGTERM),
            };
        }
    }
}

fn name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "interrupted (SIGINT)",
        libc::SIGTERM => "terminated (SIGTERM)",
        libc::SIGHUP => "hung up (SIGHUP)",
        _ => "signal",
    }
}

/// Whether the grader was told to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The exit code for an interrupted grader: 128 + the signal.
pub fn exit_code() -> u8 {
    (128 + SIGNAL.load(Ordering::SeqCst).clamp(0, 127)) as u8
}

/// A running process group, stopped by [`install`]'s thread on a signal; unregistered on drop.
pub struct Registered(i32);

/// Registers the process group led by `pgid`. If the grader is already stopping, the group
/// is stopped at once.
pub fn register(pgid: i32, how: Stop) -> Registered {
    RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pgid, how);
    if interrupted() {
        stop_all();
    }
    Registered(pgid)
}

impl Drop for Registered {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.0);
    }
}
