//! The sandbox student code runs in, and the supervisor process that enforces it.
//!
//! Every process that runs student code (a graded test, a timing program, and whatever they
//! start, such as lab03's workers) is started by a small supervisor: the grader's own binary
//! run as `xtask __sandbox`, which reads a [`Job`] on stdin. The supervisor
//!
//! - makes itself a *child subreaper* (`PR_SET_CHILD_SUBREAPER`), so every process the job
//!   starts is reparented to it when its own parent dies, even one that called `setsid` or
//!   left its process group; when the job ends (or times out) it kills and reaps them all and
//!   reports how many were still running;
//! - dies with the grader (`PR_SET_PDEATHSIG`), and on SIGTERM, SIGINT or SIGHUP it kills the
//!   whole tree before it exits, so nothing outlives the grader;
//! - starts the job in the sandbox, applied in the child between `fork` and `exec`: a new
//!   process group, no core dumps, an unprivileged uid when the grader runs as root, and a
//!   Landlock domain that lets it read only the system's libraries and the files the job
//!   names, execute only what the job names, write only its own folder, and neither signal
//!   nor connect (abstract UNIX sockets) to any process outside the domain;
//! - gives the job a verdict pipe as file descriptor 3 and reports whether the expected nonce
//!   arrived on it (see `scratch::wrapper_source`).
//!
//! The result goes to a file only the grader can read (the job's path is outside every rule).

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Error};
use landlock::{
    ABI, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, path_beneath_rules,
};
use serde::{Deserialize, Serialize};

/// The uid and gid student code runs as when the grader runs as root (`nobody`).
pub const SANDBOX_UID: u32 = 65534;
/// The Landlock ABI this grader asks for (Linux 6.15: filesystem, TCP, scopes, audit).
const WANTED_ABI: ABI = ABI::V7;
/// Processes (threads included) the sandbox uid may have at once: a fork bomb stops here.
const SANDBOX_NPROC: u64 = 4096;
/// The verdict pipe's descriptor number in the job.
pub const VERDICT_FD: i32 = 3;
/// System folders a job may read and execute from (those that exist).
const SYSTEM_READ: &[&str] = &[
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys",
];
/// Devices a job may read and write.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
];

/// What isolation this machine gives student code, measured once per grading run.
#[derive(Clone, Debug, Serialize)]
pub struct Isolation {
    /// The Landlock ABI the kernel offers (0: none).
    pub landlock_abi: i32,
    /// The uid student code runs as, when it differs from the grader's.
    pub uid: Option<u32>,
    /// Why student code runs as the grader's own uid, when the grader is root.
    pub uid_note: Option<String>,
    /// Whether the supervisor can be a child subreaper (Linux 3.4+).
    pub subreaper: bool,
    /// `--trusted`: the instructor accepts whatever is missing.
    pub trusted: bool,
}

impl Isolation {
    /// Measures what the kernel and the grader's privileges allow. `paths` are the folders
    /// student code must reach; when one of them cannot be traversed by the unprivileged uid,
    /// student code runs as the grader's uid (and the report says so).
    pub fn detect(trusted: bool, paths: &[&Path]) -> Isolation {
        let abi = landlock_abi();
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        let (uid, uid_note) = if !root {
            (None, None)
        } else {
            match paths.iter().find_map(|p| untraversable(p)) {
                None => (Some(SANDBOX_UID), None),
                Some(dir) => (
                    None,
                    Some(format!(
                        "student code runs as root because uid {SANDBOX_UID} cannot reach {} (chmod o+x it)",
                        dir.display()
                    )),
                ),
            }
        };
        Isolation {
            landlock_abi: abi,
            uid,
            uid_note,
            subreaper: true,
            trusted,
        }
    }

    /// One line for every report: "landlock ABI 7 (files, signals, sockets), uid 65534, subreaper".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        parts.push(match self.landlock_abi {
            0 => "no landlock (student code can read and write what the grader can)".to_string(),
            1..=5 => format!(
                "landlock ABI {} (files; signals not scoped)",
                self.landlock_abi
            ),
            n => format!("landlock ABI {n} (files, signals, abstract sockets)"),
        });
        parts.push(match (self.uid, &self.uid_note) {
            (Some(uid), _) => format!("unprivileged uid {uid}"),
            (None, Some(note)) => note.clone(),
            (None, None) => "the grader's own uid (not root)".to_string(),
        });
        if self.subreaper {
            parts.push("subreaper (no process outlives its test)".into());
        }
        if self.trusted && !self.shortfalls().is_empty() {
            parts.push("--trusted".into());
        }
        parts.join(", ")
    }

    /// What is missing from full isolation, one sentence each.
    pub fn shortfalls(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.landlock_abi < 1 {
            missing.push("the kernel has no Landlock: student code can read the solutions and hidden tests, and write anything the grader can".into());
        } else if self.landlock_abi < 6 && self.uid.is_none() {
            missing.push(format!(
                "Landlock ABI {} cannot scope signals and student code runs as the grader's uid: it can signal the grader",
                self.landlock_abi
            ));
        }
        if let Some(note) = &self.uid_note {
            missing.push(note.clone());
        }
        if self.uid.is_none() {
            missing.push("student code runs as the grader's own uid, so it could read its test binary and forge a pass; run the grader as root (student code then runs as uid 65534)".into());
        }
        missing
    }
}

/// The kernel's Landlock ABI version, 0 when Landlock is missing or disabled.
pub fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute and size 0 this call only returns the ABI version.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if v < 0 { 0 } else { v as i32 }
}

/// The first folder on the way to `path` (itself included) that others cannot search.
fn untraversable(path: &Path) -> Option<PathBuf> {
    let mut dir = Some(path);
    while let Some(d) = dir {
        if let Ok(meta) = fs::metadata(d)
            && meta.is_dir()
            && meta.permissions().mode() & 0o001 == 0
        {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// A program to run in the sandbox, as the grader hands it to the supervisor.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Job {
    /// The program (its path is made executable in the sandbox).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working folder: also its only writable folder, with `write`.
    pub cwd: PathBuf,
    /// Its whole environment.
    pub env: Vec<(String, String)>,
    /// Files and folders it may also read (and execute).
    pub read: Vec<PathBuf>,
    /// Files it may execute (the lab's binaries, the test binary).
    pub exec: Vec<PathBuf>,
    /// Folders it may write (its own folder).
    pub write: Vec<PathBuf>,
    /// Wall-clock limit.
    pub timeout_ms: u64,
    /// Run as this uid and gid (the grader is root).
    pub uid: Option<u32>,
    /// Apply Landlock (false only when the kernel has none).
    pub landlock: bool,
    /// The nonce a passing graded test writes to descriptor 3.
    pub nonce: Option<String>,
    /// Where the supervisor writes its [`JobResult`].
    pub result: PathBuf,
}

/// What the supervisor saw.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JobResult {
    /// Exit code, when the job exited.
    pub code: Option<i32>,
    /// Signal, when the job was killed by one.
    pub signal: Option<i32>,
    /// It ran past its limit and was killed.
    pub timed_out: bool,
    /// The nonce arrived on the verdict pipe.
    pub verdict: bool,
    /// Processes the job left running when it ended (all killed).
    pub leftovers: usize,
    /// Wall time of the job.
    pub elapsed_us: u64,
    /// The supervisor could not run the job (a grader error, not the student's).
    pub error: Option<String>,
    /// The supervisor was told to stop (the grader was interrupted).
    pub interrupted: bool,
}

impl JobResult {
    /// True when the job exited with status 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// How the job ended, in words.
    pub fn describe(&self) -> String {
        match (self.code, self.signal) {
            (Some(code), _) => format!("exit code {code}"),
            (None, Some(sig)) => crate::util::describe_signal(sig),
            (None, None) => "ended without an exit code".into(),
        }
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// `xtask __sandbox`: reads a [`Job`] on stdin, runs it, writes its result. Returns the exit
/// code of the supervisor itself (0 once the result is written).
pub fn supervise_stdin() -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("parlab-sandbox: cannot read the job: {e}");
        return 3;
    }
    let job: Job = match serde_json::from_str(&text) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("parlab-sandbox: bad job: {e}");
            return 3;
        }
    };
    let result = supervise(&job).unwrap_or_else(|e| JobResult {
        error: Some(format!("{e:#}")),
        ..JobResult::default()
    });
    match serde_json::to_vec(&result)
        .map_err(std::io::Error::other)
        .and_then(|bytes| fs::write(&job.result, bytes))
    {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("parlab-sandbox: cannot write {}: {e}", job.result.display());
            3
        }
    }
}

fn supervise(job: &Job) -> Result<JobResult, Error> {
    let parent = std::os::unix::process::parent_id();
    // SAFETY: prctl and signal with constant arguments; the handler only stores an atomic.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0);
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::signal(sig, on_stop as *const () as libc::sighandler_t);
        }
    }
    if std::os::unix::process::parent_id() != parent {
        // The grader died before PDEATHSIG was armed.
        return Ok(JobResult {
            interrupted: true,
            ..JobResult::default()
        });
    }
    let ruleset = if job.landlock {
        Some(ruleset(job)?)
    } else {
        None
    };
    let (mut verdict_r, verdict_w) = std::io::pipe().context("creating the verdict pipe")?;
    let verdict_fd = verdict_w.as_raw_fd();
    let ruleset_fd = ruleset.as_ref().map(|fd| fd.as_raw_fd());
    let uid = job.uid;
    let mut cmd = Command::new(&job.program);
    cmd.args(&job.args)
        .current_dir(&job.cwd)
        .env_clear()
        .envs(job.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .process_group(0);
    // SAFETY: between fork and exec the closure makes only async-signal-safe system calls
    // (setrlimit, setgroups, setgid, setuid, prctl, landlock_restrict_self, dup2, fcntl) on
    // values prepared before the fork; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let limit = |res, n: u64| {
                let l = libc::rlimit {
                    rlim_cur: n,
                    rlim_max: n,
                };
                libc::setrlimit(res, &l)
            };
            limit(libc::RLIMIT_CORE, 0);
            if let Some(uid) = uid {
                limit(libc::RLIMIT_NPROC, SANDBOX_NPROC);
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(uid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(fd) = ruleset_fd
                && (libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                    || libc::syscall(libc::SYS_landlock_restrict_self, fd, 0) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            if verdict_fd == VERDICT_FD {
                libc::fcntl(VERDICT_FD, libc::F_SETFD, 0);
            } else if libc::dup2(verdict_fd, VERDICT_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Block the signals the loop below waits for; the child's mask is reset by std.
    let set = signal_set(&[libc::SIGCHLD, libc::SIGTERM, libc::SIGINT, libc::SIGHUP]);
    // SAFETY: a valid, initialised signal set.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    let start = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {} in the sandbox", job.program.display()))?;
    drop(cmd);
    drop(verdict_w);
    drop(ruleset);
    let pid = child.id() as i32;
    // The child is reaped with waitpid below, never through `child`.
    std::mem::forget(child);
    let reader = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = verdict_r.read(&mut buf) {
            if kept.len() < 4096 {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        kept
    });
    let mut result = JobResult::default();
    let deadline = start + Duration::from_millis(job.timeout_ms);
    loop {
        if STOP.load(Ordering::SeqCst) {
            result.interrupted = true;
            break;
        }
        if let Some(status) = reap(Some(pid)) {
            record(&mut result, status);
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            result.timed_out = true;
            break;
        }
        wait_signal(&set, deadline - now);
    }
    result.elapsed_us = start.elapsed().as_micros() as u64;
    // Once the job has exited, everything it left running is already this subreaper's
    // child: count them before the group kill below turns some of them into zombies.
    let me = std::process::id() as i32;
    let running: BTreeSet<i32> = children_of(me)
        .into_iter()
        .filter(|&(p, zombie)| !zombie && p != pid)
        .map(|(p, _)| p)
        .collect();
    // SAFETY: kill with a negative pid signals the job's process group.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    result.leftovers = kill_tree(pid, running);
    if result.code.is_none() && result.signal.is_none() && !result.timed_out {
        result.interrupted = true;
    }
    let verdict = reader.join().unwrap_or_default();
    if let Some(nonce) = &job.nonce {
        result.verdict = verdict
            .split(|&b| b == b'\n')
            .any(|line| line == nonce.as_bytes());
    }
    Ok(result)
}

fn record(result: &mut JobResult, status: libc::c_int) {
    if libc::WIFEXITED(status) {
        result.code = Some(libc::WEXITSTATUS(status));
    } else if libc::WIFSIGNALED(status) {
        result.signal = Some(libc::WTERMSIG(status));
    }
}

fn signal_set(signals: &[libc::c_int]) -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set before sigaddset reads it.
    unsafe {
        let mut set = std::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// Sleeps until one of the blocked signals arrives or `timeout` passes.
fn wait_signal(set: &libc::sigset_t, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: valid set and timespec; the signal information is not needed.
    let sig = unsafe { libc::sigtimedwait(set, std::ptr::null_mut(), &ts) };
    if sig == libc::SIGTERM || sig == libc::SIGINT || sig == libc::SIGHUP {
        STOP.store(true, Ordering::SeqCst);
    }
}

/// Reaps exited children without blocking; returns the status of `main` once it is reaped.
fn reap(main: Option<i32>) -> Option<libc::c_int> {
    let mut found = None;
    loop {
        let mut status = 0;
        // SAFETY: waitpid with WNOHANG and a valid status pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return found;
        }
        if Some(pid) == main {
            found = Some(status);
        }
    }
}

/// Kills every process below this supervisor (reparented to it, as subreaper, when their
/// own parents die) until none is left; returns how many were still running, `main` aside,
/// counting those already seen in `running`.
fn kill_tree(main: i32, mut running: BTreeSet<i32>) -> usize {
    let me = std::process::id() as i32;
    for _ in 0..100_000 {
        let kids = children_of(me);
        if kids.is_empty() {
            reap(None);
            // SAFETY: waitpid with WNOHANG; ECHILD means no child is left at all.
            let none_left = unsafe {
                libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) < 0
                    && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD)
            };
            if none_left {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        for (pid, zombie) in kids {
            if !zombie && pid != main {
                running.insert(pid);
            }
            // SAFETY: kill(2) on a child of this process (or its group).
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        reap(None);
    }
    running.len()
}

/// Children of `parent` from `/proc`: (pid, is a zombie).
fn children_of(parent: i32) -> Vec<(i32, bool)> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            let rest = &stat[stat.rfind(')')? + 2..];
            let mut fields = rest.split(' ');
            let state = fields.next()?;
            let ppid: i32 = fields.next()?.parse().ok()?;
            (ppid == parent).then_some((pid, state == "Z"))
        })
        .collect()
}

/// The job's Landlock ruleset, created (not yet enforced).
fn ruleset(job: &Job) -> Result<OwnedFd, Error> {
    let err = |e: landlock::RulesetError| Error::new(e).context("creating the Landlock ruleset");
    let abi = WANTED_ABI;
    let existing = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
        paths.into_iter().filter(|p| p.exists()).collect()
    };
    let mut read: Vec<PathBuf> = SYSTEM_READ.iter().map(PathBuf::from).collect();
    read.extend(job.read.iter().cloned());
    let mut exec = job.exec.clone();
    exec.push(job.program.clone());
    let created = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .map_err(err)?
        .scope(Scope::Signal | Scope::AbstractUnixSocket)
        .map_err(err)?
        .create()
        .map_err(err)?
        .add_rules(path_beneath_rules(existing(read), AccessFs::from_read(abi)))
        .map_err(err)?
        // Landlock checks an exec as an open for reading and executing: both rights are
        // needed. What keeps a test binary's nonce from student code is the file's mode
        // (0711, owned by root, while the job runs as the sandbox uid).
        .add_rules(path_beneath_rules(
            existing(exec),
            AccessFs::Execute | AccessFs::ReadFile,
        ))
        .map_err(err)?
        .add_rules(path_beneath_rules(
            DEVICES.iter().map(PathBuf::from).filter(|p| p.exists()),
            AccessFs::ReadFile | AccessFs::WriteFile,
        ))
        .map_err(err)?
        .add_rules(path_beneath_rules(
            existing(job.write.clone()),
            AccessFs::from_all(abi),
        ))
        .map_err(err)?;
    Option::<OwnedFd>::from(created)
        .context("creating the Landlock ruleset: the kernel returned none")
}

/// Runs `job` under a supervisor (this binary, `__sandbox`): the supervisor's result and the
/// job's merged, capped output. The supervisor's own deadline is the job's plus a grace.
pub fn run(job: &Job) -> Result<(JobResult, crate::util::CappedOutput), Error> {
    let _ = fs::remove_file(&job.result);
    // The grader's own image, resolved in the child: still the right program when a build
    // has replaced the file since the grader started (`check` runs `cargo test`).
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg("__sandbox");
    let input = serde_json::to_vec(job).context("encoding the sandbox job")?;
    let grace = Duration::from_secs(20);
    let done = crate::util::run_capped(cmd, &input, Duration::from_millis(job.timeout_ms) + grace)?;
    let text = fs::read(&job.result).with_context(|| {
        format!(
            "the sandbox supervisor wrote no result ({}): reading {}",
            match &done.outcome {
                crate::util::Outcome::Exited(s) => crate::util::describe_status(s),
                crate::util::Outcome::TimedOut => "it hung".into(),
            },
            job.result.display()
        )
    })?;
    let _ = fs::remove_file(&job.result);
    let result: JobResult = serde_json::from_slice(&text)
        .with_context(|| format!("bad sandbox result in {}", job.result.display()))?;
    if let Some(e) = &result.error {
        return Err(Error::msg(e.clone()));
    }
    Ok((result, done.output))
}

/// Creates `dir` afresh (removing what an earlier run left), owned by the sandbox uid when
/// there is one, private to it.
pub fn fresh_dir(dir: &Path, uid: Option<u32>) -> Result<(), Error> {
    let made = (|| {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        fs::create_dir_all(dir.join("tmp"))?;
        if let Some(uid) = uid {
            for d in [dir.to_path_buf(), dir.join("tmp")] {
                std::os::unix::fs::chown(&d, Some(uid), Some(uid))?;
            }
        }
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
    })();
    made.with_context(|| format!("making the fresh folder {}", dir.display()))
}

/// Writes `bytes` to a new file `path` that others may execute but not read (nor its owner,
/// when the grader is not root and student code runs as that owner: it could still `chmod`
/// the file back, which the report's isolation line says).
pub fn write_exec_only(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let _ = fs::remove_file(path);
    // SAFETY: geteuid has no preconditions.
    let mode = if unsafe { libc::geteuid() } == 0 {
        0o711
    } else {
        0o111
    };
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(mode)))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_what_is_in_force() {
        let iso = Isolation {
            landlock_abi: 7,
            uid: Some(SANDBOX_UID),
            uid_note: None,
            subreaper: true,
            trusted: false,
        };
        assert_eq!(
            iso.describe(),
            "landlock ABI 7 (files, signals, abstract sockets), unprivileged uid 65534, subreaper (no process outlives its test)"
        );
        assert!(iso.shortfalls().is_empty());
        let weak = Isolation {
            landlock_abi: 0,
            uid: None,
            uid_note: None,
            subreaper: true,
            trusted: true,
        };
        assert_eq!(weak.shortfalls().len(), 2);
        assert!(weak.describe().contains("no landlock") && weak.describe().contains("--trusted"));
    }

    #[test]
    fn finds_the_folder_others_cannot_search() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("a/b");
        fs::create_dir_all(&inner).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(untraversable(&inner).as_deref(), Some(dir.path()));
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(untraversable(&inner), None);
    }
}
