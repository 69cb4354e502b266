//! Grading: one lab of one submission, from its `src/` to a [`LabReport`].

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::course::{Course, Lab, Visibility};
use crate::report::{Calibration, LabReport, Report, TestResult, TimingResult};
use crate::runner::{self, Status};
use crate::scratch::Scratch;
use crate::timing;
use crate::util::{self, Error};

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
}

/// Grades labs, keeping what is worth keeping between them: the machine's calibration and
/// the reference solution's timing programs.
pub struct Grader<'a> {
    course: &'a Course,
    options: Options,
    work: PathBuf,
    calibration: Option<Result<Calibration, String>>,
    reference_timing: BTreeMap<String, Result<PathBuf, String>>,
}

impl<'a> Grader<'a> {
    /// A grader working in `target/xtask/grade`.
    pub fn new(course: &'a Course, options: Options) -> Grader<'a> {
        Grader {
            course,
            options,
            work: course.root.join("target").join("xtask").join("grade"),
            calibration: None,
            reference_timing: BTreeMap::new(),
        }
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
        let mut report = Report {
            submission: id.to_string(),
            score: 0.0,
            max_score: 0.0,
            labs: Vec::new(),
            calibration: None,
        };
        for lab in labs {
            let lab_report = match source(lab) {
                Some(src) => self
                    .grade_lab(id, lab, &src)
                    .unwrap_or_else(|e| self.unusable(lab, &format!("grading failed: {e}"))),
                None => self.unusable(
                    lab,
                    &format!(
                        "this submission has no labs/{}/src folder: the lab scores 0",
                        lab.dir_name()
                    ),
                ),
            };
            report.labs.push(lab_report);
            report.calibration = self.calibration();
            report.total();
            on_lab(&report);
        }
        report
    }

    /// A report in which every test fails for one reason (missing lab, broken grading).
    fn unusable(&self, lab: &Lab, why: &str) -> LabReport {
        let mut report = LabReport::empty(&lab.name, vec![why.to_string()]);
        for file in lab.graded_files(self.options.hidden) {
            for name in &file.tests {
                report.tests.push(self.result(
                    lab,
                    file.visibility,
                    &file.target,
                    name,
                    Status::CompileError,
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

    /// Grades one lab of one submission.
    pub fn grade_lab(
        &mut self,
        id: &str,
        lab: &Lab,
        source: &LabSource,
    ) -> Result<LabReport, Error> {
        let dir = self.work.join(sanitize(id)).join(&lab.name);
        let files: Vec<_> = lab.graded_files(self.options.hidden).cloned().collect();
        let want_timing = self.options.timing && !lab.spec.timing.is_empty();
        let scratch = Scratch::prepare(
            self.course,
            lab,
            &source.src,
            source.manifest.as_deref(),
            files,
            want_timing,
            &dir,
        )?;
        let mut report = LabReport::empty(&lab.name, scratch.notes.clone());
        if !source.src.join("lib.rs").is_file() {
            report.notes.push("src/lib.rs is missing".into());
        }
        let mut build = scratch.build_tests(self.course)?;
        let loom: Vec<String> = scratch
            .files
            .iter()
            .filter(|f| lab.is_loom(&f.target))
            .map(|f| f.target.clone())
            .collect();
        if !loom.is_empty() && build.lib_errors.is_empty() {
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
        }
        let lib_broken = !build.lib_errors.is_empty() || build.other_error.is_some();
        if lib_broken {
            let mut note = String::from("the lab does not compile; the first errors:\n");
            for e in build.lib_errors.iter().take(3) {
                note.push_str(e);
            }
            if let Some(other) = &build.other_error {
                note.push_str(other);
            }
            report.notes.push(util::truncate(&note, 6000));
        }
        let timeout = self
            .options
            .timeout
            .unwrap_or(Duration::from_secs(lab.spec.timeout_secs));
        let run_dir = dir.join("run");
        for file in &scratch.files {
            let exe = build.executables.get(&file.target);
            let target_errors = build.target_errors.get(&file.target);
            if !lib_broken && exe.is_none() {
                let why = match file.visibility {
                    Visibility::Visible => {
                        let first = target_errors.and_then(|e| e.first()).map_or("", |e| e.as_str());
                        format!(
                            "tests/{}.rs does not compile against your code (does your public API match the stub's?):\n{}",
                            file.target,
                            util::truncate(first, 3000)
                        )
                    }
                    Visibility::Hidden => "the hidden tests do not compile against your code: keep every public name and signature exactly as in the stub".into(),
                };
                report.notes.push(why);
            }
            for name in &file.tests {
                let result = match exe {
                    None => self.result(
                        lab,
                        file.visibility,
                        &file.target,
                        name,
                        Status::CompileError,
                        "does not compile (see the notes)".into(),
                        0,
                    ),
                    Some(exe) => {
                        let run = runner::run_test(exe, name, timeout, &run_dir)?;
                        let message = if file.visibility == Visibility::Hidden
                            && run.status == Status::Failed
                            && !lab.spec.show_hidden_messages
                        {
                            "a hidden test failed (its details are shown after the deadline)".into()
                        } else {
                            // Scratch paths mean nothing to the student: show their own.
                            let member = crate::scratch::member_name(&scratch.dir);
                            run.message.replace(&format!("{member}/src/"), "src/")
                        };
                        self.result(
                            lab,
                            file.visibility,
                            &file.target,
                            name,
                            run.status,
                            message,
                            run.elapsed.as_millis() as u64,
                        )
                    }
                };
                report.tests.push(result);
            }
        }
        if want_timing {
            self.timing_checks(lab, &scratch, &mut report);
        }
        report.total();
        Ok(report)
    }

    fn timing_checks(&mut self, lab: &Lab, scratch: &Scratch, report: &mut LabReport) {
        let failing = report
            .tests
            .iter()
            .filter(|t| t.status != Status::Passed)
            .count();
        if failing > 0 {
            let why = format!(
                "skipped: performance credit goes only to correct code ({failing} tests not passing)"
            );
            self.push_skipped_timing(lab, report, &why);
            return;
        }
        if !scratch.timing {
            let why = format!(
                "skipped: solutions/{}/grading/timing.rs is missing",
                lab.name
            );
            self.push_skipped_timing(lab, report, &why);
            return;
        }
        let student = match scratch.build_timing(self.course) {
            Ok(exe) => exe,
            Err(e) => {
                self.push_skipped_timing(lab, report, &e.to_string());
                return;
            }
        };
        let reference = self.reference_timing(lab);
        let workdir = scratch.dir.join("run");
        let _ = fs::create_dir_all(&workdir);
        if self.calibration.is_none() {
            let exe = reference.as_deref().unwrap_or(&student);
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            self.calibration =
                Some(timing::calibrate(exe, threads, &workdir).map_err(|e| e.to_string()));
        }
        let cal = self.calibration();
        if let Some(Err(e)) = &self.calibration {
            report
                .notes
                .push(format!("machine calibration failed: {e}"));
        }
        for spec in &lab.spec.timing {
            report.timing.push(timing::check(
                spec,
                &student,
                reference.as_deref(),
                cal.as_ref(),
                &workdir,
            ));
        }
    }

    /// The reference solution's timing program for `lab`, built once per grading run.
    fn reference_timing(&mut self, lab: &Lab) -> Option<PathBuf> {
        let sol = lab.solution_dir.clone()?;
        let course = self.course;
        let dir = self.work.join("_reference").join(&lab.name);
        self.reference_timing
            .entry(lab.name.clone())
            .or_insert_with(|| {
                let scratch =
                    Scratch::prepare(course, lab, &sol.join("src"), None, Vec::new(), true, &dir)
                        .map_err(|e| e.to_string())?;
                scratch.build_timing(course).map_err(|e| e.to_string())
            })
            .as_ref()
            .ok()
            .cloned()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_names_folder_safe() {
        assert_eq!(sanitize("alice smith/../x"), "alice_smith____x");
    }
}
