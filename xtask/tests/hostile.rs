//! The grader against bad and hostile submissions.
//!
//! Each test builds a tiny synthetic course (one lab, `lab90`, no dependencies) in a temporary
//! folder and grades submissions that loop forever, deadlock, panic, abort, overflow their
//! stack, exit mid-test while printing a fake "ok", leave child processes behind, flood their
//! output, fail to compile, miss the lab, or add dependencies. Every one must end in a clear
//! report line, and the grading must go on, within bounded time.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use assert_cmd::Command;
use common::{processes_with, tempdir, write_tree};
use serde_json::Value;

/// The lab's visible tests: one per behaviour, each expecting `1`.
const VISIBLE_TESTS: &str = r#"
use lab90::*;

#[test]
fn adds() {
    assert_eq!(add(2, 3), 5);
}

#[test]
fn wrong_answer() {
    assert_eq!(answer(), 1, "answer() should be 1");
}

#[test]
fn infinite_loop() {
    assert_eq!(terminates(), 1);
}

#[test]
fn deadlock() {
    assert_eq!(locks_twice(), 1);
}

#[test]
fn panics() {
    assert_eq!(may_panic(), 1);
}

#[test]
fn aborts() {
    assert_eq!(may_abort(), 1);
}

#[test]
fn stack_overflow() {
    assert_eq!(recurses(), 1);
}

#[test]
fn exit_zero_with_fake_ok() {
    assert_eq!(may_exit(), 1);
}

#[test]
fn leaves_children() {
    assert_eq!(spawns(), 1);
}

#[test]
fn floods_output() {
    assert_eq!(prints(), 1);
}
"#;

const HIDDEN_TESTS: &str = r#"
use lab90::*;

#[test]
fn adds_negative_numbers() {
    assert_eq!(add(-2, -3), -5, "the secret expected value is -5");
}
"#;

const GOOD: &str = r#"
pub fn add(a: i64, b: i64) -> i64 { a + b }
pub fn answer() -> i64 { 1 }
pub fn terminates() -> i64 { 1 }
pub fn locks_twice() -> i64 { 1 }
pub fn may_panic() -> i64 { 1 }
pub fn may_abort() -> i64 { 1 }
pub fn recurses() -> i64 { 1 }
pub fn may_exit() -> i64 { 1 }
pub fn spawns() -> i64 { 1 }
pub fn prints() -> i64 { 1 }
"#;

const HOSTILE: &str = r#"
use std::hint::black_box;

pub fn add(a: i64, b: i64) -> i64 { a + b }
pub fn answer() -> i64 { 2 }
pub fn terminates() -> i64 {
    loop {
        std::hint::spin_loop();
    }
}
pub fn locks_twice() -> i64 {
    let m = std::sync::Mutex::new(1);
    let _first = m.lock().unwrap();
    let second = m.lock().unwrap();
    *second
}
pub fn may_panic() -> i64 { panic!("boom") }
pub fn may_abort() -> i64 { std::process::abort() }
pub fn recurses() -> i64 {
    fn deeper(n: u64, pad: [u8; 256]) -> u64 {
        black_box(pad);
        if n == 0 { 0 } else { 1 + deeper(black_box(n - 1), pad) }
    }
    deeper(black_box(u64::MAX), [0; 256]) as i64
}
pub fn may_exit() -> i64 {
    println!("test t::exit_zero_with_fake_ok ... ok");
    println!("test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
    std::process::exit(0)
}
pub fn spawns() -> i64 {
    for _ in 0..3 {
        let child = std::process::Command::new("sleep").arg("987654").spawn().unwrap();
        std::mem::forget(child);
    }
    1
}
pub fn prints() -> i64 {
    let line = "x".repeat(1 << 16);
    loop {
        println!("{line}");
    }
}
"#;

/// A synthetic instructor course with one lab, its solution and hidden tests.
fn course(root: &Path) {
    write_tree(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"3\"\nmembers = [\"labs/lab90-toy\"]\nexclude = [\"solutions\"]\n\n[workspace.package]\nedition = \"2024\"\n\n[workspace.dependencies]\n\n[profile.dev]\nopt-level = 0\ndebug = false\n",
            ),
            (
                "labs/lab90-toy/Cargo.toml",
                "[package]\nname = \"lab90\"\nversion = \"0.1.0\"\nedition.workspace = true\n\n[dependencies]\n",
            ),
            (
                "labs/lab90-toy/src/lib.rs",
                "pub fn add(_a: i64, _b: i64) -> i64 { todo!() }\n",
            ),
            ("labs/lab90-toy/tests/toy.rs", VISIBLE_TESTS),
            (
                "labs/lab90-toy/grading.toml",
                "lab = \"lab90\"\ntimeout_secs = 5\ndefault_points = 1\n[points]\nadds = 2\n",
            ),
            (
                "solutions/Cargo.toml",
                "[workspace]\nresolver = \"3\"\nmembers = [\"lab90\"]\n",
            ),
            ("solutions/lab90/src/lib.rs", GOOD),
            ("solutions/lab90/hidden/extra.rs", HIDDEN_TESTS),
            ("solutions/lab90/grading.toml", "default_points = 3\n"),
        ],
    );
}

fn submission(root: &Path, name: &str, lib: &str) -> PathBuf {
    let dir = root.join(name);
    write_tree(&dir, &[("labs/lab90-toy/src/lib.rs", lib)]);
    dir
}

fn xtask(course: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("xtask"));
    cmd.arg("--course")
        .arg(course)
        .timeout(Duration::from_secs(600));
    cmd
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["labs"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of<'a>(statuses: &'a [(String, String)], name: &str) -> &'a str {
    &statuses
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no test {name}"))
        .1
}

#[test]
fn hostile_code_ends_in_clear_report_lines() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder private to the grader: the sandbox uid cannot reach it (see below).
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o700)).unwrap();
    course(tmp.path());
    let sub = submission(tmp.path(), "mallory", HOSTILE);
    // Editing the tests gains nothing: only src/ is taken.
    write_tree(
        &sub,
        &[("labs/lab90-toy/tests/toy.rs", "#[test]\nfn adds() {}\n")],
    );
    let out = tmp.path().join("report.json");
    let start = Instant::now();
    xtask(tmp.path())
        .args([
            "grade",
            "--format",
            "json",
            "--timeout",
            "3",
            "--submission",
        ])
        .arg(&sub)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // A private temporary folder: uid 65534 cannot reach the scratch workspaces, so
        // student code runs as root, and the report says so.
        let warnings = report["isolation_warnings"].to_string();
        assert!(warnings.contains("cannot reach"), "{warnings}");
    }
    let s = statuses(&report);
    assert_eq!(status_of(&s, "adds"), "passed");
    assert_eq!(status_of(&s, "wrong_answer"), "failed");
    assert_eq!(status_of(&s, "infinite_loop"), "timeout");
    assert_eq!(status_of(&s, "deadlock"), "timeout");
    assert_eq!(status_of(&s, "panics"), "failed");
    assert_eq!(status_of(&s, "aborts"), "crashed");
    assert_eq!(status_of(&s, "stack_overflow"), "crashed");
    assert_eq!(status_of(&s, "exit_zero_with_fake_ok"), "crashed");
    assert_eq!(status_of(&s, "leaves_children"), "passed");
    assert_eq!(status_of(&s, "floods_output"), "timeout");
    assert_eq!(status_of(&s, "adds_negative_numbers"), "passed");

    let tests = report["labs"][0]["tests"].as_array().unwrap();
    let message = |name: &str| {
        tests.iter().find(|t| t["name"] == name).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message("wrong_answer").contains("answer() should be 1"));
    assert!(message("panics").contains("boom"));
    assert!(message("stack_overflow").contains("stack overflow"));
    assert!(message("exit_zero_with_fake_ok").contains("exit"));
    assert!(message("aborts").contains("SIGABRT"));
    // adds (2 points) + leaves_children (1) + the hidden test (3).
    assert_eq!(report["score"], 6.0);
    assert_eq!(report["max_score"], 2.0 + 9.0 + 3.0);
    assert_eq!(
        processes_with("987654"),
        0,
        "the student's children were not killed"
    );
    assert!(
        start.elapsed() < Duration::from_secs(240),
        "grading took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_class_with_broken_missing_and_junk_submissions_is_graded_to_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    course(tmp.path());
    let class = tmp.path().join("class");
    submission(&class, "alice", GOOD);
    submission(&class, "bob", "pub fn add(a: i64, b: i64) -> i64 { a + }\n");
    let carol = submission(&class, "carol", GOOD);
    write_tree(
        &carol,
        &[(
            "labs/lab90-toy/Cargo.toml",
            "[package]\nname = \"lab90\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nnum_cpus = \"1\"\n",
        )],
    );
    write_tree(
        &class,
        &[
            ("dave/README.txt", "I forgot to submit"),
            ("notes.txt", "junk"),
        ],
    );
    let out = tmp.path().join("out");
    xtask(tmp.path())
        .args(["grade", "--no-timing", "--timeout", "10", "--class"])
        .arg(&class)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let gradebook = fs::read_to_string(out.join("gradebook.csv")).unwrap();
    assert_eq!(
        gradebook,
        "student,lab90,total,max\nalice,14,14,14\nbob,0,0,14\ncarol,14,14,14\ndave,0,0,14\n"
    );
    let report = |who: &str| -> Value {
        serde_json::from_str(&fs::read_to_string(out.join(format!("reports/{who}.json"))).unwrap())
            .unwrap()
    };
    let bob = report("bob");
    assert!(statuses(&bob).iter().all(|(_, s)| s == "compile_error"));
    let notes = bob["labs"][0]["notes"].to_string();
    assert!(
        notes.contains("does not compile") && notes.contains("expected expression"),
        "{notes}"
    );
    assert!(
        report("carol")["labs"][0]["notes"]
            .to_string()
            .contains("num_cpus")
    );
    assert!(
        report("dave")["labs"][0]["notes"]
            .to_string()
            .contains("no labs/lab90-toy/src")
    );
    assert!(
        fs::read_to_string(out.join("reports/alice.txt"))
            .unwrap()
            .contains("Total: 14/14")
    );
}

/// Each graded test of a report, with its status and points, for comparing gradings.
fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    report["labs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|lab| lab["tests"].as_array().unwrap())
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
                t["points"].to_string(),
            )
        })
        .collect()
}

#[test]
fn two_jobs_grade_a_class_as_one_job_does() {
    let tmp = tempfile::tempdir().unwrap();
    course(tmp.path());
    let class = tmp.path().join("class");
    submission(&class, "alice", GOOD);
    submission(&class, "bob", "pub fn add(a: i64, b: i64) -> i64 { a + }\n");
    submission(&class, "carol", &GOOD.replace("a + b", "a - b"));
    submission(&class, "mallory", HOSTILE);
    submission(&class, "zoe", GOOD);
    write_tree(&class, &[("dave/README.txt", "I forgot to submit")]);
    let grade = |jobs: &str| {
        let out = tmp.path().join(format!("out-{jobs}"));
        xtask(tmp.path())
            .args([
                "grade",
                "--no-timing",
                "--timeout",
                "3",
                "--jobs",
                jobs,
                "--class",
            ])
            .arg(&class)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (one, two) = (grade("1"), grade("2"));
    let read =
        |p: PathBuf| fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert_eq!(
        read(one.join("gradebook.csv")),
        read(two.join("gradebook.csv"))
    );
    for who in ["alice", "bob", "carol", "dave", "mallory", "zoe"] {
        let report = |out: &Path| -> Value {
            serde_json::from_str(&read(out.join(format!("reports/{who}.json")))).unwrap()
        };
        let (a, b) = (report(&one), report(&two));
        assert_eq!(verdicts(&a), verdicts(&b), "{who}");
        assert_eq!(
            (&a["score"], &a["max_score"]),
            (&b["score"], &b["max_score"]),
            "{who}"
        );
    }
    // The second job built in a build directory of its own.
    assert!(tmp.path().join("target/xtask/jobs/1").is_dir());
    // The class page lists mallory's timeouts and crashes, as her report has them.
    let page = read(two.join("class-report.html"));
    let mallory: Value = serde_json::from_str(&read(two.join("reports/mallory.json"))).unwrap();
    let timeouts = verdicts(&mallory)
        .iter()
        .filter(|v| v.1 == "timeout")
        .count();
    assert!(timeouts > 0);
    assert!(
        page.contains(&format!(
            "data-student=\"mallory\" data-kind=\"timeout\" data-count=\"{timeouts}\""
        )),
        "{page}"
    );
    assert!(page.contains("data-graded=\"6\"") && page.contains("data-jobs=\"2\""));
}

#[test]
fn a_jobs_count_of_zero_or_without_a_class_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    course(tmp.path());
    let class = tmp.path().join("class");
    submission(&class, "alice", GOOD);
    let refused = |cmd: &mut Command, word: &str| {
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(word), "{stderr}");
    };
    refused(
        xtask(tmp.path())
            .args(["grade", "--jobs", "0", "--class"])
            .arg(&class),
        "--jobs",
    );
    refused(xtask(tmp.path()).args(["grade", "--jobs", "2"]), "--class");
}

#[test]
fn hidden_test_messages_stay_hidden_and_gradescope_defers_them() {
    let tmp = tempfile::tempdir().unwrap();
    course(tmp.path());
    let sub = submission(
        tmp.path(),
        "eve",
        &GOOD.replace("a + b", "if a < 0 { 0 } else { a + b }"),
    );
    let out = tmp.path().join("results.json");
    xtask(tmp.path())
        .args(["grade", "--format", "gradescope", "--submission"])
        .arg(&sub)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = fs::read_to_string(&out).unwrap();
    assert!(
        !text.contains("secret expected value"),
        "hidden message leaked: {text}"
    );
    let results: Value = serde_json::from_str(&text).unwrap();
    let hidden = results["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "lab90 adds_negative_numbers")
        .unwrap();
    assert_eq!(hidden["visibility"], "after_due_date");
    assert_eq!(hidden["score"], 0.0);
    assert_eq!(results["score"], 11.0);
}

#[test]
fn unknown_labs_and_missing_folders_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    course(tmp.path());
    let stderr = |args: &[&str]| {
        let out = xtask(tmp.path())
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(stderr(&["grade", "lab77"]).contains("no lab named \"lab77\" (labs: lab90)"));
    assert!(stderr(&["grade", "--submission", "/nonexistent/folder"]).contains("does not exist"));
}

#[test]
fn regrading_a_changed_submission_recompiles_it() {
    let tmp = tempfile::tempdir().unwrap();
    course(tmp.path());
    let sub = submission(tmp.path(), "frank", GOOD);
    let score = || -> f64 {
        let out = xtask(tmp.path())
            .args(["grade", "--format", "json", "--submission"])
            .arg(&sub)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice::<Value>(&out).unwrap()["score"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(score(), 14.0);
    fs::write(
        sub.join("labs/lab90-toy/src/lib.rs"),
        GOOD.replace("a + b", "a - b"),
    )
    .unwrap();
    // `adds` (2 points) and the hidden test (3) now fail.
    assert_eq!(score(), 9.0, "the change was not compiled");
}

/// Attacks on the grader itself, one test each: every one expects `1`, which the attack
/// returns only if it worked.
const ATTACK_TESTS: &str = r#"
use lab90::*;

#[test]
fn reads_the_secret() {
    assert_eq!(forge_verdict(), 1);
}

#[test]
fn reads_the_solution_at_run_time() {
    assert_eq!(read_solution(), 1);
}

#[test]
fn writes_the_course() {
    assert_eq!(write_course(), 1);
}

#[test]
fn escapes_the_session() {
    assert_eq!(escape_session(), 1);
}

#[test]
fn exits_zero_after_failing() {
    assert_eq!(exit_after_failure(), 1);
}

#[test]
fn signals_the_grader() {
    assert_eq!(kill_grader(), 1);
}
"#;

/// The honest versions, so the solution passes.
const ATTACK_GOOD: &str = r#"
pub fn forge_verdict() -> i64 { 1 }
pub fn read_solution() -> i64 { 1 }
pub fn write_course() -> i64 { 1 }
pub fn escape_session() -> i64 { 1 }
pub fn exit_after_failure() -> i64 { 1 }
pub fn kill_grader() -> i64 { 1 }
"#;

/// The attacks; `@COURSE@` is the course's path.
const ATTACKS: &str = r#"
use std::io::Write;
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;

/// Every 32-hex-digit string of the test binary, written to the verdict pipe, then a failure.
pub fn forge_verdict() -> i64 {
    let mut pipe = unsafe { std::fs::File::from_raw_fd(3) };
    let mut stdin = String::new();
    let _ = std::io::stdin().read_line(&mut stdin);
    let mut candidates = vec![stdin.trim().to_string()];
    candidates.extend(std::env::vars().map(|(_, v)| v));
    candidates.extend(std::env::args());
    for path in ["/proc/self/exe".to_string(), std::env::current_exe().unwrap().display().to_string()] {
        if let Ok(bytes) = std::fs::read(&path) {
            for w in bytes.windows(32) {
                if w.iter().all(|b| b.is_ascii_hexdigit()) {
                    candidates.push(String::from_utf8_lossy(w).into_owned());
                }
            }
        }
    }
    for c in candidates {
        let _ = writeln!(pipe, "{c}");
    }
    // Had any candidate been the nonce, this exit would now count as a pass.
    std::process::exit(0)
}

pub fn read_solution() -> i64 {
    let hidden = std::fs::read_to_string("@COURSE@/solutions/lab90/hidden/extra.rs").is_ok();
    let grading = std::fs::read_to_string("@COURSE@/solutions/lab90/grading.toml").is_ok();
    let listing = std::fs::read_dir("@COURSE@/target").is_ok();
    if hidden || grading || listing { 1 } else { 0 }
}

pub fn write_course() -> i64 {
    let mut wrote = 0;
    for path in [
        "@COURSE@/PWNED",
        "@COURSE@/solutions/lab90/src/lib.rs",
        "@COURSE@/target/xtask/grade/PWNED",
        "/tmp/parlab-hostile-PWNED",
    ] {
        if std::fs::write(path, "pub fn add(a: i64, b: i64) -> i64 { a * 0 + b * 0 + 1 }").is_ok() {
            wrote = 1;
        }
    }
    wrote
}

pub fn escape_session() -> i64 {
    // A grandchild in a new session, orphaned at once: only a subreaper still sees it.
    let _ = std::process::Command::new("sh")
        .arg("-c")
        .arg("setsid sleep 987655 >/dev/null 2>&1 </dev/null &")
        .status();
    let _ = std::process::Command::new("sleep").arg("987655").process_group(0).spawn();
    1
}

pub fn exit_after_failure() -> i64 {
    // When the assertion fails, exit 0 from the panicking thread and from another one.
    std::panic::set_hook(Box::new(|_| {
        std::thread::spawn(|| std::process::exit(0));
        std::process::exit(0)
    }));
    2
}

pub fn kill_grader() -> i64 {
    let supervisor = std::os::unix::process::parent_id();
    let stat = std::fs::read_to_string(format!("/proc/{supervisor}/stat")).unwrap_or_default();
    let grader = stat.rsplit(')').next().unwrap_or("").split_whitespace().nth(1).unwrap_or("1").to_string();
    let ok = std::process::Command::new("kill")
        .args(["-KILL", &supervisor.to_string(), &grader])
        .status()
        .is_ok_and(|s| s.success());
    if ok { 1 } else { 0 }
}
"#;

/// A course with the attack tests besides the toy ones (in a folder the sandbox uid can
/// traverse, as on a real grader: see `common::tempdir`).
fn attack_course(root: &Path) {
    course(root);
    write_tree(
        root,
        &[
            ("labs/lab90-toy/tests/attacks.rs", ATTACK_TESTS),
            (
                "solutions/lab90/src/lib.rs",
                &format!("{GOOD}{ATTACK_GOOD}"),
            ),
        ],
    );
}

fn grade_json(course: &Path, sub: &Path, out: &Path) -> Value {
    xtask(course)
        .args([
            "grade",
            "--format",
            "json",
            "--timeout",
            "10",
            "--submission",
        ])
        .arg(sub)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    serde_json::from_str(&fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn attacks_on_the_grader_fail_and_leave_nothing_behind() {
    let tmp = tempdir();
    let root = tmp.path();
    attack_course(root);
    let lib = format!(
        "{GOOD}{}",
        ATTACKS.replace("@COURSE@", &root.display().to_string())
    );
    let sub = submission(root, "mallory", &lib);
    let report = grade_json(root, &sub, &root.join("report.json"));
    let isolation = report["isolation"].as_str().unwrap();
    assert!(isolation.contains("landlock ABI"), "{isolation}");
    // SAFETY: geteuid has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    let warnings = report["isolation_warnings"].as_array().unwrap();
    assert_eq!(
        warnings.is_empty(),
        as_root,
        "full isolation exactly when the grader is root: {warnings:?}"
    );
    let s = statuses(&report);
    if as_root {
        // Run as uid 65534, student code cannot read the binary that holds the nonce. (As
        // the grader's own uid it could: the report's isolation warning says so.)
        assert_eq!(status_of(&s, "reads_the_secret"), "crashed");
    }
    for test in [
        "reads_the_solution_at_run_time",
        "writes_the_course",
        "signals_the_grader",
    ] {
        assert_eq!(status_of(&s, test), "failed", "{test}");
    }
    assert_eq!(status_of(&s, "exits_zero_after_failing"), "crashed");
    // Escaping is not a wrong answer, but it is reported, and the processes are gone.
    assert_eq!(status_of(&s, "escapes_the_session"), "passed");
    let tests = report["labs"][0]["tests"].as_array().unwrap();
    let escape = tests
        .iter()
        .find(|t| t["name"] == "escapes_the_session")
        .unwrap();
    assert!(
        escape["message"]
            .as_str()
            .unwrap()
            .contains("left 2 process"),
        "{escape}"
    );
    assert_eq!(processes_with("987655"), 0, "an escaped process survived");
    for path in [
        root.join("PWNED"),
        root.join("target/xtask/grade/PWNED"),
        PathBuf::from("/tmp/parlab-hostile-PWNED"),
    ] {
        assert!(!path.exists(), "{} was written", path.display());
    }
    assert_eq!(
        fs::read_to_string(root.join("solutions/lab90/src/lib.rs")).unwrap(),
        format!("{GOOD}{ATTACK_GOOD}")
    );
    // The toy tests and the hidden one still graded normally beside the attacks.
    assert_eq!(status_of(&s, "adds"), "passed");
    assert_eq!(status_of(&s, "adds_negative_numbers"), "passed");
}

#[test]
fn src_that_reads_outside_itself_at_compile_time_scores_zero_with_file_and_line() {
    let tmp = tempdir();
    let root = tmp.path();
    attack_course(root);
    let hidden = root.join("solutions/lab90/hidden/extra.rs");
    let head = format!(
        "{GOOD}{ATTACK_GOOD}\n/// The hidden tests, compiled in.\npub const LEAK: &str =\n"
    );
    let line = head.lines().count() + 1;
    let lib = format!(
        "{head}    std::include_str ! ({:?});\n",
        hidden.display().to_string()
    );
    let sub = submission(root, "trudy", &lib);
    write_tree(
        &sub,
        &[(
            "labs/lab90-toy/src/more.rs",
            "#[cfg_attr(all(), path = \"../../../solutions/lab90/src/lib.rs\")]\nmod sol;\n",
        )],
    );
    let report = grade_json(root, &sub, &root.join("report.json"));
    assert_eq!(report["score"], 0.0);
    assert!(statuses(&report).iter().all(|(_, s)| s == "compile_error"));
    let notes = report["labs"][0]["notes"].to_string();
    assert!(
        notes.contains(&format!("src/lib.rs:{line}: `include_str`")),
        "{notes}"
    );
    assert!(notes.contains("src/more.rs:1: `#[path"), "{notes}");
}

#[test]
fn a_terminated_grader_stops_its_tests_and_writes_what_it_graded() {
    let tmp = tempdir();
    let root = tmp.path();
    attack_course(root);
    // A loop that outlives any patience, in a process that shows in /proc.
    let lib = format!(
        "{}{ATTACK_GOOD}",
        GOOD.replace(
            "pub fn terminates() -> i64 { 1 }",
            "pub fn terminates() -> i64 { let _c = std::process::Command::new(\"sleep\").arg(\"987656\").spawn(); loop { std::hint::spin_loop() } }"
        )
    );
    let sub = submission(root, "oscar", &lib);
    let out = root.join("report.json");
    let bin = assert_cmd::cargo::cargo_bin!("xtask");
    let mut grader = std::process::Command::new(bin)
        .arg("--course")
        .arg(root)
        .args([
            "grade",
            "--format",
            "json",
            "--timeout",
            "600",
            "--submission",
        ])
        .arg(&sub)
        .arg("--out")
        .arg(&out)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while processes_with("987656") == 0 {
        assert!(Instant::now() < deadline, "the looping test never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &grader.id().to_string()])
        .status()
        .unwrap();
    let status = grader.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15), "{status:?}");
    assert_eq!(
        processes_with("987656"),
        0,
        "the test's child outlived the grader"
    );
    let report: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["interrupted"], true);
    assert!(
        statuses(&report).iter().all(|(_, s)| s == "grader_error"),
        "{report}"
    );
}

#[test]
fn a_failing_reference_costs_the_student_nothing() {
    let tmp = tempdir();
    let root = tmp.path();
    attack_course(root);
    // The reference's `add` breaks on the timing workload's input only: its tests pass, its
    // timing run panics. A student's correct code must not pay for that.
    let poisoned = format!(
        "{}{ATTACK_GOOD}",
        GOOD.replace(
            "pub fn add(a: i64, b: i64) -> i64 { a + b }",
            "pub fn add(a: i64, b: i64) -> i64 { assert!(a != 1_000_003, \"the reference is broken\"); a + b }"
        )
    );
    write_tree(
        root,
        &[
            ("solutions/lab90/src/lib.rs", &poisoned),
            (
                "solutions/lab90/grading/timing.rs",
                "use parlab_harness::{Request, Workload};\n\nfn prepare(req: &Request) -> Option<Workload> {\n    match req.workload.as_str() {\n        \"add\" => Some(Box::new(|| {\n            std::hint::black_box(lab90::add(std::hint::black_box(1_000_003), 2));\n        })),\n        _ => None,\n    }\n}\n\nfn main() {\n    parlab_harness::main(prepare);\n}\n",
            ),
            (
                "solutions/lab90/grading.toml",
                "default_points = 3\n\n[[timing]]\nname = \"add_vs_reference\"\ndescription = \"add against the reference\"\nkind = \"ratio\"\nworkload = \"add\"\nmax_ratio = 2.0\npoints = 5\nrequires = [\"adds\"]\n",
            ),
        ],
    );
    let sub = submission(root, "grace", &format!("{GOOD}{ATTACK_GOOD}"));
    let out = root.join("report.json");
    // Only the toy tests and the timing check matter here: a short per-test limit.
    xtask(root)
        .args([
            "grade",
            "--format",
            "json",
            "--timeout",
            "10",
            "--submission",
        ])
        .arg(&sub)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    let lab = &report["labs"][0];
    let timing = &lab["timing"][0];
    assert_eq!(timing["status"], "grader_error", "{timing}");
    assert_eq!(timing["max_points"], 0.0, "{timing}");
    assert!(
        timing["message"]
            .as_str()
            .unwrap()
            .contains("the reference solution failed"),
        "{timing}"
    );
    assert_eq!(report["score"], report["max_score"], "{report}");
    assert!(
        lab["notes"].to_string().contains("grader error"),
        "{}",
        lab["notes"]
    );
}

/// The lab90 timing program: workload `add` times `add`, workload `answer` times `answer`.
const TOY_TIMING: &str = "use parlab_harness::{Request, Workload};\n\nfn prepare(req: &Request) -> Option<Workload> {\n    match req.workload.as_str() {\n        \"add\" => Some(Box::new(|| {\n            std::hint::black_box(lab90::add(std::hint::black_box(-2), -3));\n        })),\n        \"answer\" => Some(Box::new(|| {\n            std::hint::black_box(lab90::answer());\n        })),\n        _ => None,\n    }\n}\n\nfn main() {\n    parlab_harness::main(prepare);\n}\n";

/// Performance credit goes only to correct code, check by check: a submission whose `add`
/// is fast because it is wrong (on negative numbers: a hidden test catches it) gets none of
/// the `add` check's points, and the report names the test; its `answer` check, whose timed
/// code passes its own tests, is graded as usual. (The ratio thresholds are far beyond any
/// noise: this test is about the gate, not about timing.)
#[test]
fn fast_but_wrong_timed_code_earns_no_timing_points() {
    let tmp = tempdir();
    let root = tmp.path();
    course(root);
    write_tree(
        root,
        &[
            ("solutions/lab90/grading/timing.rs", TOY_TIMING),
            (
                "solutions/lab90/grading.toml",
                "default_points = 3\n\n[[timing]]\nname = \"add_vs_reference\"\nkind = \"ratio\"\nworkload = \"add\"\nmax_ratio = 1000.0\ncutoff = 100000.0\nreps = 1\npoints = 5\nrequires = [\"adds\", \"adds_negative_numbers\"]\n\n[[timing]]\nname = \"answer_vs_reference\"\nkind = \"ratio\"\nworkload = \"answer\"\nmax_ratio = 1000.0\ncutoff = 100000.0\nreps = 1\npoints = 2\nrequires = [\"wrong_answer\"]\n",
            ),
        ],
    );
    // Right on the visible test, wrong (and no slower) on what the hidden one checks; and a
    // failing test the timed code of neither check depends on.
    let lib = GOOD
        .replace(
            "pub fn add(a: i64, b: i64) -> i64 { a + b }",
            "pub fn add(a: i64, b: i64) -> i64 { if a < 0 { 0 } else { a + b } }",
        )
        .replace(
            "pub fn prints() -> i64 { 1 }",
            "pub fn prints() -> i64 { 2 }",
        );
    let sub = submission(root, "fast-but-wrong", &lib);
    let report = grade_json(root, &sub, &root.join("report.json"));
    let statuses = statuses(&report);
    assert_eq!(status_of(&statuses, "adds"), "passed", "{report:#}");
    assert_eq!(status_of(&statuses, "adds_negative_numbers"), "failed");
    assert_eq!(status_of(&statuses, "floods_output"), "failed");
    let timing = report["labs"][0]["timing"].as_array().unwrap();
    let add = timing
        .iter()
        .find(|t| t["name"] == "add_vs_reference")
        .unwrap();
    assert_eq!(add["points"], 0.0, "{add}");
    assert_eq!(add["max_points"], 5.0, "{add}");
    assert_eq!(
        add["withheld_by"],
        serde_json::json!(["adds_negative_numbers"]),
        "{add}"
    );
    assert!(
        add["message"]
            .as_str()
            .unwrap()
            .contains("adds_negative_numbers"),
        "{add}"
    );
    let answer = timing
        .iter()
        .find(|t| t["name"] == "answer_vs_reference")
        .unwrap();
    assert!(answer.get("withheld_by").is_none(), "{answer}");
    assert_eq!(answer["status"], "passed", "{answer}");
    assert_eq!(answer["points"], 2.0, "{answer}");
}

/// Given code is the course's: a submission that changes it (here, to make `add` wrong, as a
/// student might weaken a given checker or a loom shim) is graded with the course's copy,
/// and the report says so.
#[test]
fn a_changed_given_file_is_replaced_by_the_courses_copy() {
    let tmp = common::tempdir();
    course(tmp.path());
    // The header `cargo xtask sync` writes on given files, taken from a given file of the
    // real course, so that this test follows it.
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs/lab02-threads/src/lib.rs");
    let header: String = fs::read_to_string(real)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("// "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(header.starts_with("// Given code"), "{header}");
    let given = format!("{header}pub fn add(a: i64, b: i64) -> i64 {{\n    a + b\n}}\n");
    let lib = GOOD.replace(
        "pub fn add(a: i64, b: i64) -> i64 { a + b }",
        "mod given;\npub use given::add;",
    );
    write_tree(
        tmp.path(),
        &[
            ("labs/lab90-toy/src/given.rs", &given),
            ("labs/lab90-toy/src/lib.rs", &lib),
        ],
    );
    let sub = submission(tmp.path(), "mallory", &lib);
    let forged = given.replace("a + b", "a - b");
    write_tree(&sub, &[("labs/lab90-toy/src/given.rs", &forged)]);
    let out = tmp.path().join("report.json");
    xtask(tmp.path())
        .args(["grade", "--no-timing", "--format", "json", "--submission"])
        .arg(&sub)
        .arg("--out")
        .arg(&out)
        .arg("lab90")
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    let statuses = statuses(&report);
    assert_eq!(status_of(&statuses, "adds"), "passed", "{report:#}");
    let notes = report["labs"][0]["notes"].to_string();
    assert!(
        notes.contains("src/given.rs is given code: the course's copy was graded"),
        "{notes}"
    );
}
