//! `cargo xtask check`: proves the course is sound, like rustlings' `dev check`.
//!
//! For every lab: the stub compiles without warnings; every graded test fails on the stub
//! (a test that passes there asserts nothing about the task); the solution passes every
//! visible and hidden test (and its own unit tests), meets every timing threshold and scores
//! full marks; every mutant scores less (loom targets are graded tests, compiled under
//! `--cfg loom`). Then the course's own tests run and the student release builds.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Error, bail};
use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

use crate::course::{Course, Lab, MutantSpec, Visibility};
use crate::grade::{Grader, LabSource, Options};
use crate::report::{LabReport, TimingStatus};
use crate::runner::Status;
use crate::scratch;
use crate::util;

/// Tally of check results, printed as they come, each with the seconds it took.
struct Tally {
    passed: usize,
    failed: Vec<String>,
    last: Instant,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            passed: 0,
            failed: Vec::new(),
            last: Instant::now(),
        }
    }

    fn record(&mut self, ok: bool, what: &str, detail: &str) {
        let secs = self.last.elapsed().as_secs_f64();
        self.last = Instant::now();
        if ok {
            self.passed += 1;
            println!("  ok    {what} ({secs:.0} s)");
        } else {
            self.failed.push(what.to_string());
            println!("  FAIL  {what} ({secs:.0} s)");
        }
        for line in detail.lines().filter(|l| !l.is_empty()) {
            println!("        {line}");
        }
    }

    /// Records a check whose `Err` says what is wrong.
    fn record_result(&mut self, result: Result<(), String>, what: &str) {
        self.record(result.is_ok(), what, result.err().as_deref().unwrap_or(""));
    }

    /// The closing summary: the time, what failed, and the line CI systems read.
    fn summary(&self, start: Instant) {
        println!(
            "\ncheck finished in {:.0} s: {} passed, {} failed",
            start.elapsed().as_secs_f64(),
            self.passed,
            self.failed.len()
        );
        for f in &self.failed {
            println!("  failed: {f}");
        }
        // The plain summary line CI systems read.
        println!("{} passed, {} failed", self.passed, self.failed.len());
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// How `check` grades: with the hidden tests, under full isolation's rules.
fn options(timing: bool, fail_fast: bool) -> Options {
    Options {
        hidden: true,
        timing,
        timeout: None,
        trusted: false,
        fail_fast,
    }
}

/// `cargo xtask check [LAB...]`; returns whether everything passed.
pub fn run(root: &Path, names: &[String], timing: bool) -> Result<bool, Error> {
    let course = Course::load(root)?;
    if !course.has_solutions() {
        bail!("check needs the instructor checkout: this one has no solutions/");
    }
    let labs = course.select(names)?;
    let start = Instant::now();
    let mut tally = Tally::new();
    check_course_tests(root, &mut tally)?;
    print_isolation(&course);
    println!("== generated files and grading specs (cargo xtask sync --check)");
    let findings = crate::sync::check(root)?;
    tally.record(
        findings.is_clean(),
        "stubs, given files and solution manifests are current; specs name real tests",
        &findings.to_string(),
    );
    for lab in &labs {
        println!("== {} ({})", lab.name, lab.dir_name());
        check_lab(&course, lab, timing, &mut tally)?;
    }
    println!("== student release");
    tally.record_result(
        check_dist(&course),
        "cargo xtask dist builds, with every lab's tests",
    );
    tally.summary(start);
    Ok(tally.failed.is_empty())
}

/// `cargo test` at the root: the finance crate, the grader and the harness.
fn check_course_tests(root: &Path, tally: &mut Tally) -> Result<(), Error> {
    println!("== the course's own tests (cargo test: finance, xtask, harness)");
    let mut cmd = cargo();
    cmd.arg("test").current_dir(root);
    let status = cmd
        .status()
        .with_context(|| format!("running {}", util::describe_command(&cmd)))?;
    tally.record(status.success(), "cargo test (default members)", "");
    Ok(())
}

/// The isolation the mutants and solutions run under, and what it lacks.
fn print_isolation(course: &Course) {
    let isolation = Grader::new(course, options(false, false))
        .isolation()
        .clone();
    println!("== isolation of student code: {}", isolation.describe());
    for w in isolation.shortfalls() {
        println!("  WARNING: weaker isolation than full: {w}");
    }
}

/// The solution's own unit tests (`#[cfg(test)]` modules in its `src/`, inside solution
/// markers, so no stub has them): what the graded tests cannot reach, such as a kernel this
/// CPU does not choose. Run in the solutions workspace, as an instructor would
/// (`cd solutions && cargo test --lib -p labNN`); a lab without any is not listed.
fn check_solution_unit_tests(
    course: &Course,
    lab: &Lab,
    sol: &Path,
    tally: &mut Tally,
) -> Result<(), Error> {
    let src = sol.join("src");
    let has_unit_tests = util::files_under(&src)?
        .iter()
        .filter(|f| f.extension().is_some_and(|x| x == "rs"))
        .any(|f| fs::read_to_string(src.join(f)).is_ok_and(|text| text.contains("#[cfg(test)]")));
    if !has_unit_tests {
        return Ok(());
    }
    let mut cmd = cargo();
    // From `solutions/`, so that its `.cargo/config.toml` gives it its own target directory.
    cmd.args(["test", "--lib", "-p", &lab.name])
        .current_dir(course.root.join("solutions"));
    let out = cmd
        .output()
        .with_context(|| format!("running {}", util::describe_command(&cmd)))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures: String = stdout
        .lines()
        .filter(|l| l.contains("FAILED") || l.contains("panicked"))
        .collect::<Vec<_>>()
        .join("\n");
    tally.record(
        out.status.success(),
        &format!("{}: the solution's own unit tests pass", lab.name),
        &if out.status.success() {
            String::new()
        } else if failures.is_empty() {
            util::truncate(String::from_utf8_lossy(&out.stderr).trim(), 4000)
        } else {
            failures
        },
    );
    Ok(())
}

/// Every check of one lab: its spec, its stub, its solution, its mutants.
fn check_lab(course: &Course, lab: &Lab, timing: bool, tally: &mut Tally) -> Result<(), Error> {
    let Some(sol) = &lab.solution_dir else {
        tally.record(
            false,
            &format!("{}: has a solution", lab.name),
            "solutions/<lab>/ is missing",
        );
        return Ok(());
    };
    check_stub_warnings(course, lab, tally)?;
    check_stub_fails(course, lab, tally)?;
    check_solution(course, lab, sol, timing, tally)?;
    check_solution_unit_tests(course, lab, sol, tally)?;
    for mutant in &lab.spec.mutants {
        check_mutant(course, lab, sol, mutant, timing, tally);
    }
    Ok(())
}

/// The stub compiles without warnings, all its targets included.
fn check_stub_warnings(course: &Course, lab: &Lab, tally: &mut Tally) -> Result<(), Error> {
    let warnings = stub_warnings(course, lab)?;
    tally.record(
        warnings.is_empty(),
        &format!("{}: the stub compiles without warnings", lab.name),
        &warnings.join("\n"),
    );
    Ok(())
}

/// Every graded test compiles against the stub and fails there: one that passes asserts
/// nothing about the task.
fn check_stub_fails(course: &Course, lab: &Lab, tally: &mut Tally) -> Result<(), Error> {
    let mut grader = Grader::new(course, options(false, false));
    let stub = grader.grade_lab(
        "_check-stub",
        lab,
        &LabSource {
            src: lab.dir.join("src"),
            manifest: None,
        },
    )?;
    let passing: Vec<&str> = stub
        .tests
        .iter()
        .filter(|t| t.status == Status::Passed)
        .map(|t| t.name.as_str())
        .collect();
    let uncompiled = stub
        .tests
        .iter()
        .any(|t| matches!(t.status, Status::CompileError | Status::GraderError));
    tally.record(
        passing.is_empty() && !uncompiled,
        &format!(
            "{}: every graded test fails on the stub ({} tests)",
            lab.name,
            stub.tests.len()
        ),
        &if uncompiled {
            format!(
                "the tests do not compile against the stub:\n{}",
                stub.notes.join("\n")
            )
        } else if passing.is_empty() {
            String::new()
        } else {
            format!(
                "these pass on the stub, so they assert nothing about the task: {}",
                passing.join(", ")
            )
        },
    );
    Ok(())
}

/// Gradings of the solution, at most, until every timing check is measured.
const SOLUTION_GRADINGS: usize = 3;

/// The solution scores full marks, every timing check measured (unless `timing` is off).
fn check_solution(
    course: &Course,
    lab: &Lab,
    sol: &Path,
    timing: bool,
    tally: &mut Tally,
) -> Result<(), Error> {
    // A busy machine can leave a timing check unmeasured (skipped at calibration, or
    // disturbed), which says nothing about the course: grade again, with a fresh
    // calibration, up to SOLUTION_GRADINGS times. A check that fails on a quiet machine
    // still fails every time.
    // A GPU check skipped on a software adapter (or none) is not a fault of this machine's
    // check: such a machine cannot measure it, and CI runs on one (lavapipe).
    let needs_gpu = |name: &str| {
        lab.spec
            .timing
            .iter()
            .any(|s| s.name == name && s.needs_gpu)
    };
    let unmeasured = |report: &crate::report::LabReport| {
        report.timing.iter().any(|t| match t.status {
            TimingStatus::Skipped => !needs_gpu(&t.name),
            TimingStatus::GraderError | TimingStatus::Disturbed => true,
            _ => false,
        })
    };
    let mut attempt = 1;
    let solution = loop {
        let mut grader = Grader::new(course, options(timing, false));
        let solution = grader.grade_lab(
            "_check-solution",
            lab,
            &LabSource {
                src: sol.join("src"),
                manifest: None,
            },
        )?;
        let tests_pass = solution.tests.iter().all(|t| t.points >= t.max_points);
        if !timing || !tests_pass || !unmeasured(&solution) || attempt == SOLUTION_GRADINGS {
            break solution;
        }
        println!(
            "        {}: a timing check went unmeasured on a busy machine; grading the solution again ({} of {SOLUTION_GRADINGS})",
            lab.name,
            attempt + 1
        );
        attempt += 1;
    };
    let unmeasured = unmeasured(&solution);
    tally.record(
        solution.score == solution.max_score && solution.max_score > 0.0 && !unmeasured,
        &format!(
            "{}: the solution scores full marks ({}/{}{})",
            lab.name,
            solution.score,
            solution.max_score,
            if timing {
                ", with timing"
            } else {
                ", timing skipped"
            }
        ),
        &shortfall(&solution),
    );
    for t in &solution.timing {
        println!("        timing {}: {}", t.name, t.message);
    }
    Ok(())
}

/// A mutant scores less than full marks, and grading it meets no grader error.
fn check_mutant(
    course: &Course,
    lab: &Lab,
    sol: &Path,
    mutant: &MutantSpec,
    timing: bool,
    tally: &mut Tally,
) {
    let (ok, detail) = match grade_mutant(course, lab, sol, mutant, timing) {
        Ok(report) if report.tests.iter().any(|t| t.status == Status::GraderError) => (
            false,
            format!("grader errors while grading it:\n{}", shortfall(&report)),
        ),
        Ok(report) if report.score < report.max_score => {
            (true, format!("caught by: {}", caught_by(&report)))
        }
        Ok(_) => (
            false,
            format!(
                "scores full marks: add a hidden test that catches it ({})",
                mutant.description
            ),
        ),
        Err(e) => (false, format!("{e:#}")),
    };
    tally.record(
        ok,
        &format!("{}: mutant `{}` is caught", lab.name, mutant.name),
        &detail,
    );
}

fn shortfall(report: &LabReport) -> String {
    let mut lines: Vec<String> = report
        .tests
        .iter()
        .filter(|t| t.status != Status::Passed)
        .map(|t| format!("{} {:?}: {}", t.name, t.status, t.message))
        .collect();
    lines.extend(
        report
            .timing
            .iter()
            .filter(|t| {
                t.points < t.max_points
                    || matches!(t.status, TimingStatus::Skipped | TimingStatus::Disturbed)
            })
            .map(|t| format!("timing {} {:?}: {}", t.name, t.status, t.message)),
    );
    lines.extend(report.notes.iter().cloned());
    util::truncate(&lines.join("\n"), 4000)
}

fn caught_by(report: &LabReport) -> String {
    let mut names: Vec<String> = report
        .tests
        .iter()
        .filter(|t| t.status != Status::Passed)
        .map(|t| match t.visibility {
            Visibility::Visible => t.name.clone(),
            Visibility::Hidden => format!("{} (hidden)", t.name),
        })
        .collect();
    names.extend(
        report
            .timing
            .iter()
            .filter(|t| t.points < t.max_points)
            .map(|t| format!("timing {}", t.name)),
    );
    names.join(", ")
}

/// Grades the mutant: the solution with its one find/replace edit, until a test fails.
fn grade_mutant(
    course: &Course,
    lab: &Lab,
    sol: &Path,
    mutant: &MutantSpec,
    timing: bool,
) -> Result<LabReport, Error> {
    let src_file = sol.join(&mutant.file);
    let text = util::read_to_string(&src_file)?;
    let count = text.matches(&mutant.find).count();
    if count != 1 {
        bail!(
            "its `find` text occurs {count} times in {} (it must occur exactly once)",
            mutant.file
        );
    }
    let dir = course
        .root
        .join("target/xtask/mutants")
        .join(&lab.name)
        .join(&mutant.name);
    if dir.exists() {
        util::remove_dir_all(&dir)?;
    }
    copy_dir(&sol.join("src"), &dir.join("src"))?;
    let rel = Path::new(&mutant.file);
    util::write(
        &dir.join(rel),
        text.replacen(&mutant.find, &mutant.replace, 1),
    )?;
    // One failing test proves the mutant is caught.
    let mut grader = Grader::new(course, options(timing && mutant.timing, true));
    // One scratch workspace for all the mutants of a lab: each differs from the last in a
    // line or two, so Cargo's incremental build recompiles little, where a folder per mutant
    // would compile the lab and every test target from scratch.
    grader.grade_lab(
        "_mutants",
        lab,
        &LabSource {
            src: dir.join("src"),
            manifest: None,
        },
    )
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    util::create_dir_all(to)?;
    let entries = fs::read_dir(from).with_context(|| format!("reading {}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest)
                .with_context(|| format!("copying {} to {}", path.display(), dest.display()))?;
        }
    }
    Ok(())
}

/// Warnings rustc reports for the stub (library, tests, examples, benches).
fn stub_warnings(course: &Course, lab: &Lab) -> Result<Vec<String>, Error> {
    let mut cmd = cargo();
    cmd.args([
        "build",
        "-p",
        &lab.name,
        "--all-targets",
        "--message-format=json",
    ])
    .current_dir(&course.root);
    let out = util::run_full(cmd, Duration::from_secs(20 * 60))?;
    let mut warnings = Vec::new();
    let mut built = false;
    for msg in scratch::messages(&out.stdout) {
        match msg {
            // The lab's own targets all live in its folder (dependencies' do not).
            Message::CompilerMessage(m)
                if m.message.level == DiagnosticLevel::Warning
                    && m.target.src_path.starts_with(&lab.dir) =>
            {
                warnings.extend(m.message.rendered);
            }
            Message::BuildFinished(f) => built = f.success,
            _ => {}
        }
    }
    if !built {
        return Ok(vec![format!(
            "the stub does not build:\n{}",
            util::truncate(&out.stderr, 3000)
        )]);
    }
    Ok(warnings)
}

/// Writes the release to a scratch folder and proves it builds, with every lab's tests.
///
/// It is built in a target and build directory of its own. The release is a copy of this
/// checkout, and Cargo names a path package's artifacts by its path relative to the
/// workspace, the same in both: sharing the course's build directory, the release's
/// artifacts (its `xtask` test binary, its labs) would replace the checkout's, and a later
/// `cargo test` at the root would run the release's binaries.
///
/// `cargo check --all-targets` is the proof: the release differs from the checkout only in
/// which files it has and in its root manifest, which the type-checker sees in full (every
/// lab's tests, examples and benches), while the rest of `check` compiles and links the
/// same code in the checkout (`cargo test`, each lab's stub with all its targets). Cold, it
/// takes half the time of `cargo test --no-run` and a quarter of its disk (no code
/// generation, no linking; 176 s and 220 MB against 351 s and 937 MB on 2 cores).
fn check_dist(course: &Course) -> Result<(), String> {
    let out = course.root.join("target/xtask/dist");
    let out_err = |e: Error| format!("{e:#}");
    if out.exists() {
        util::remove_dir_all(&out).map_err(out_err)?;
    }
    crate::dist::write(&course.root, &out).map_err(out_err)?;
    // Every file under the release, as written (git would list none of them: the release is
    // written under the course's ignored `target/`).
    let leaked: Vec<String> = util::files_under(&out)
        .map_err(out_err)?
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p.starts_with("solutions") || p.contains("hidden"))
        .collect();
    if !leaked.is_empty() {
        return Err(format!(
            "instructor files in the release: {}",
            leaked.join(", ")
        ));
    }
    let target = course.root.join("target/xtask/dist-target");
    let mut cmd = cargo();
    cmd.args(["check", "--workspace", "--all-targets", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_BUILD_BUILD_DIR", &target)
        .current_dir(&out)
        .stdin(Stdio::null());
    let out = util::run_full(cmd, Duration::from_secs(20 * 60)).map_err(out_err)?;
    match out.outcome {
        util::Outcome::Exited(s) if s.success() => Ok(()),
        _ => Err(util::truncate(&out.stderr, 4000)),
    }
}
