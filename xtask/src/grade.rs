//! `cargo xtask grade`: which code to grade ([`run`]), and grading it, one lab of one
//! submission at a time, from its `src/` to a [`LabReport`] ([`Grader::grade_lab`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Error, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::course::{Course, Lab, TestFile, TimingCheck, Visibility};
use crate::report::{
    self, Calibration, Format, LabReport, Report, TestResult, TimingResult, TimingStatus,
};
use crate::runner::{self, Context, Prepared, Status, TestRun};
use crate::sandbox::Isolation;
use crate::scratch::{Scratch, TestBuild};
use crate::util;
use crate::{escape, interrupt, timing};

/// Where a lab's code comes from.
#[derive(Clone, Debug)]
pub struct LabSource {
    /// The `src/` folder to grade.
    pub src: PathBuf,
    /// The student's own `Cargo.toml`, to report dependencies it adds.
    pub manifest: Option<PathBuf>,
}

/// How to grade.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run the hidden tests (instructor checkout only).
    pub hidden: bool,
    /// Run the timing checks.
    pub timing: bool,
    /// Overrides every lab's per-test timeout.
    pub timeout: Option<Duration>,
    /// The instructor accepts weaker isolation than full (`--trusted`).
    pub trusted: bool,
    /// Stop a lab at its first test that does not pass (`check`'s mutants: one failing test
    /// is all it needs to know, and a hanging mutant would wait out every test's limit).
    pub fail_fast: bool,
}

/// Grades labs, keeping what is worth keeping between them: the machine's calibration and
/// the reference solution's timing programs.
pub struct Grader<'a> {
    course: &'a Course,
    options: Options,
    work: PathBuf,
    calibration: Option<Result<Calibration, String>>,
    reference_timing: BTreeMap<String, Result<PathBuf, String>>,
    isolation: Isolation,
    /// A concurrent job's own build directory (`grade --jobs`); `None`: the course's.
    build_dir: Option<PathBuf>,
    /// Leave the timing checks for [`Grader::time_lab`] (`grade --jobs`: they run after
    /// every submission's tests, one at a time, on an otherwise idle machine).
    defer_timing: bool,
}

/// A lab whose tests passed through [`Grader::grade_lab`] with its timing checks deferred.
pub struct PendingTiming {
    scratch: Scratch,
    is_reference: bool,
}

impl<'a> Grader<'a> {
    /// A grader working in `target/xtask/grade`.
    pub fn new(course: &'a Course, options: Options) -> Grader<'a> {
        let work = course.root.join("target").join("xtask").join("grade");
        let _ = fs::create_dir_all(&work);
        let isolation = Isolation::detect(options.trusted, &[&work]);
        Grader {
            course,
            options,
            work,
            calibration: None,
            reference_timing: BTreeMap::new(),
            isolation,
            build_dir: None,
            defer_timing: false,
        }
    }

    /// A grader for concurrent job `slot` of `grade --jobs`: slot 0 builds in the course's
    /// build directory, every other in `target/xtask/jobs/<slot>` (cargo runs that share one
    /// wait for each other's lock); its timing checks are left to [`Grader::time_lab`].
    pub fn for_job(course: &'a Course, options: Options, slot: usize) -> Grader<'a> {
        let mut grader = Grader::new(course, options);
        if slot > 0 {
            grader.build_dir = Some(
                course
                    .root
                    .join("target")
                    .join("xtask")
                    .join("jobs")
                    .join(slot.to_string()),
            );
        }
        grader.defer_timing = true;
        grader
    }

    /// The isolation student code runs under.
    pub fn isolation(&self) -> &Isolation {
        &self.isolation
    }

    /// The calibration measured so far, if any.
    pub fn calibration(&self) -> Option<Calibration> {
        self.calibration
            .as_ref()
            .and_then(|c| c.as_ref().ok().copied())
    }

    /// Grades every lab in `labs` for one submission; `source` says where each lab's code is
    /// (`None`: the lab is missing). `on_lab` sees the report after each lab, so an
    /// interrupted grading keeps what it graded.
    pub fn grade(
        &mut self,
        id: &str,
        labs: &[&Lab],
        source: &dyn Fn(&Lab) -> Option<LabSource>,
        on_lab: &mut dyn FnMut(&Report),
    ) -> Report {
        self.grade_deferring(id, labs, source, on_lab).0
    }

    /// [`Grader::grade`], returning also the labs whose timing checks were deferred (by
    /// index in the report's `labs`).
    pub fn grade_deferring(
        &mut self,
        id: &str,
        labs: &[&Lab],
        source: &dyn Fn(&Lab) -> Option<LabSource>,
        on_lab: &mut dyn FnMut(&Report),
    ) -> (Report, Vec<(usize, PendingTiming)>) {
        let started = std::time::Instant::now();
        let mut pending = Vec::new();
        let mut report = Report {
            submission: id.to_string(),
            score: 0.0,
            max_score: 0.0,
            labs: Vec::new(),
            calibration: None,
            isolation: self.isolation.describe(),
            isolation_warnings: self.isolation.shortfalls(),
            interrupted: false,
            seconds: None,
        };
        let interrupted = |grader: &Self, lab: &Lab| {
            grader.unusable(
                lab,
                Status::GraderError,
                "not graded: the grader was interrupted",
            )
        };
        for lab in labs {
            if interrupt::interrupted() {
                report.interrupted = true;
                report.labs.push(interrupted(self, lab));
                continue;
            }
            let lab_report = match source(lab) {
                Some(src) => match self.grade_lab_deferring(id, lab, &src) {
                    Ok((lab_report, later)) => {
                        if let Some(later) = later {
                            pending.push((report.labs.len(), later));
                        }
                        lab_report
                    }
                    Err(e) => {
                        self.unusable(lab, Status::GraderError, &format!("grading failed: {e:#}"))
                    }
                },
                None => self.unusable(
                    lab,
                    Status::CompileError,
                    &format!(
                        "this submission has no labs/{}/src folder: the lab scores 0",
                        lab.dir_name()
                    ),
                ),
            };
            if interrupt::interrupted() {
                // Its processes were killed mid-run: nothing it measured is a verdict.
                report.interrupted = true;
                report.labs.push(interrupted(self, lab));
                continue;
            }
            report.labs.push(lab_report);
            report.calibration = self.calibration();
            report.total();
            report.seconds = Some(started.elapsed().as_secs_f64());
            on_lab(&report);
        }
        if report.interrupted {
            report.total();
            on_lab(&report);
        }
        report.seconds = Some(started.elapsed().as_secs_f64());
        if report.interrupted {
            pending.clear();
        }
        (report, pending)
    }

    /// Runs the deferred timing checks of lab `lab` (see [`Grader::for_job`]) into its
    /// report, replacing the placeholders `grade_lab` left.
    pub fn time_lab(&mut self, lab: &Lab, pending: PendingTiming, report: &mut LabReport) {
        let PendingTiming {
            mut scratch,
            is_reference,
        } = pending;
        // Alone on the machine now: the course's build directory (its release dependencies
        // are compiled once, for every job).
        scratch.build_dir = None;
        report.timing.clear();
        self.timing_checks(lab, &scratch, is_reference, report);
        report.total();
    }

    /// A report in which every test fails for one reason (missing lab, broken grading).
    fn unusable(&self, lab: &Lab, status: Status, why: &str) -> LabReport {
        let mut report = LabReport::empty(&lab.name, vec![why.to_string()]);
        for file in lab.graded_files(self.options.hidden) {
            for name in &file.tests {
                report.tests.push(self.result(
                    lab,
                    file.visibility,
                    &file.target,
                    name,
                    status,
                    why.into(),
                    0,
                ));
            }
        }
        self.push_skipped_timing(lab, &mut report, "skipped: the lab was not graded");
        report.total();
        report
    }

    #[allow(clippy::too_many_arguments)]
    fn result(
        &self,
        lab: &Lab,
        visibility: Visibility,
        target: &str,
        name: &str,
        status: Status,
        message: String,
        ms: u64,
    ) -> TestResult {
        let max_points = lab.spec.points(visibility, name);
        TestResult {
            name: name.to_string(),
            target: target.to_string(),
            visibility,
            status,
            points: if status == Status::Passed {
                max_points
            } else {
                0.0
            },
            max_points,
            message,
            duration_ms: ms,
        }
    }

    fn push_skipped_timing(&self, lab: &Lab, report: &mut LabReport, why: &str) {
        if !self.options.timing {
            return;
        }
        for spec in &lab.spec.timing {
            report.timing.push(TimingResult::skipped(spec, why));
        }
    }

    /// Grades one lab of one submission: its `src/` in a scratch workspace, refused if it
    /// reaches outside itself, compiled, each graded test run in the sandbox, then timed.
    pub fn grade_lab(
        &mut self,
        id: &str,
        lab: &Lab,
        source: &LabSource,
    ) -> Result<LabReport, Error> {
        let defer = std::mem::replace(&mut self.defer_timing, false);
        let graded = self.grade_lab_deferring(id, lab, source);
        self.defer_timing = defer;
        graded.map(|(report, _)| report)
    }

    /// [`Grader::grade_lab`]; with `defer_timing`, the timing checks are placeholders and
    /// what they need comes back for [`Grader::time_lab`].
    fn grade_lab_deferring(
        &mut self,
        id: &str,
        lab: &Lab,
        source: &LabSource,
    ) -> Result<(LabReport, Option<PendingTiming>), Error> {
        let dir = self.work.join(sanitize(id)).join(&lab.name);
        let files: Vec<_> = lab.graded_files(self.options.hidden).cloned().collect();
        let want_timing = self.options.timing && !lab.spec.timing.is_empty();
        let mut scratch = Scratch::prepare(
            self.course,
            lab,
            &source.src,
            source.manifest.as_deref(),
            files,
            want_timing,
            &dir,
        )?;
        scratch.build_dir = self.build_dir.clone();
        let mut report = LabReport::empty(&lab.name, scratch.notes.clone());
        if !source.src.join("lib.rs").is_file() {
            report.notes.push("src/lib.rs is missing".into());
        }
        if let Some(note) = escape_note(&scratch.src_dir())? {
            let mut refused = self.refused(lab, report.notes);
            refused.notes.push(note);
            return Ok((refused, None));
        }
        let build = self.build(lab, &scratch)?;
        report.notes.extend(compile_note(&build));
        if let Some(note) = build.outside_reads(&scratch.src_dir(), &scratch.dir) {
            report.notes.push(note);
            return Ok((self.refused(lab, report.notes), None));
        }
        self.run_tests(lab, &scratch, &build, &dir, &mut report)?;
        let mut pending = None;
        if want_timing {
            let is_reference = is_reference(lab, source);
            if !self.defer_timing {
                self.timing_checks(lab, &scratch, is_reference, &mut report);
            } else if !scratch.timing
                || lab
                    .spec
                    .timing
                    .iter()
                    .all(|spec| !failing_requirements(&spec.requires, &report.tests).is_empty())
            {
                // Nothing to measure (no timing program, or every check withheld by its
                // tests): the checks are settled now, without the machine.
                self.timing_checks(lab, &scratch, is_reference, &mut report);
            } else {
                self.push_skipped_timing(
                    lab,
                    &mut report,
                    "pending: timing checks run after every submission's tests, one at a time",
                );
                pending = Some(PendingTiming {
                    scratch,
                    is_reference,
                });
            }
        }
        report.total();
        Ok((report, pending))
    }

    /// A report refusing to compile the lab: every test a compile error, `notes` first.
    fn refused(&self, lab: &Lab, notes: Vec<String>) -> LabReport {
        let mut refused = self.unusable(lab, Status::CompileError, "refused: see the notes");
        refused.notes.splice(0..0, notes);
        refused
    }

    /// Compiles the lab and its test targets, then the loom targets again under
    /// `--cfg loom`: their executables and errors replace the plain build's.
    fn build(&self, lab: &Lab, scratch: &Scratch) -> Result<TestBuild, Error> {
        let mut build = scratch.build_tests(self.course)?;
        let loom: Vec<String> = scratch
            .files
            .iter()
            .filter(|f| lab.is_loom(&f.target))
            .map(|f| f.target.clone())
            .collect();
        if loom.is_empty() || !build.lib_errors.is_empty() {
            return Ok(build);
        }
        let loom_build = scratch.build_loom(self.course, &loom)?;
        for target in &loom {
            build.executables.remove(target);
            if let Some(exe) = loom_build.executables.get(target) {
                build.executables.insert(target.clone(), exe.clone());
            }
            let errors = loom_build
                .lib_errors
                .iter()
                .chain(loom_build.target_errors.get(target).into_iter().flatten());
            let errors: Vec<String> = errors.cloned().collect();
            if !errors.is_empty() {
                build.target_errors.insert(target.clone(), errors);
            }
        }
        Ok(build)
    }

    /// Runs every graded test in the sandbox, file by file, each from a fresh copy of its
    /// test binary: one result per test in `report`, and a note per test file that does
    /// not compile. With `fail_fast`, it stops after the first file with a test that fails.
    fn run_tests(
        &self,
        lab: &Lab,
        scratch: &Scratch,
        build: &TestBuild,
        dir: &Path,
        report: &mut LabReport,
    ) -> Result<(), Error> {
        let timeout = self
            .options
            .timeout
            .unwrap_or(Duration::from_secs(lab.spec.timeout_secs));
        let bin_dir = dir.join("bin");
        let _ = fs::remove_dir_all(&bin_dir);
        let ctx = Context {
            isolation: &self.isolation,
            exec: &build.bins,
            private: &dir.join("private"),
        };
        let member = crate::scratch::member_name(&scratch.dir);
        let total: usize = scratch.files.iter().map(|f| f.tests.len()).sum();
        let mut leftovers = 0;
        for file in &scratch.files {
            let exe = build.executables.get(&file.target);
            if !build.lib_broken() && exe.is_none() {
                report.notes.push(uncompiled_note(file, build));
            }
            let prepared = exe.map(|exe| {
                let mark = scratch.markers.get(&file.target).map_or("", String::as_str);
                runner::prepare_exe(exe, mark, &bin_dir)
            });
            for name in &file.tests {
                if interrupt::interrupted() {
                    bail!("interrupted");
                }
                crate::status::set(
                    &format!("{}: testing", lab.name),
                    &format!("{name} ({} of {} done)", report.tests.len(), total),
                );
                let workdir = dir.join("run").join(name);
                let run = run_one(prepared.as_ref(), name, timeout, &ctx, &workdir);
                leftovers += run.leftovers;
                let message = if file.visibility == Visibility::Hidden
                    && run.status != Status::Passed
                    && !lab.spec.show_hidden_messages
                {
                    hidden_mask(run.status)
                } else {
                    student_paths(&run.message, &member, &file.target)
                };
                report.tests.push(self.result(
                    lab,
                    file.visibility,
                    &file.target,
                    name,
                    run.status,
                    message,
                    run.elapsed.as_millis() as u64,
                ));
                if self.options.fail_fast && run.status != Status::Passed {
                    break;
                }
            }
            if self.options.fail_fast && report.tests.iter().any(|t| t.status != Status::Passed) {
                report.notes.push(
                    "stopped at the first test that did not pass (fail-fast): the tests after it were not run".into(),
                );
                break;
            }
        }
        let _ = fs::remove_dir_all(&bin_dir);
        if leftovers > 0 {
            report.notes.push(format!(
                "tests left {leftovers} process(es) running after they ended; the grader killed them (see each test's message)"
            ));
        }
        Ok(())
    }

    /// Runs the lab's timing checks whose code deserves them: each check needs every test
    /// it `requires` to pass (performance credit goes only to correct code, and only the
    /// tests of the timed code decide), and the lab needs a timing program. The machine is
    /// calibrated once per grading run.
    fn timing_checks(
        &mut self,
        lab: &Lab,
        scratch: &Scratch,
        is_reference: bool,
        report: &mut LabReport,
    ) {
        if !scratch.timing {
            let why = format!(
                "skipped: solutions/{}/grading/timing.rs is missing",
                lab.name
            );
            self.push_skipped_timing(lab, report, &why);
            return;
        }
        let gates: Vec<Vec<String>> = lab
            .spec
            .timing
            .iter()
            .map(|spec| failing_requirements(&spec.requires, &report.tests))
            .collect();
        if gates.iter().all(|failing| !failing.is_empty()) {
            for (spec, failing) in lab.spec.timing.iter().zip(&gates) {
                report.timing.push(withheld(spec, failing));
            }
            return;
        }
        let student = match scratch.build_timing(self.course) {
            Ok(exe) => exe,
            Err(e) => {
                self.push_skipped_timing(lab, report, &format!("{e:#}"));
                return;
            }
        };
        let reference = if is_reference {
            Ok(student.clone())
        } else {
            self.reference_timing(lab)
        };
        let bins = Vec::new();
        let private = scratch.dir.join("private");
        let ctx = Context {
            isolation: &self.isolation,
            exec: &bins,
            private: &private,
        };
        let workdir = scratch.dir.join("run").join("timing");
        let measure = timing::Sandboxed {
            student: &student,
            reference: reference.as_deref().ok(),
            ctx: &ctx,
            workdir: &workdir,
        };
        if self.calibration.is_none() {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            self.calibration =
                Some(timing::calibrate(&measure, threads).map_err(|e| format!("{e:#}")));
        }
        if let Some(Err(e)) = &self.calibration {
            report.notes.push(format!(
                "grader error: the machine calibration failed, so speedup checks put no points at stake: {e}"
            ));
        }
        for (spec, failing) in lab.spec.timing.iter().zip(&gates) {
            if !failing.is_empty() {
                report.timing.push(withheld(spec, failing));
                continue;
            }
            crate::status::set(&format!("{}: timing", lab.name), &spec.name);
            // A student release has no reference solution: its ratio checks are estimates.
            let result = match spec.check {
                TimingCheck::Ratio { .. } if lab.solution_dir.is_none() => timing::estimate(
                    spec,
                    &measure,
                    self.calibration
                        .as_ref()
                        .map(|c| c.as_ref().map_err(String::as_str)),
                ),
                _ => timing::check(
                    spec,
                    &measure,
                    reference.as_ref().map(|_| ()).map_err(String::as_str),
                    self.calibration
                        .as_mut()
                        .map(|c| c.as_mut().map_err(|e| e.as_str())),
                ),
            };
            report.timing.push(result);
        }
        let disturbed: Vec<&str> = report
            .timing
            .iter()
            .filter(|t| t.status == TimingStatus::Disturbed)
            .map(|t| t.name.as_str())
            .collect();
        if !disturbed.is_empty() {
            report.notes.push(format!(
                "timing checks not graded because the machine was busy (no points at stake; grade again on a quiet machine): {}",
                disturbed.join(", ")
            ));
        }
        let failed: Vec<String> = report
            .timing
            .iter()
            .filter(|t| t.status == TimingStatus::GraderError)
            .map(|t| format!("grader error in timing check `{}`: {}", t.name, t.message))
            .collect();
        report.notes.extend(failed);
    }

    /// The reference solution's timing program for `lab`, built once per grading run.
    fn reference_timing(&mut self, lab: &Lab) -> Result<PathBuf, String> {
        let Some(sol) = lab.solution_dir.clone() else {
            return Err("this checkout has no reference solution".into());
        };
        let course = self.course;
        let dir = self.work.join("_reference").join(&lab.name);
        self.reference_timing
            .entry(lab.name.clone())
            .or_insert_with(|| {
                let scratch =
                    Scratch::prepare(course, lab, &sol.join("src"), None, Vec::new(), true, &dir)
                        .map_err(|e| format!("{e:#}"))?;
                scratch.build_timing(course).map_err(|e| format!("{e:#}"))
            })
            .clone()
    }
}

/// A note refusing the lab when its `src/` reaches outside itself at compile time (see
/// `escape`), naming each place.
fn escape_note(src: &Path) -> Result<Option<String>, Error> {
    let escapes = escape::scan_dir(src)?;
    if escapes.is_empty() {
        return Ok(None);
    }
    let mut note = String::from(
        "the grader refused to compile this lab: its src/ reaches outside itself at compile time (the lab scores 0):",
    );
    for e in &escapes {
        note.push_str(&format!("\n  {e}"));
    }
    Ok(Some(note))
}

/// A note with the first compiler errors, when the library itself does not compile.
fn compile_note(build: &TestBuild) -> Option<String> {
    if !build.lib_broken() {
        return None;
    }
    let mut note = String::from("the lab does not compile; the first errors:\n");
    for e in build.lib_errors.iter().take(3) {
        note.push_str(e);
    }
    if let Some(other) = &build.other_error {
        note.push_str(other);
    }
    Some(util::truncate(&note, 6000))
}

/// A note for a test file that does not compile against the student's library (which does).
fn uncompiled_note(file: &TestFile, build: &TestBuild) -> String {
    match file.visibility {
        Visibility::Visible => {
            let first = build
                .target_errors
                .get(&file.target)
                .and_then(|e| e.first())
                .map_or("", |e| e.as_str());
            format!(
                "tests/{}.rs does not compile against your code (does your public API match the stub's?):\n{}",
                file.target,
                util::truncate(first, 3000)
            )
        }
        Visibility::Hidden => "the hidden tests do not compile against your code: keep every public name and signature exactly as in the stub".into(),
    }
}

/// Runs test `name` from its prepared binary (`None`: its file did not compile).
fn run_one(
    prepared: Option<&Result<Prepared, Error>>,
    name: &str,
    timeout: Duration,
    ctx: &Context,
    workdir: &Path,
) -> TestRun {
    let unrun = |status, message| TestRun {
        status,
        message,
        elapsed: Duration::ZERO,
        leftovers: 0,
    };
    match prepared {
        None => unrun(
            Status::CompileError,
            "does not compile (see the notes)".into(),
        ),
        Some(Err(e)) => unrun(
            Status::GraderError,
            format!("the grader could not prepare the test binary: {e:#}"),
        ),
        Some(Ok(exe)) => runner::run_test(exe, name, timeout, ctx, workdir).unwrap_or_else(|e| {
            unrun(
                Status::GraderError,
                format!("the grader could not run this test: {e:#}"),
            )
        }),
    }
}

/// A test's message with the scratch workspace's paths shown as the student's own.
fn student_paths(message: &str, member: &str, target: &str) -> String {
    message.replace(&format!("{member}/src/"), "src/").replace(
        &format!(
            "{member}/grading-tests/{}-{target}.rs",
            crate::scratch::TEST_MODULE
        ),
        &format!("tests/{target}.rs"),
    )
}

/// The tests of `requires` that did not pass in `tests`, in the order `requires` names
/// them. A required test absent from `tests` (a hidden one, where the hidden tests are not
/// run) does not count against the check: only a verdict does.
pub fn failing_requirements(requires: &[String], tests: &[TestResult]) -> Vec<String> {
    requires
        .iter()
        .filter(|name| {
            tests
                .iter()
                .any(|t| &t.name == *name && t.status != Status::Passed)
        })
        .cloned()
        .collect()
}

/// A timing check whose points are withheld because tests of its timed code failed.
fn withheld(spec: &crate::course::TimingSpec, failing: &[String]) -> TimingResult {
    let mut result = TimingResult::skipped(
        spec,
        &format!(
            "withheld: performance credit goes only to correct code, and {} of the {} tests \
             this check's timed code must pass did not pass: {}",
            failing.len(),
            spec.requires.len(),
            failing.join(", ")
        ),
    );
    result.withheld_by = failing.to_vec();
    result
}

/// Whether `source` is the lab's reference solution itself (`--solutions`, `check`): its
/// timing program is then the reference's, built once, not twice.
fn is_reference(lab: &Lab, source: &LabSource) -> bool {
    lab.solution_dir
        .as_ref()
        .is_some_and(|sol| sol.join("src").canonicalize().ok() == source.src.canonicalize().ok())
}

/// What a student sees of a hidden test that did not pass: its status, never its message.
fn hidden_mask(status: Status) -> String {
    let what = match status {
        Status::Failed => "failed",
        Status::Timeout => "ran past its time limit",
        Status::Crashed => "crashed",
        Status::CompileError => "did not compile",
        Status::GraderError => "could not be run by the grader",
        Status::Passed => "passed",
    };
    format!(
        "a hidden test {what}; its message is withheld from this report (hidden tests stay private unless the lab's grading spec sets show_hidden_messages)"
    )
}

/// A folder-safe version of a submission's name.
pub fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Finds lab `lab` in a submission folder: `DIR/labs/<lab folder>`, or any folder of
/// `DIR/labs/` whose name starts with the lab's package name.
pub fn find_in_submission(dir: &Path, lab: &Lab) -> Option<LabSource> {
    let labs = dir.join("labs");
    let exact = labs.join(lab.dir_name());
    let folder = if exact.join("src").is_dir() {
        exact
    } else {
        fs::read_dir(&labs)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("src").is_dir())
            .find(|p| {
                p.file_name()
                    .is_some_and(|f| f.to_string_lossy().starts_with(&lab.name))
            })?
    };
    Some(LabSource {
        src: folder.join("src"),
        manifest: Some(folder.join("Cargo.toml")).filter(|m| m.is_file()),
    })
}

/// What `cargo xtask grade` grades.
#[derive(Clone, Debug)]
pub enum Target {
    /// This checkout's own code (`labs/*/src`).
    Checkout,
    /// The reference solutions (`solutions/*/src`).
    Solutions,
    /// A student's copy: a folder holding `labs/`.
    Submission(PathBuf),
    /// Every subfolder of a folder, one submission each.
    Class(PathBuf),
}

/// `cargo xtask grade`, as the command line asks for it.
#[derive(Clone, Debug)]
pub struct Request {
    /// Labs to grade, e.g. `lab01` or `1` (all when empty).
    pub labs: Vec<String>,
    /// Whose code.
    pub target: Target,
    /// Report format.
    pub format: Format,
    /// The report file (for a class: the output folder, default `grading-out`).
    pub out: Option<PathBuf>,
    /// Run the timing checks (only where the checkout has the solutions).
    pub timing: bool,
    /// Overrides every lab's per-test timeout.
    pub timeout: Option<Duration>,
    /// Accept weaker isolation than full (`--trusted`).
    pub trusted: bool,
    /// With a class: submissions whose tests are built and run at once (timing checks
    /// still run one at a time, after them).
    pub jobs: usize,
}

/// Where each lab's code is, for one submission (`None`: the lab is missing).
type SourceFn = dyn Fn(&Lab) -> Option<LabSource>;

/// `cargo xtask grade`: grades a submission (or a class) and prints or writes its report.
pub fn run(root: &Path, request: Request) -> Result<bool, Error> {
    let course = Course::load(root)?;
    let labs = course.select(&request.labs)?;
    let hidden = course.has_solutions();
    // A student release has the timing checks `dist` wrote: its own code is timed there.
    let release_timing = !hidden && labs.iter().any(|l| !l.spec.timing.is_empty());
    let options = Options {
        hidden,
        timing: request.timing && (hidden || release_timing),
        timeout: request.timeout,
        trusted: request.trusted,
        fail_fast: false,
    };
    if !hidden {
        eprintln!(
            "note: this checkout has no solutions/: grading the visible tests only{}",
            if !release_timing {
                ", without timing checks"
            } else if request.timing {
                "; the speedup checks are measured as the grader would, the ratio checks \
                 estimated against the reference's recorded time (--no-timing to skip them)"
            } else {
                ", without timing checks (--no-timing)"
            }
        );
    }
    let mut grader = Grader::new(&course, options.clone());
    announce_isolation(grader.isolation(), hidden, request.trusted);
    let (id, source): (String, Box<SourceFn>) = match &request.target {
        Target::Class(class) => {
            let out = request
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from("grading-out"));
            let class = Class {
                dir: class,
                out: &out,
                format: request.format,
                jobs: request.jobs.max(1),
                options: &options,
            };
            return grade_class(&course, &labs, &mut grader, &class);
        }
        Target::Submission(dir) => {
            if !dir.is_dir() {
                bail!("submission folder {} does not exist", dir.display());
            }
            let dir = dir.clone();
            (
                dir.display().to_string(),
                Box::new(move |lab| find_in_submission(&dir, lab)),
            )
        }
        Target::Solutions => {
            if !hidden {
                bail!("--solutions needs the instructor checkout (solutions/ is missing)");
            }
            (
                "solutions".into(),
                Box::new(|lab: &Lab| {
                    lab.solution_dir.as_ref().map(|d| LabSource {
                        src: d.join("src"),
                        manifest: None,
                    })
                }),
            )
        }
        Target::Checkout => (
            "this checkout".into(),
            Box::new(|lab: &Lab| {
                Some(LabSource {
                    src: lab.dir.join("src"),
                    manifest: None,
                })
            }),
        ),
    };
    let out = request.out.as_deref();
    grade_submission(&mut grader, &id, &labs, &*source, request.format, out)?;
    Ok(true)
}

/// Says on stderr what isolation student code gets, and what it lacks.
fn announce_isolation(isolation: &Isolation, hidden: bool, trusted: bool) {
    eprintln!("isolation: {}", isolation.describe());
    // A student grading their own code in the release has nothing to protect from it.
    for w in isolation.shortfalls().into_iter().filter(|_| hidden) {
        if trusted {
            eprintln!("note (--trusted): {w}");
        } else {
            eprintln!(
                "WARNING: student code is less isolated than it should be: {w}\n         grading anyway; every report says so (pass --trusted to acknowledge)"
            );
        }
    }
}

/// Grades one submission with a progress bar, then writes its report to `out` (rewritten
/// after every lab, so an interrupted grading keeps what it graded) or prints it.
fn grade_submission(
    grader: &mut Grader,
    id: &str,
    labs: &[&Lab],
    source: &SourceFn,
    format: Format,
    out: Option<&Path>,
) -> Result<(), Error> {
    let spinner = progress_bar(labs.len() as u64, "labs");
    crate::status::attach(&spinner);
    let mut done = 0;
    let report = grader.grade(id, labs, source, &mut |partial| {
        done += 1;
        spinner.set_position(done);
        if let Some(out) = out {
            // Written after every lab: an interrupted grading keeps what it graded.
            if let Err(e) = report::write(partial, format, out) {
                spinner.println(format!("warning: cannot write {}: {e:#}", out.display()));
            }
        }
    });
    crate::status::detach();
    spinner.finish_and_clear();
    match out {
        Some(out) => {
            report::write(&report, format, out)?;
            eprintln!(
                "{}: {}/{} written to {}",
                report.submission,
                report.score,
                report.max_score,
                out.display()
            );
        }
        None => print!("{}", report::render(&report, format)?),
    }
    Ok(())
}

/// A class to grade: its folder, where the reports go, and how.
struct Class<'a> {
    dir: &'a Path,
    out: &'a Path,
    format: Format,
    jobs: usize,
    options: &'a Options,
}

/// Grades every subfolder of `class.dir` as one submission: a report each in
/// `out/reports`, the gradebook `out/gradebook.csv` and the class page
/// `out/class-report.html`, rewritten after each submission.
///
/// With `jobs` above 1, that many submissions are built and tested at once, each job in a
/// build directory of its own (see [`Grader::for_job`]); their timing checks wait until every
/// submission's tests are done, then run one submission at a time with `grader`, alone on
/// the machine, so that no speedup is measured beside another job's compiler.
fn grade_class(
    course: &Course,
    labs: &[&Lab],
    grader: &mut Grader,
    class: &Class,
) -> Result<bool, Error> {
    let started = std::time::Instant::now();
    let mut students: Vec<PathBuf> = fs::read_dir(class.dir)
        .with_context(|| format!("reading the class folder {}", class.dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    students.sort();
    if students.is_empty() {
        bail!("{} has no submission folders", class.dir.display());
    }
    let names: Vec<String> = students
        .iter()
        .map(|dir| {
            dir.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let mut seen = BTreeMap::new();
    for name in &names {
        if let Some(other) = seen.insert(sanitize(name), name) {
            bail!(
                "submissions {other:?} and {name:?} have the same folder-safe name {:?}: rename one",
                sanitize(name)
            );
        }
    }
    let reports_dir = class.out.join("reports");
    util::create_dir_all(&reports_dir)?;
    let lab_names: Vec<String> = labs.iter().map(|l| l.name.clone()).collect();
    let write_reports = |report: &Report| -> Result<(), Error> {
        let file = reports_dir.join(sanitize(&report.submission));
        report::write(report, Format::Json, &file.with_extension("json"))?;
        report::write(report, Format::Table, &file.with_extension("txt"))?;
        match class.format {
            Format::Gradescope => report::write(
                report,
                class.format,
                &file.with_extension("gradescope.json"),
            ),
            Format::Junit => report::write(report, class.format, &file.with_extension("xml")),
            Format::Table | Format::Json => Ok(()),
        }
    };
    let partial = |report: &Report| {
        let file = reports_dir.join(sanitize(&report.submission));
        let _ = report::write(report, Format::Json, &file.with_extension("json"));
    };
    let mut rows: Vec<(String, Report)> = Vec::new();
    let finish = |rows: &mut Vec<(String, Report)>, report: Report| -> Result<(), Error> {
        write_reports(&report)?;
        rows.push((report.submission.clone(), report));
        report::write_gradebook(&class.out.join("gradebook.csv"), &lab_names, rows)?;
        let summary = crate::class_report::Summary {
            course: course.root.display().to_string(),
            labs: lab_names.clone(),
            students: students.len(),
            jobs: class.jobs,
            seconds: started.elapsed().as_secs_f64(),
        };
        util::write(
            &class.out.join(crate::class_report::FILE),
            crate::class_report::render(&summary, rows).as_bytes(),
        )
    };
    if class.jobs <= 1 {
        let bar = progress_bar(students.len() as u64, "submissions");
        for (dir, student) in students.iter().zip(&names) {
            bar.set_message(student.clone());
            let report = grader.grade(
                student,
                labs,
                &|lab| find_in_submission(dir, lab),
                &mut |r| partial(r),
            );
            bar.println(format!("{student}: {}/{}", report.score, report.max_score));
            finish(&mut rows, report)?;
            bar.inc(1);
        }
        bar.finish_and_clear();
    } else {
        // Phase 1: tests, `jobs` submissions at once, each job with its own grader.
        let bar = progress_bar(students.len() as u64, "submissions tested");
        let next = std::sync::atomic::AtomicUsize::new(0);
        let tested: std::sync::Mutex<Vec<Option<Tested>>> =
            std::sync::Mutex::new((0..students.len()).map(|_| None).collect());
        std::thread::scope(|scope| {
            for slot in 0..class.jobs.min(students.len()) {
                let (bar, next, tested) = (&bar, &next, &tested);
                let (students, names, partial) = (&students, &names, &partial);
                scope.spawn(move || {
                    let mut job = Grader::for_job(course, class.options.clone(), slot);
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let (Some(dir), Some(student)) = (students.get(i), names.get(i)) else {
                            break;
                        };
                        let (report, pending) = job.grade_deferring(
                            student,
                            labs,
                            &|lab| find_in_submission(dir, lab),
                            &mut |r| partial(r),
                        );
                        bar.println(format!(
                            "{student}: tests {}/{}{}",
                            report.score,
                            report.max_score,
                            if pending.is_empty() {
                                ""
                            } else {
                                " (timing checks later)"
                            }
                        ));
                        bar.inc(1);
                        if let Ok(mut tested) = tested.lock() {
                            tested[i] = Some((report, pending));
                        }
                    }
                });
            }
        });
        bar.finish_and_clear();
        // Phase 2: timing checks, one submission at a time, nothing else running.
        let tested = tested
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a grading job panicked"))?;
        let bar = progress_bar(students.len() as u64, "submissions timed");
        for (slot, student) in tested.into_iter().zip(&names) {
            let Some((mut report, pending)) = slot else {
                bail!("{student} was not graded: a grading job stopped early");
            };
            bar.set_message(student.clone());
            let timed = std::time::Instant::now();
            for (index, pending) in pending {
                if interrupt::interrupted() {
                    report.interrupted = true;
                    break;
                }
                let lab_report = &mut report.labs[index];
                if let Some(lab) = labs.iter().find(|l| l.name == lab_report.lab) {
                    grader.time_lab(lab, pending, lab_report);
                }
            }
            report.calibration = grader.calibration().or(report.calibration);
            report.total();
            report.seconds = Some(report.seconds.unwrap_or(0.0) + timed.elapsed().as_secs_f64());
            bar.println(format!("{student}: {}/{}", report.score, report.max_score));
            finish(&mut rows, report)?;
            bar.inc(1);
        }
        bar.finish_and_clear();
    }
    eprintln!(
        "graded {} submissions of {} in {:.1} min ({} job(s)): {}, {} and {}",
        rows.len(),
        course.root.display(),
        started.elapsed().as_secs_f64() / 60.0,
        class.jobs,
        class.out.join("gradebook.csv").display(),
        class.out.join(crate::class_report::FILE).display(),
        reports_dir.display()
    );
    Ok(true)
}

/// A submission whose tests ran: its report and the timing checks it still needs.
type Tested = (Report, Vec<(usize, PendingTiming)>);

/// A progress bar on stderr, counting `unit`s.
fn progress_bar(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {unit}, {{eta}} left  {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(name: &str, status: Status) -> TestResult {
        TestResult {
            name: name.into(),
            target: "t".into(),
            visibility: Visibility::Visible,
            status,
            points: 0.0,
            max_points: 1.0,
            message: String::new(),
            duration_ms: 0,
        }
    }

    #[test]
    fn only_the_required_tests_that_fail_withhold_a_timing_check() {
        let tests = [
            test("timed_is_right", Status::Passed),
            test("timed_is_exact", Status::Failed),
            test("unrelated", Status::Failed),
            test("timed_terminates", Status::Timeout),
        ];
        let requires = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(failing_requirements(&requires(&["timed_is_right"]), &tests).is_empty());
        assert_eq!(
            failing_requirements(
                &requires(&["timed_terminates", "timed_is_right", "timed_is_exact"]),
                &tests
            ),
            ["timed_terminates", "timed_is_exact"]
        );
        // A required test that was not run (a hidden one, in a student's release) has no
        // verdict to hold against the check.
        assert!(failing_requirements(&requires(&["hidden_one"]), &tests).is_empty());
    }

    #[test]
    fn sanitize_keeps_names_folder_safe() {
        assert_eq!(sanitize("alice smith/../x"), "alice_smith____x");
    }
}
