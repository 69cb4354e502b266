//! Running one graded test in its own sandboxed process, and reading its verdict from a
//! channel the student's code cannot forge.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Error, bail};
use serde::Serialize;

use crate::sandbox::{self, Isolation, Job, JobResult};
use crate::scratch::{MARK_LEN, TEST_MODULE, VERDICT_MODULE};
use crate::util::{self, CappedOutput};

/// How a test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The graded test function returned normally and the process then exited cleanly.
    Passed,
    /// The test panicked (an assertion failed).
    Failed,
    /// It ran past its time limit: an infinite loop or a deadlock.
    Timeout,
    /// The process died before the test returned: abort, stack overflow, a signal, or an exit
    /// in the middle of the test.
    Crashed,
    /// The lab, or this test file, did not compile (or the grader refused to compile it).
    CompileError,
    /// The grader itself failed to run this test: the course's fault, not the student's.
    GraderError,
}

/// The result of running one test.
#[derive(Debug)]
pub struct TestRun {
    /// The verdict.
    pub status: Status,
    /// One or a few lines saying why (the panic message, the signal).
    pub message: String,
    /// Wall time of the test process.
    pub elapsed: Duration,
    /// Processes the test left running (all killed).
    pub leftovers: usize,
}

/// A test binary as the sandbox runs it: a copy with a fresh nonce over its marker, which
/// student code may execute but not read.
#[derive(Debug)]
pub struct Prepared {
    /// The copy.
    pub path: PathBuf,
    /// The nonce a passing test writes.
    pub nonce: String,
}

/// Copies `exe` into `dir` with a fresh nonce patched over `mark`.
pub fn prepare_exe(exe: &Path, mark: &str, dir: &Path) -> Result<Prepared, Error> {
    let mut bytes = util::read(exe)?;
    let hits: Vec<usize> = memchr::memmem::find_iter(&bytes, mark.as_bytes()).collect();
    let [at] = hits[..] else {
        bail!(
            "{} holds the verdict marker {} times (expected once)",
            exe.display(),
            hits.len()
        );
    };
    let nonce = util::random_hex(MARK_LEN)?;
    bytes[at..at + MARK_LEN].copy_from_slice(nonce.as_bytes());
    util::create_dir_all(dir)?;
    let name = exe
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = dir.join(format!("{name}-{}", &nonce[..8]));
    sandbox::write_exec_only(&path, &bytes)?;
    Ok(Prepared { path, nonce })
}

/// Where and how student code runs, shared by the tests of one lab.
pub struct Context<'a> {
    /// What the machine gives.
    pub isolation: &'a Isolation,
    /// The lab's binaries, executable from tests.
    pub exec: &'a [PathBuf],
    /// A folder only the grader can read, for the supervisor's results.
    pub private: &'a Path,
}

impl Context<'_> {
    /// A sandbox job running `program` in the fresh folder `workdir`.
    pub fn job(
        &self,
        program: &Path,
        args: Vec<String>,
        workdir: &Path,
        timeout: Duration,
    ) -> Result<Job, Error> {
        sandbox::fresh_dir(workdir, self.isolation.uid)?;
        util::create_dir_all(self.private)?;
        let tmp = workdir.join("tmp");
        Ok(Job {
            program: program.to_path_buf(),
            args,
            cwd: workdir.to_path_buf(),
            env: vec![
                ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
                ("HOME".into(), workdir.display().to_string()),
                ("TMPDIR".into(), tmp.display().to_string()),
                ("LANG".into(), "C.UTF-8".into()),
                ("RUST_BACKTRACE".into(), "0".into()),
            ],
            read: Vec::new(),
            exec: self.exec.to_vec(),
            write: vec![workdir.to_path_buf()],
            timeout_ms: timeout.as_millis() as u64,
            uid: self.isolation.uid,
            landlock: self.isolation.landlock_abi > 0,
            nonce: None,
            result: self
                .private
                .join(format!("result-{}.json", util::random_hex(12)?)),
        })
    }

    /// Runs `job`; its output and the supervisor's result.
    pub fn run(&self, job: &Job) -> Result<(JobResult, CappedOutput), Error> {
        let (result, output) = sandbox::run(job)?;
        let _ = fs::remove_dir_all(&job.cwd);
        Ok((result, output))
    }
}

/// Runs test `name` of the prepared test binary in a fresh folder `workdir`, in the sandbox,
/// with a cleared environment and a deadline.
pub fn run_test(
    exe: &Prepared,
    name: &str,
    timeout: Duration,
    ctx: &Context,
    workdir: &Path,
) -> Result<TestRun, Error> {
    let full_name = format!("{TEST_MODULE}::{VERDICT_MODULE}::{name}");
    let args = ["--exact", &full_name, "--test-threads=1", "--nocapture"]
        .map(String::from)
        .to_vec();
    let mut job = ctx.job(&exe.path, args, workdir, timeout)?;
    job.nonce = Some(exe.nonce.clone());
    let (result, output) = ctx.run(&job)?;
    let output = output.text();
    // libtest announces how many tests it runs; none means the course's test is missing.
    if output.lines().any(|l| l == "running 0 tests") {
        bail!(
            "test `{name}` is not in the compiled test binary (is it behind a cfg, or in a nested module?)"
        );
    }
    let how = result.describe();
    let (status, message) = if result.timed_out {
        (
            Status::Timeout,
            format!(
                "did not finish within {} s (an infinite loop, a deadlock, or far too slow); the process and its children were killed",
                timeout.as_secs()
            ),
        )
    } else if result.verdict && result.success() {
        (Status::Passed, String::new())
    } else if result.verdict {
        (
            Status::Crashed,
            format!(
                "the test returned, but then the process died ({how}): a thread still running?"
            ),
        )
    } else if result.code == Some(101)
        && let Some(msg) = panic_message(&output)
    {
        (Status::Failed, msg)
    } else if result.code == Some(101) {
        (Status::Failed, "the test failed".into())
    } else {
        (Status::Crashed, crash_message(&result, &output))
    };
    let mut message = message;
    if result.leftovers > 0 {
        message.push_str(&format!(
            "{}the test left {} process(es) running; the grader killed them",
            if message.is_empty() { "" } else { "\n" },
            result.leftovers
        ));
    }
    Ok(TestRun {
        status,
        message,
        elapsed: Duration::from_micros(result.elapsed_us),
        leftovers: result.leftovers,
    })
}

/// The panic message of the graded test: the lines after `panicked at`, up to the `note:`.
pub fn panic_message(output: &str) -> Option<String> {
    let mut lines = output.lines().skip_while(|l| !l.contains("panicked at"));
    let head = lines.next()?;
    let location = head
        .split("panicked at ")
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(':');
    let body: Vec<&str> = lines
        .take_while(|l| !l.starts_with("note:") && !l.starts_with("test ") && !l.is_empty())
        .take(12)
        .collect();
    let body = body.join("\n");
    Some(util::truncate(
        &if body.is_empty() {
            format!("panicked at {location}")
        } else {
            format!("{body}\n  (at {location})")
        },
        2000,
    ))
}

fn crash_message(result: &JobResult, output: &str) -> String {
    let how = result.describe();
    if output.contains("has overflowed its stack") {
        format!("stack overflow ({how}): unbounded recursion?")
    } else if result.success() {
        "the process exited with code 0 before the test returned: does the code call std::process::exit?".into()
    } else if let Some(msg) = panic_message(output) {
        format!("the process died ({how}) after a panic: {msg}")
    } else {
        format!("the process died before the test returned ({how})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_panic_message() {
        let out = "running 2 tests\nthread 't::x' panicked at tests/a.rs:5:9:\nassertion `left == right` failed\n  left: 1\n right: 2\nnote: run with `RUST_BACKTRACE=1`\n";
        let msg = panic_message(out).unwrap();
        assert!(msg.starts_with("assertion `left == right` failed\n  left: 1\n right: 2"));
        assert!(msg.contains("tests/a.rs:5:9"));
    }

    #[test]
    fn the_copy_holds_a_fresh_nonce_where_the_marker_was_and_is_not_readable_by_others() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mark = util::random_hex(MARK_LEN).unwrap();
        let exe = dir.path().join("test-exe");
        fs::write(&exe, format!("\x7fELF...{mark}...")).unwrap();
        let a = prepare_exe(&exe, &mark, &dir.path().join("bin")).unwrap();
        let b = prepare_exe(&exe, &mark, &dir.path().join("bin")).unwrap();
        assert_ne!(a.nonce, b.nonce, "every run gets its own nonce");
        let copy = fs::read_to_string(&a.path).unwrap();
        assert_eq!(copy, format!("\x7fELF...{}...", a.nonce));
        let mode = fs::metadata(&a.path).unwrap().permissions().mode() & 0o777;
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        assert_eq!(
            mode,
            if root { 0o711 } else { 0o111 },
            "others may execute the copy, never read it"
        );
        // Student code that plants the marker a second time gets no copy at all.
        fs::write(&exe, format!("{mark}{mark}")).unwrap();
        let err = prepare_exe(&exe, &mark, &dir.path().join("bin")).unwrap_err();
        assert!(err.to_string().contains("2 times"), "{err}");
    }

    #[test]
    fn no_panic_no_message() {
        assert!(panic_message("running 1 test\ntest t::x ... ok\n").is_none());
    }
}
