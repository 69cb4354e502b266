//! Running one graded test in its own process, and reading its verdict from a channel the
//! student's code cannot forge.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use crate::scratch::{TEST_MODULE, VERDICT_TEST};
use crate::util::{self, Error, Outcome};

/// How a test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The test function returned normally and libtest reported success.
    Passed,
    /// The test panicked (an assertion failed).
    Failed,
    /// It ran past its time limit: an infinite loop or a deadlock.
    Timeout,
    /// The process died before the test returned: abort, stack overflow, a signal, or an exit
    /// in the middle of the test.
    Crashed,
    /// The lab, or this test file, did not compile.
    CompileError,
}

/// The result of running one test.
#[derive(Debug)]
pub struct TestRun {
    /// The verdict.
    pub status: Status,
    /// One or a few lines saying why (the panic message, the signal).
    pub message: String,
    /// Wall time of the process.
    pub elapsed: Duration,
}

/// Runs test `name` of the test executable `exe` in the scratch folder `workdir`, with a
/// cleared environment and a deadline.
pub fn run_test(
    exe: &Path,
    name: &str,
    timeout: Duration,
    workdir: &Path,
) -> Result<TestRun, Error> {
    fs::create_dir_all(workdir.join("tmp"))?;
    let nonce = nonce()?;
    let verdict = workdir.join(format!(".verdict-{}", &nonce[..8]));
    let _ = fs::remove_file(&verdict);
    let full_name = format!("{TEST_MODULE}::{name}");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        &full_name,
        VERDICT_TEST,
        "--test-threads=1",
        "--nocapture",
    ])
    .current_dir(workdir)
    .env_clear()
    .env("PATH", "/usr/local/bin:/usr/bin:/bin")
    .env("HOME", workdir)
    .env("TMPDIR", workdir.join("tmp"))
    .env("LANG", "C.UTF-8")
    .env("RUST_BACKTRACE", "0");
    let stdin = format!("{nonce} {}\n", verdict.display());
    let done = util::run_capped(cmd, stdin.as_bytes(), timeout)?;
    let reached_verdict = fs::read_to_string(&verdict).is_ok_and(|v| v == nonce);
    let _ = fs::remove_file(&verdict);
    let output = done.output.text();
    // libtest announces how many tests it will run before any test code runs, so this line
    // is the harness's own: a graded test missing from the binary would otherwise "pass".
    if !matches!(done.outcome, Outcome::TimedOut)
        && output.lines().find(|l| l.starts_with("running ")) != Some("running 2 tests")
    {
        return Err(Error::new(format!(
            "test `{name}` is not in the compiled test binary {} (is it behind a cfg, or in a nested module?)",
            exe.display()
        )));
    }
    let (status, message) = match &done.outcome {
        Outcome::TimedOut => (
            Status::Timeout,
            format!(
                "did not finish within {} s (an infinite loop, a deadlock, or far too slow); the process and its children were killed",
                timeout.as_secs()
            ),
        ),
        Outcome::Exited(status) if reached_verdict && status.success() => {
            (Status::Passed, String::new())
        }
        Outcome::Exited(status) if reached_verdict => (
            Status::Failed,
            panic_message(&output)
                .unwrap_or_else(|| format!("the test failed ({})", util::describe_status(status))),
        ),
        Outcome::Exited(status) => (Status::Crashed, crash_message(status, &output)),
    };
    Ok(TestRun {
        status,
        message,
        elapsed: done.elapsed,
    })
}

fn nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
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

fn crash_message(status: &std::process::ExitStatus, output: &str) -> String {
    let how = util::describe_status(status);
    if output.contains("has overflowed its stack") {
        format!("stack overflow ({how}): unbounded recursion?")
    } else if status.success() {
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
    fn no_panic_no_message() {
        assert!(panic_message("running 1 test\ntest t::x ... ok\n").is_none());
    }
}
