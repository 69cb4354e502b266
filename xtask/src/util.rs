//! Running a child process the way the grader must: in its own process group, with a
//! deadline, with its output capped, and with every process it left behind killed; and the
//! file operations the grader uses most, with errors that name their file.
//!
//! Errors are `anyhow`'s throughout the grader: every one that comes from a file or a
//! command says which (`with_context`), and is shown with its causes (`{e:#}`, not `{e}`,
//! which shows only the outermost context).

use std::fs;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Error};

/// Bytes of a child's output kept: the first `HEAD` and the last `TAIL`.
const HEAD: usize = 48 * 1024;
const TAIL: usize = 16 * 1024;

/// Output kept from a child: head and tail, with the middle dropped beyond 64 KiB.
#[derive(Debug, Default)]
pub struct CappedOutput {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: u64,
}

impl CappedOutput {
    fn push(&mut self, bytes: &[u8]) {
        let room = HEAD.saturating_sub(self.head.len());
        let (first, rest) = bytes.split_at(room.min(bytes.len()));
        self.head.extend_from_slice(first);
        let rest = &rest[rest.len().saturating_sub(TAIL)..];
        let overflow = (self.tail.len() + rest.len()).saturating_sub(TAIL);
        self.tail.drain(..overflow);
        self.dropped += (bytes.len() - first.len() - rest.len() + overflow) as u64;
        self.tail.extend(rest);
    }

    /// The kept text, with a marker where bytes were dropped.
    pub fn text(&self) -> String {
        let mut s = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            s.push_str(&format!(
                "\n[... {} bytes of output dropped ...]\n",
                self.dropped
            ));
        }
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        s.push_str(&String::from_utf8_lossy(&tail));
        s
    }
}

/// How a child ended.
#[derive(Debug)]
pub enum Outcome {
    /// It exited or was killed by a signal on its own.
    Exited(ExitStatus),
    /// It ran past its deadline and was killed with its whole process group.
    TimedOut,
}

/// A finished child: how it ended, its merged stdout and stderr, and how long it ran.
#[derive(Debug)]
pub struct Finished {
    /// Exit status or timeout.
    pub outcome: Outcome,
    /// stdout and stderr interleaved as the child wrote them, capped.
    pub output: CappedOutput,
}

impl Finished {
    /// True when the child exited with status 0.
    #[cfg(test)]
    fn success(&self) -> bool {
        matches!(&self.outcome, Outcome::Exited(s) if s.success())
    }
}

/// Runs `cmd` to completion or until `timeout`, feeding it `stdin`.
///
/// The child leads a new process group, so on timeout (and after it exits, for anything it
/// left running) the whole group is killed: a student's worker processes, deadlocked threads
/// or forgotten children cannot outlive their test.
pub fn run_capped(mut cmd: Command, stdin: &[u8], timeout: Duration) -> Result<Finished, Error> {
    let what = describe_command(&cmd);
    let pipe = || format!("creating the output pipe of {what}");
    let (reader, writer) = std::io::pipe().with_context(pipe)?;
    cmd.stdin(Stdio::piped())
        .stdout(writer.try_clone().with_context(pipe)?)
        .stderr(writer)
        .process_group(0);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            // No core dumps from crashing student code: they are slow and fill the disk.
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("running {what}"))?;
    let _registered =
        crate::interrupt::register(child.id() as i32, crate::interrupt::Stop::Terminate);
    // The command (holding the pipe's write ends) must be dropped, or the reader never
    // sees end-of-file.
    drop(cmd);
    if let Some(mut pipe) = child.stdin.take() {
        use std::io::Write;
        // A child that never reads its stdin is fine: ignore a broken pipe.
        let _ = pipe.write_all(stdin);
    }
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = reader;
        let mut out = CappedOutput::default();
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.push(&buf[..n]),
            }
        }
        let _ = done_tx.send(out);
    });
    let outcome =
        wait_deadline(&mut child, start, timeout).with_context(|| format!("waiting for {what}"))?;
    // A process that escaped the group may still hold the pipe open: do not wait for it.
    let output = done_rx
        .recv_timeout(Duration::from_secs(2))
        .unwrap_or_default();
    Ok(Finished { outcome, output })
}

/// Waits for `child` until `start + timeout`, killing its process group on timeout; once it
/// has ended, anything it left running in its group is killed too.
fn wait_deadline(child: &mut Child, start: Instant, timeout: Duration) -> std::io::Result<Outcome> {
    let pgid = child.id() as i32;
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Outcome::Exited(status),
            Ok(None) if start.elapsed() < timeout => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                kill_group(pgid);
                let _ = child.wait();
                break Outcome::TimedOut;
            }
            Err(e) => {
                kill_group(pgid);
                let _ = child.wait();
                return Err(e);
            }
        }
    };
    kill_group(pgid);
    Ok(outcome)
}

/// The full stdout of a command (cargo's JSON messages), its stderr and how it ended.
#[derive(Debug)]
pub struct FullOutput {
    /// Exit status or timeout.
    pub outcome: Outcome,
    /// Everything written to stdout.
    pub stdout: String,
    /// stderr, capped.
    pub stderr: String,
}

/// Runs `cmd` (cargo) with a deadline, keeping all of stdout and a capped stderr.
pub fn run_full(cmd: Command, timeout: Duration) -> Result<FullOutput, Error> {
    run_full_lines(cmd, timeout, |_| {})
}

/// [`run_full`], showing each line of stdout to `on_line` as it comes (cargo's JSON
/// messages: what compiles now, for the status line).
pub fn run_full_lines(
    mut cmd: Command,
    timeout: Duration,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> Result<FullOutput, Error> {
    let what = describe_command(&cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("running {what}"))?;
    let _registered = crate::interrupt::register(child.id() as i32, crate::interrupt::Stop::Kill);
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out = thread::spawn(move || {
        use std::io::BufRead;
        let mut s = Vec::new();
        let mut reader = std::io::BufReader::new(&mut stdout);
        loop {
            let start = s.len();
            match reader.read_until(b'\n', &mut s) {
                Ok(0) | Err(_) => break,
                Ok(_) => on_line(&String::from_utf8_lossy(&s[start..])),
            }
        }
        String::from_utf8_lossy(&s).into_owned()
    });
    let err = thread::spawn(move || {
        let mut capped = CappedOutput::default();
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = stderr.read(&mut buf) {
            capped.push(&buf[..n]);
        }
        capped.text()
    });
    let outcome =
        wait_deadline(&mut child, start, timeout).with_context(|| format!("waiting for {what}"))?;
    Ok(FullOutput {
        outcome,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// A command as error messages name it: `` `program arg...` in DIR ``.
pub fn describe_command(cmd: &Command) -> String {
    let mut s = format!("`{}", cmd.get_program().to_string_lossy());
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s.push('`');
    if let Some(dir) = cmd.get_current_dir() {
        s.push_str(&format!(" in {}", dir.display()));
    }
    s
}

fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// A short description of how a process ended.
pub fn describe_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    match status.signal() {
        Some(sig) => describe_signal(sig),
        None => "ended without an exit code".into(),
    }
}

/// How a process killed by signal `sig` ended, in words.
pub fn describe_signal(sig: i32) -> String {
    match sig {
        libc::SIGABRT => "killed by SIGABRT (abort)".into(),
        libc::SIGSEGV => "killed by SIGSEGV (segmentation fault)".into(),
        libc::SIGKILL => "killed by SIGKILL".into(),
        libc::SIGBUS => "killed by SIGBUS".into(),
        libc::SIGILL => "killed by SIGILL".into(),
        sig => format!("killed by signal {sig}"),
    }
}

/// `fs::read`, with an error that names the file.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// `fs::read_to_string`, with an error that names the file.
pub fn read_to_string(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// The TOML file `path`, parsed as a `T`.
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    toml::from_str(&read_to_string(path)?).with_context(|| format!("parsing {}", path.display()))
}

/// `fs::write`, with an error that names the file.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// `fs::create_dir_all`, with an error that names the folder.
pub fn create_dir_all(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// `fs::remove_dir_all`, with an error that names the folder.
pub fn remove_dir_all(dir: &Path) -> Result<(), Error> {
    fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))
}

/// `len` random lowercase hex digits from the kernel's generator.
pub fn random_hex(len: usize) -> Result<String, Error> {
    let mut bytes = vec![0u8; len.div_ceil(2)];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    let mut hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hex.truncate(len);
    Ok(hex)
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[... truncated ...]", &s[..end])
}

/// Every file under `dir` (anything that is not a folder, links included), relative to it and
/// sorted; none when `dir` does not exist.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        let dir = root.join(rel);
        let reading = || format!("reading {}", dir.display());
        for entry in fs::read_dir(&dir).with_context(reading)? {
            let entry = entry.with_context(reading)?;
            let rel = rel.join(entry.file_name());
            if entry.file_type().with_context(reading)?.is_dir() {
                walk(root, &rel, out)?;
            } else {
                out.push(rel);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    if dir.is_dir() {
        walk(dir, Path::new(""), &mut files)?;
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        cmd
    }

    #[test]
    fn captures_merged_output_and_status() {
        let done = run_capped(
            sh("echo out; echo err >&2; exit 3"),
            b"",
            Duration::from_secs(10),
        )
        .unwrap();
        let text = done.output.text();
        assert!(text.contains("out") && text.contains("err"), "{text}");
        match done.outcome {
            Outcome::Exited(s) => assert_eq!(s.code(), Some(3)),
            Outcome::TimedOut => panic!("should not time out"),
        }
    }

    #[test]
    fn feeds_stdin() {
        let done = run_capped(
            sh("read line; echo got $line"),
            b"hello\n",
            Duration::from_secs(10),
        )
        .unwrap();
        assert!(done.output.text().contains("got hello"));
    }

    #[test]
    fn kills_a_hung_child_and_its_children() {
        let start = Instant::now();
        let done = run_capped(
            sh("sleep 1000 & sleep 1000; echo never"),
            b"",
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(matches!(done.outcome, Outcome::TimedOut));
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(!done.output.text().contains("never"));
    }

    #[test]
    fn does_not_wait_for_a_background_child_holding_the_pipe() {
        // The shell exits at once; its background child would keep the pipe open for
        // 1000 s if the group were not killed.
        let start = Instant::now();
        let done = run_capped(
            sh("sleep 1000 & echo started"),
            b"",
            Duration::from_secs(10),
        )
        .unwrap();
        assert!(done.success());
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn caps_huge_output_keeping_head_and_tail() {
        let done = run_capped(
            sh("echo FIRST; head -c 10000000 /dev/zero | tr '\\0' x; echo; echo LAST"),
            b"",
            Duration::from_secs(30),
        )
        .unwrap();
        let text = done.output.text();
        assert!(text.len() < 70 * 1024, "kept {} bytes", text.len());
        assert!(text.starts_with("FIRST") && text.trim_end().ends_with("LAST"));
        assert!(text.contains("bytes of output dropped"));
    }

    #[test]
    fn a_command_that_cannot_start_is_named_with_its_folder() {
        let mut cmd = Command::new("/nonexistent/cargo");
        cmd.args(["build", "--tests"]).current_dir("/tmp");
        let err = format!("{:#}", run_full(cmd, Duration::from_secs(10)).unwrap_err());
        assert!(
            err.starts_with("running `/nonexistent/cargo build --tests` in /tmp: "),
            "{err}"
        );
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h\n[... truncated ...]");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
