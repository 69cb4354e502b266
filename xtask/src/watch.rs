//! `cargo xtask watch labNN` and `cargo xtask progress`: the student's own loop.
//!
//! `watch` runs a lab's visible tests (`cargo test -p labNN`, the student's own code on
//! their own machine: no sandbox, no hidden tests), shows the first failing test with its
//! message and the handout's hint for its task, and a one-line progress (tasks done of
//! total); then it waits for a change to a file of the lab (`src/`, `tests/`, its
//! `Cargo.toml`) and runs them again. `progress` runs every lab's tests once and prints one
//! line per lab, in course order.
//!
//! A task is a `### Task N — Title (...)` heading of the handout: its tests are those of the
//! `tests/*.rs` files the heading names, or, where it names only `src/X.rs`, of `tests/X.rs`.
//! A task is done when every one of its tests passes. A handout with no such heading makes
//! each visible test file a task.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context as _, Error};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::course::{Course, Lab, Visibility};
use crate::{interrupt, status, util};

/// How long a lab's visible tests may run, compiling included, before `watch` gives up on
/// this run (a test that hangs must not hang the loop).
const RUN_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// What one run of the tests gave: a verdict per test that ran, and the failures' output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestOutput {
    /// Test name (as libtest prints it) to whether it passed.
    pub verdicts: BTreeMap<String, bool>,
    /// The first failing test, in the order libtest printed the failures, with its message.
    pub first_failure: Option<(String, String)>,
    /// Each failing test's message (its `---- NAME stdout ----` section).
    pub messages: BTreeMap<String, String>,
    /// The first compiler error, when something did not compile.
    pub compile_error: Option<String>,
}

/// Reads the human output of `cargo test` (libtest's stdout, cargo's stderr).
///
/// Verdicts come from the `test NAME ... ok|FAILED|ignored` lines; a failure's message is
/// its `---- NAME stdout ----` section. A compile error is the first `error` block on
/// stderr. Unknown lines are skipped, so a test that prints is harmless.
pub fn parse_test_output(stdout: &str, stderr: &str) -> TestOutput {
    let mut out = TestOutput::default();
    let mut section: Option<(String, Vec<&str>)> = None;
    let mut sections: Vec<(String, String)> = Vec::new();
    let finish = |section: &mut Option<(String, Vec<&str>)>, sections: &mut Vec<_>| {
        if let Some((name, lines)) = section.take() {
            sections.push((name, lines.join("\n").trim().to_string()));
        }
    };
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("---- ")
            && let Some(name) = rest.strip_suffix(" stdout ----")
        {
            finish(&mut section, &mut sections);
            section = Some((name.to_string(), Vec::new()));
            continue;
        }
        if section.is_some()
            && (line == "failures:" || line.starts_with("test result:") || line == "successes:")
        {
            finish(&mut section, &mut sections);
            continue;
        }
        if let Some((_, lines)) = &mut section {
            lines.push(line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, verdict)) = rest.rsplit_once(" ... ")
        {
            match verdict.trim() {
                "ok" => {
                    out.verdicts.insert(name.to_string(), true);
                }
                v if v.starts_with("FAILED") => {
                    out.verdicts.insert(name.to_string(), false);
                }
                _ => {}
            }
        }
    }
    finish(&mut section, &mut sections);
    out.messages = sections.iter().cloned().collect();
    out.first_failure = sections
        .into_iter()
        .find(|(name, _)| out.verdicts.get(name) == Some(&false));
    if let Some((name, _)) = out.verdicts.iter().find(|(_, ok)| !**ok)
        && out.first_failure.is_none()
    {
        out.first_failure = Some((name.clone(), String::new()));
    }
    out.compile_error = first_compile_error(stderr);
    out
}

/// The first `error[...]` / `error:` block of cargo's stderr, up to its blank line.
fn first_compile_error(stderr: &str) -> Option<String> {
    // Cargo's own summaries of failed tests are no compile errors.
    let summary = |l: &str| {
        ["test failed", "target failed", "targets failed"]
            .iter()
            .any(|s| l.contains(s))
    };
    let mut lines = stderr
        .lines()
        .skip_while(|l| !(l.starts_with("error[") || l.starts_with("error:") && !summary(l)));
    let first = lines.next()?;
    let mut block = vec![first];
    block.extend(lines.take_while(|l| !l.trim().is_empty()).take(30));
    Some(block.join("\n"))
}

/// One task of a lab's handout and its tests.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// `Task 3 — Monte Carlo on one thread, then on many`.
    pub title: String,
    /// `Task 3`: how the hints name it.
    pub label: String,
    /// The test functions of its files.
    pub tests: Vec<String>,
}

/// The tasks of a handout (`readme`), given the lab's visible test files (target name to
/// test names). Tasks whose files hold no test (a "measure and explain" task) are left out.
pub fn tasks(readme: &str, files: &BTreeMap<String, Vec<String>>) -> Vec<Task> {
    let mut tasks = Vec::new();
    for line in readme.lines() {
        let Some(heading) = line.strip_prefix("### Task ") else {
            continue;
        };
        let label = format!(
            "Task {}",
            heading
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or("")
        );
        let title = match heading.find(" (") {
            Some(i) => format!("Task {}", &heading[..i]),
            None => format!("Task {heading}"),
        };
        let named: Vec<&str> = heading.split('`').skip(1).step_by(2).collect();
        let mut targets: BTreeSet<String> = named
            .iter()
            .filter_map(|p| p.strip_prefix("tests/")?.strip_suffix(".rs"))
            .map(str::to_string)
            .collect();
        if targets.is_empty() {
            targets = named
                .iter()
                .filter_map(|p| p.strip_prefix("src/")?.strip_suffix(".rs"))
                .filter(|stem| files.contains_key(*stem))
                .map(str::to_string)
                .collect();
        }
        let tests: Vec<String> = targets
            .iter()
            .filter_map(|t| files.get(t))
            .flatten()
            .cloned()
            .collect();
        if !tests.is_empty() {
            tasks.push(Task {
                title,
                label,
                tests,
            });
        }
    }
    if tasks.is_empty() {
        for (target, tests) in files {
            tasks.push(Task {
                title: format!("tests/{target}.rs"),
                label: format!("tests/{target}.rs"),
                tests: tests.clone(),
            });
        }
    }
    tasks
}

/// Where a lab stands: tasks and tests done of total.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Tasks every test of which passed.
    pub tasks_done: usize,
    /// Tasks of the lab.
    pub tasks: usize,
    /// Tests that passed.
    pub tests_passed: usize,
    /// Visible tests of the lab.
    pub tests: usize,
    /// The first task not done, in handout order.
    pub next: Option<String>,
}

/// The progress `output` shows on `tasks` (a test that did not run has not passed).
pub fn progress(tasks: &[Task], all_tests: &[String], output: &TestOutput) -> Progress {
    let passed = |t: &String| output.verdicts.get(t) == Some(&true);
    let done: Vec<bool> = tasks
        .iter()
        .map(|task| task.tests.iter().all(passed))
        .collect();
    Progress {
        tasks_done: done.iter().filter(|d| **d).count(),
        tasks: tasks.len(),
        tests_passed: all_tests.iter().filter(|t| passed(t)).count(),
        tests: all_tests.len(),
        next: tasks
            .iter()
            .zip(&done)
            .find(|(_, d)| !**d)
            .map(|(t, _)| t.title.clone()),
    }
}

impl Progress {
    /// `3/5 tasks done, 41/63 tests pass`.
    pub fn line(&self) -> String {
        format!(
            "{}/{} tasks done, {}/{} tests pass",
            self.tasks_done, self.tasks, self.tests_passed, self.tests
        )
    }
}

/// The hints of a task in the handout: every `<details>` block whose summary starts with
/// the task's label (`Task 3:`), or that sits in the task's own section (under its
/// `### Task 3 — ...` heading), as text without the HTML tags.
pub fn hint(readme: &str, label: &str) -> Option<String> {
    let mut hints = Vec::new();
    let mut in_section = false;
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("## ") || line.starts_with("### ") {
            in_section = line
                .strip_prefix("### ")
                .and_then(|h| h.strip_prefix(label))
                .is_some_and(|rest| rest.starts_with(' '));
            continue;
        }
        let trimmed = line.trim();
        let trimmed = trimmed.strip_prefix("<details>").unwrap_or(trimmed).trim();
        let Some(summary) = trimmed
            .strip_prefix("<summary>")
            .and_then(|s| s.strip_suffix("</summary>"))
        else {
            continue;
        };
        let summary = strip_tags(summary);
        let named = summary
            .strip_prefix(label)
            .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(' '));
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim() != "</details>")
            .collect();
        if named || in_section {
            // The body is Markdown (`Result<f64, E>` is no tag): entities only.
            hints.push(format!("{summary}\n{}", decode(body.join("\n").trim())));
        }
    }
    Some(hints.join("\n\n")).filter(|h| !h.is_empty())
}

/// `text` without HTML tags, with `&lt;`, `&gt;` and `&amp;` decoded.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode(&out)
}

/// `text` with `&lt;`, `&gt;` and `&amp;` decoded.
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A lab's visible test files: target name to test names. Loom targets are left out: they
/// are empty without `--cfg loom` (`cargo xtask grade` builds and runs them).
fn visible_files(lab: &Lab) -> BTreeMap<String, Vec<String>> {
    lab.graded_files(false)
        .filter(|f| f.visibility == Visibility::Visible && !lab.is_loom(&f.target))
        .map(|f| (f.target.clone(), f.tests.clone()))
        .collect()
}

/// Runs the lab's visible tests with cargo, in the course's workspace.
fn run_tests(course: &Course, lab: &Lab) -> Result<TestOutput, Error> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Diagnostics rendered on stderr, the build's other messages as JSON on stdout (where
    // libtest's lines come too): each finished crate and each test moves the status on.
    cmd.args([
        "test",
        "-p",
        &lab.name,
        "--no-fail-fast",
        "--color",
        "never",
    ])
    .arg("--message-format=json-render-diagnostics")
    .current_dir(&course.root);
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(200));
    status::attach(&bar);
    let mut compiling = status::cargo_lines(&lab.name);
    let step = format!("{}: testing", lab.name);
    let mut tests = 0usize;
    let out = util::run_full_lines(cmd, RUN_TIMEOUT, move |line| {
        if line.starts_with("test ") && line.contains(" ... ") {
            tests += 1;
            status::set(&step, &format!("{tests} tests run"));
        } else {
            compiling(line);
        }
    });
    status::detach();
    bar.finish_and_clear();
    let out = out?;
    if let util::Outcome::TimedOut = out.outcome {
        anyhow::bail!(
            "the tests of {} ran past {} minutes: is one of them stuck? (fix it and save again)",
            lab.name,
            RUN_TIMEOUT.as_secs() / 60
        );
    }
    Ok(parse_test_output(&out.stdout, &out.stderr))
}

/// The first failing test in the handout's order (tasks in order, each task's tests in file
/// order), with its message; else the first libtest reported.
pub fn first_failing(tasks: &[Task], output: &TestOutput) -> Option<(String, String)> {
    tasks
        .iter()
        .flat_map(|t| &t.tests)
        .find(|name| output.verdicts.get(*name) == Some(&false))
        .map(|name| {
            let message = output.messages.get(name).cloned().unwrap_or_default();
            (name.clone(), message)
        })
        .or_else(|| output.first_failure.clone())
}

/// What `watch` and `progress` print about one run of a lab's tests.
fn summary(lab: &Lab, output: &TestOutput, verbose: bool) -> (Progress, String) {
    let files = visible_files(lab);
    let readme = std::fs::read_to_string(lab.dir.join("README.md")).unwrap_or_default();
    let tasks = tasks(&readme, &files);
    let all: Vec<String> = files.values().flatten().cloned().collect();
    let p = progress(&tasks, &all, output);
    let mut text = String::new();
    if let Some(err) = &output.compile_error
        && (output.verdicts.is_empty() || verbose)
    {
        text.push_str(&format!(
            "{}: something does not compile:\n{err}\n",
            lab.name
        ));
    }
    if let Some((name, message)) = first_failing(&tasks, output) {
        text.push_str(&format!("first failing test: {name}\n"));
        if verbose {
            for line in message.lines().take(25) {
                text.push_str(&format!("  | {line}\n"));
            }
            let task = tasks.iter().find(|t| t.tests.contains(&name));
            if let Some(task) = task {
                text.push_str(&format!("  part of {}", task.title));
                match hint(&readme, &task.label) {
                    Some(h) => text.push_str(&format!("; hint (from the handout):\n{h}\n")),
                    None => text.push_str(" (see the handout)\n"),
                }
            }
        }
    } else if p.tests_passed == p.tests && p.tests > 0 {
        text.push_str(&format!(
            "every visible test of {} passes: next, `cargo xtask grade {}` (timing estimates included)\n",
            lab.name, lab.name
        ));
    }
    (p, text)
}

/// Whether a debounced batch of file events should start a run: a created, changed or
/// removed `.rs` file or `Cargo.toml` under the lab's `src/`, `tests/`, `benches/`,
/// `examples/` or its own manifest; never anything under a `target/` folder (builds write
/// there all the time) and never a mere access (cargo reads the sources while it tests).
pub fn triggers(lab_dir: &Path, result: &DebounceEventResult) -> bool {
    let Ok(events) = result else {
        return false;
    };
    events.iter().any(|event| {
        let kind = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        );
        kind && event.paths.iter().any(|p| relevant(lab_dir, p))
    })
}

fn relevant(lab_dir: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(lab_dir) else {
        return false;
    };
    if rel.components().any(|c| c.as_os_str() == "target") {
        return false;
    }
    if rel == Path::new("Cargo.toml") {
        return true;
    }
    let top = rel.components().next().map(|c| c.as_os_str().to_owned());
    let in_code = top.is_some_and(|t| {
        ["src", "tests", "benches", "examples"]
            .iter()
            .any(|d| t == *d)
    });
    in_code && path.extension().is_some_and(|x| x == "rs" || x == "toml")
}

/// The watch loop: `run` once, then again after each batch of events from `events` that
/// [`triggers`] a run (batches that arrived during a run make one run, not one each). Ends
/// when the channel closes or the command is interrupted; returns the number of runs.
pub fn watch_loop(
    lab_dir: &Path,
    events: &Receiver<DebounceEventResult>,
    run: &mut dyn FnMut(),
) -> usize {
    run();
    let mut runs = 1;
    loop {
        if interrupt::interrupted() {
            return runs;
        }
        let first = match events.recv_timeout(Duration::from_millis(250)) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return runs,
        };
        let mut go = triggers(lab_dir, &first);
        while let Ok(batch) = events.try_recv() {
            go |= triggers(lab_dir, &batch);
        }
        if go {
            run();
            runs += 1;
        }
    }
}

/// `cargo xtask watch LAB`.
pub fn run_watch(root: &Path, lab: &str) -> Result<bool, Error> {
    let course = Course::load(root)?;
    let lab = course.select(std::slice::from_ref(&lab.to_string()))?[0];
    let lab_dir = lab
        .dir
        .canonicalize()
        .with_context(|| format!("lab folder {}", lab.dir.display()))?;
    let (tx, rx) = channel();
    let mut debouncer =
        new_debouncer(Duration::from_millis(300), None, tx).context("starting the file watcher")?;
    debouncer
        .watch(&lab_dir, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", lab_dir.display()))?;
    let mut run = || {
        eprintln!(
            "\n== {}: running the visible tests (cargo test -p {}) ...",
            lab.name, lab.name
        );
        match run_tests(&course, lab) {
            Ok(output) => {
                let (p, text) = summary(lab, &output, true);
                print!("{text}");
                println!("{}: {}", lab.name, p.line());
            }
            Err(e) => eprintln!("error: {e:#}"),
        }
        eprintln!(
            "watching {} for changes (Ctrl-C to stop)",
            display_rel(&course.root, &lab.dir).display()
        );
    };
    watch_loop(&lab_dir, &rx, &mut run);
    Ok(true)
}

/// `cargo xtask progress [LABS]`: one line per lab, in course order.
pub fn run_progress(root: &Path, labs: &[String]) -> Result<bool, Error> {
    let course = Course::load(root)?;
    let labs = course.select(labs)?;
    eprintln!(
        "running the visible tests of {} lab(s) in course order (the first time, each lab compiles first: minutes)",
        labs.len()
    );
    for lab in labs {
        if interrupt::interrupted() {
            break;
        }
        let output = run_tests(&course, lab)?;
        let (p, text) = summary(lab, &output, false);
        let state = if p.tasks_done == p.tasks && p.tests_passed == p.tests {
            "done".to_string()
        } else if p.tests_passed == 0 {
            "not started".to_string()
        } else {
            format!("next: {}", p.next.clone().unwrap_or_default())
        };
        println!("{:<6} {:<44} {state}", lab.name, p.line());
        if output.verdicts.is_empty() {
            print!("{text}");
        }
    }
    // Where a lab stands is information, not a failure: the exit status is 0.
    Ok(true)
}

fn display_rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_full::DebouncedEvent;
    use notify_debouncer_full::notify::Event;
    use notify_debouncer_full::notify::event::{AccessKind, CreateKind, ModifyKind};
    use std::time::Instant;

    const STDOUT: &str = "
running 3 tests
test price_mc_prices_a_put ... ok
test bit_identical_for_1_2_3_8_threads ... FAILED
test zero_paths_is_an_error ... FAILED

failures:

---- bit_identical_for_1_2_3_8_threads stdout ----

thread 'bit_identical_for_1_2_3_8_threads' panicked at labs/lab01-motivation/tests/monte_carlo.rs:40:5:
assertion `left == right` failed: 3 threads
  left: 1.0
 right: 2.0
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- zero_paths_is_an_error stdout ----

thread 'zero_paths_is_an_error' panicked at src/lib.rs:3:5:
not yet implemented

failures:
    bit_identical_for_1_2_3_8_threads
    zero_paths_is_an_error

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

running 1 test
test book_edge ... ok
test noisy ... ignored
";

    #[test]
    fn the_first_failing_test_comes_with_its_message() {
        let out = parse_test_output(
            STDOUT,
            "error: 1 target failed:\n    `--test monte_carlo`\n",
        );
        assert_eq!(out.verdicts.len(), 4);
        assert!(out.verdicts["price_mc_prices_a_put"]);
        assert!(!out.verdicts["zero_paths_is_an_error"]);
        let (name, message) = out.first_failure.unwrap();
        assert_eq!(name, "bit_identical_for_1_2_3_8_threads");
        assert!(message.starts_with("thread 'bit_identical"), "{message}");
        assert!(message.contains("left: 1.0"), "{message}");
        assert!(!message.contains("zero_paths"), "{message}");
        assert_eq!(
            out.compile_error, None,
            "cargo's summary is no compile error"
        );
    }

    #[test]
    fn a_compile_error_is_its_first_block() {
        let stderr = "   Compiling lab01 v0.1.0\nerror[E0308]: mismatched types\n --> src/lib.rs:3:5\n  |\n3 |     1\n  |     ^ expected `f64`\n\nerror: aborting due to 1 previous error\n";
        let out = parse_test_output("", stderr);
        let err = out.compile_error.unwrap();
        assert!(err.starts_with("error[E0308]: mismatched types"), "{err}");
        assert!(
            err.contains("expected `f64`") && !err.contains("aborting"),
            "{err}"
        );
        assert!(out.verdicts.is_empty() && out.first_failure.is_none());
    }

    const README: &str = "# Lab
### Task 1 — The laws (`tests/amdahl.rs`)
### Task 2 — Threads (`src/threads.rs`, `tests/threads.rs`)
### Task 3 — The pool (`src/pool.rs`)
### Task 4 — Measure (`benches/lab.rs`)

<details><summary>Hint: <code>Vec&lt;T&gt;</code></summary>

Push.
</details>

## Hints

<details>
<summary>Task 3: the queue</summary>

Use a `Condvar<T>` &amp; a `Mutex`.
</details>
";

    fn files() -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([
            (
                "amdahl".to_string(),
                vec!["a1".to_string(), "a2".to_string()],
            ),
            ("threads".to_string(), vec!["t1".to_string()]),
            ("pool".to_string(), vec!["p1".to_string(), "p2".to_string()]),
        ])
    }

    #[test]
    fn tasks_follow_the_handout_and_progress_counts_the_done_ones() {
        let tasks = tasks(README, &files());
        let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Task 1 — The laws", "Task 2 — Threads", "Task 3 — The pool"]
        );
        assert_eq!(tasks[2].tests, ["p1", "p2"]);
        let all: Vec<String> = files().into_values().flatten().collect();
        let output = TestOutput {
            verdicts: BTreeMap::from([
                ("a1".to_string(), true),
                ("a2".to_string(), true),
                ("t1".to_string(), false),
                ("p1".to_string(), true),
            ]),
            ..TestOutput::default()
        };
        let p = progress(&tasks, &all, &output);
        assert_eq!(p.line(), "1/3 tasks done, 3/5 tests pass");
        // Failures are shown in the handout's order, not libtest's (alphabetical).
        let mut failing = output.clone();
        failing.verdicts.insert("a2".into(), false);
        failing.messages.insert("t1".into(), "t1 failed".into());
        failing.first_failure = Some(("t1".into(), "t1 failed".into()));
        assert_eq!(
            first_failing(&tasks, &failing),
            Some(("a2".into(), String::new()))
        );
        assert_eq!(
            first_failing(&tasks, &output),
            Some(("t1".into(), String::new()))
        );
        assert_eq!(p.next.as_deref(), Some("Task 2 — Threads"));
        assert_eq!(
            hint(README, "Task 3").unwrap(),
            "Task 3: the queue\nUse a `Condvar<T>` & a `Mutex`."
        );
        assert_eq!(hint(README, "Task 1"), None);
        // A hint inside the task's own section belongs to it, whatever its summary says.
        assert_eq!(hint(README, "Task 4").unwrap(), "Hint: Vec<T>\nPush.");
    }

    #[test]
    fn a_handout_without_task_headings_makes_each_test_file_a_task() {
        let tasks = tasks("# Lab\nno tasks here\n", &files());
        assert_eq!(tasks.len(), 3);
        assert_eq!(tasks[0].title, "tests/amdahl.rs");
    }

    fn batch(kind: EventKind, path: &Path) -> DebounceEventResult {
        let event = Event::new(kind).add_path(path.to_path_buf());
        Ok(vec![DebouncedEvent::new(event, Instant::now())])
    }

    #[test]
    fn a_change_under_src_or_tests_triggers_a_run_and_target_or_access_does_not() {
        let lab = Path::new("/course/labs/lab01-motivation");
        let modify = EventKind::Modify(ModifyKind::Any);
        assert!(triggers(lab, &batch(modify, &lab.join("src/lib.rs"))));
        assert!(triggers(
            lab,
            &batch(
                EventKind::Create(CreateKind::File),
                &lab.join("tests/new.rs")
            )
        ));
        assert!(triggers(lab, &batch(modify, &lab.join("Cargo.toml"))));
        assert!(!triggers(
            lab,
            &batch(modify, &lab.join("target/debug/lab01.d"))
        ));
        assert!(!triggers(lab, &batch(modify, &lab.join("src/target/x.rs"))));
        assert!(!triggers(lab, &batch(modify, &lab.join("src/.lib.rs.swp"))));
        assert!(!triggers(lab, &batch(modify, &lab.join("README.md"))));
        assert!(!triggers(
            lab,
            &batch(modify, Path::new("/course/labs/lab02-threads/src/lib.rs"))
        ));
        let access = EventKind::Access(AccessKind::Any);
        assert!(!triggers(lab, &batch(access, &lab.join("src/lib.rs"))));
        assert!(!triggers(lab, &Err(vec![])));
    }

    #[test]
    fn the_loop_runs_once_then_once_per_triggering_batch() {
        let lab = Path::new("/course/labs/lab01-motivation");
        let modify = EventKind::Modify(ModifyKind::Any);
        let (tx, rx) = channel();
        // Sent before the loop starts: the first and second arrive together and make one
        // run; the target/ change makes none.
        tx.send(batch(modify, &lab.join("src/lib.rs"))).unwrap();
        tx.send(batch(modify, &lab.join("tests/t.rs"))).unwrap();
        drop(tx);
        let mut runs = 0;
        let total = watch_loop(lab, &rx, &mut || runs += 1);
        assert_eq!((total, runs), (2, 2));

        let (tx, rx) = channel();
        tx.send(batch(modify, &lab.join("target/debug/x"))).unwrap();
        drop(tx);
        let mut runs = 0;
        assert_eq!(watch_loop(lab, &rx, &mut || runs += 1), 1);
        assert_eq!(runs, 1);
    }
}
