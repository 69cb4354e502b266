//! Grade reports and their formats: the terminal table, the tool's JSON, Gradescope's
//! `results.json`, JUnit XML, and the class gradebook CSV.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Error};
use serde::Serialize;

use crate::course::{TimingKind, Visibility};
use crate::runner::Status;
use crate::util;

/// The report of one submission.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Which code was graded: a folder, "checkout" or "solutions".
    pub submission: String,
    /// Points earned.
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// One entry per lab graded.
    pub labs: Vec<LabReport>,
    /// The machine's calibration, when timing checks ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
    /// The isolation student code ran under (see `docs/GRADING.md`, threat model).
    pub isolation: String,
    /// What full isolation would add, when the machine offers less.
    pub isolation_warnings: Vec<String>,
    /// The grader was stopped (Ctrl-C, SIGTERM) before it graded every lab.
    pub interrupted: bool,
    /// Wall time spent grading this submission, in seconds (with `grade --class --jobs`, its
    /// tests ran beside other submissions' and its timing checks later, alone; both count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// The machine as measured at grading time.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Calibration {
    /// Threads the parallel variants use (`available_parallelism`, honours cgroup quotas).
    pub threads: usize,
    /// Speedup of the embarrassingly parallel reference kernel on `threads` threads.
    pub speedup: f64,
}

/// The report of one lab.
#[derive(Clone, Debug, Serialize)]
pub struct LabReport {
    /// Package name, `lab01`.
    pub lab: String,
    /// Points earned.
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// One entry per graded test.
    pub tests: Vec<TestResult>,
    /// One entry per timing check.
    pub timing: Vec<TimingResult>,
    /// Remarks: compile errors, ignored dependencies, skipped checks.
    pub notes: Vec<String>,
}

/// One graded test.
#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    /// The test function's name.
    pub name: String,
    /// The test file (Cargo target) it belongs to.
    pub target: String,
    /// Visible or hidden.
    pub visibility: Visibility,
    /// Passed, failed, timeout, crashed or compile_error.
    pub status: Status,
    /// Points earned.
    pub points: f64,
    /// Points available.
    pub max_points: f64,
    /// Why it did not pass (empty when it passed).
    pub message: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

/// The verdict of a timing check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingStatus {
    /// Full credit.
    Passed,
    /// Some credit: slower than the threshold but within the cut-off.
    Partial,
    /// No credit.
    Failed,
    /// Not run (say why in `message`): no credit, and no points at stake (`max_points` 0)
    /// when the machine, not the code, is the reason.
    Skipped,
    /// The grader could not measure it (the reference solution or the calibration failed):
    /// the course's fault, so no points are at stake (`max_points` 0).
    GraderError,
    /// The machine was busy during too many attempts to judge the code (see
    /// `timing::check`): no points at stake (`max_points` 0); grade it again on a quiet
    /// machine.
    Disturbed,
}

/// One timing check.
#[derive(Clone, Debug, Serialize)]
pub struct TimingResult {
    /// Identifier from the spec.
    pub name: String,
    /// What is compared.
    pub description: String,
    /// Speedup or ratio.
    pub kind: TimingKind,
    /// Passed, partial, failed or skipped.
    pub status: TimingStatus,
    /// The measured speedup or ratio.
    pub measured: Option<f64>,
    /// The threshold for full credit, in the same unit.
    pub threshold: Option<f64>,
    /// Points earned.
    pub points: f64,
    /// Points available.
    pub max_points: f64,
    /// Medians and attempts, or why it was skipped.
    pub message: String,
    /// Whether `points` is an estimate (a ratio check in a student release, against the
    /// reference's recorded figure): the grader measures the reference itself.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub estimate: bool,
    /// The tests the check requires that did not pass: its points were withheld for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld_by: Vec<String>,
    /// Speedup checks: the lowest speedup of the calibration kernel measured beside the
    /// attempt that counts (the machine's state while the figure was taken).
    pub kernel: Option<f64>,
    /// Attempts discarded because the machine was busy while they ran (measured again);
    /// a figure taken after such retries says so in `message`.
    pub disturbed_attempts: u32,
}

impl TimingResult {
    /// A check that did not run, for the reason `why`, with its points still at stake.
    pub fn skipped(spec: &crate::course::TimingSpec, why: &str) -> TimingResult {
        TimingResult {
            name: spec.name.clone(),
            description: spec.description.clone(),
            kind: spec.check.kind(),
            status: TimingStatus::Skipped,
            measured: None,
            threshold: None,
            points: 0.0,
            max_points: spec.points,
            message: why.to_string(),
            estimate: false,
            withheld_by: Vec::new(),
            kernel: None,
            disturbed_attempts: 0,
        }
    }
}

impl LabReport {
    /// A report of `lab` with no results yet.
    pub fn empty(lab: &str, notes: Vec<String>) -> LabReport {
        LabReport {
            lab: lab.to_string(),
            score: 0.0,
            max_score: 0.0,
            tests: Vec::new(),
            timing: Vec::new(),
            notes,
        }
    }

    /// Recomputes the lab's score from its tests and timing checks.
    pub fn total(&mut self) {
        self.score = self.tests.iter().map(|t| t.points).sum::<f64>()
            + self.timing.iter().map(|t| t.points).sum::<f64>();
        self.max_score = self.tests.iter().map(|t| t.max_points).sum::<f64>()
            + self.timing.iter().map(|t| t.max_points).sum::<f64>();
    }
}

impl Report {
    /// Recomputes the totals.
    pub fn total(&mut self) {
        self.score = self.labs.iter().map(|l| l.score).sum();
        self.max_score = self.labs.iter().map(|l| l.max_score).sum();
    }
}

/// Output formats of `grade`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// The tool's own schema.
    Json,
    /// Gradescope's autograder `results.json`.
    Gradescope,
    /// JUnit XML for CI systems and GitHub Classroom.
    Junit,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> Result<String, Error> {
    match format {
        Format::Table => Ok(table(report)),
        Format::Json => serde_json::to_string_pretty(report).context("rendering the JSON report"),
        Format::Gradescope => gradescope(report),
        Format::Junit => junit(report),
    }
}

fn fmt_points(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// The terminal table.
pub fn table(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Grade report: {}", report.submission);
    let _ = writeln!(s, "Isolation: {}", report.isolation);
    for w in &report.isolation_warnings {
        let _ = writeln!(s, "WARNING: weaker isolation than full: {w}");
    }
    if report.interrupted {
        let _ = writeln!(
            s,
            "INTERRUPTED: the grader was stopped; labs marked grader_error were not graded"
        );
    }
    if let Some(c) = &report.calibration {
        let _ = writeln!(
            s,
            "Machine calibration: {:.2}x speedup on {} threads (reference kernel)",
            c.speedup, c.threads
        );
    }
    for lab in &report.labs {
        let _ = writeln!(
            s,
            "\n{}  {}/{}",
            lab.lab,
            fmt_points(lab.score),
            fmt_points(lab.max_score)
        );
        let width = lab
            .tests
            .iter()
            .map(|t| t.name.len())
            .max()
            .unwrap_or(10)
            .min(60);
        for t in &lab.tests {
            let mark = if t.status == Status::Passed {
                "ok  "
            } else {
                "FAIL"
            };
            let vis = match t.visibility {
                Visibility::Visible => "",
                Visibility::Hidden => " (hidden)",
            };
            let _ = writeln!(
                s,
                "  {mark} {:<width$} {:>5}/{:<3} {:?}{vis}",
                t.name,
                fmt_points(t.points),
                fmt_points(t.max_points),
                t.status,
            );
            if !t.message.is_empty() {
                for line in t.message.lines().take(8) {
                    let _ = writeln!(s, "         | {line}");
                }
            }
        }
        for t in &lab.timing {
            let measured = t.measured.map_or("-".into(), |m| format!("{m:.2}x"));
            let threshold = t.threshold.map_or("-".into(), |m| format!("{m:.2}x"));
            let _ = writeln!(
                s,
                "  time {:<width$} {:>5}/{:<3} {:?}: measured {measured}, full credit at {} {threshold}",
                t.name,
                fmt_points(t.points),
                fmt_points(t.max_points),
                t.status,
                match t.kind {
                    TimingKind::Speedup => ">=",
                    TimingKind::Ratio => "<=",
                },
            );
            if t.estimate {
                let _ = writeln!(
                    s,
                    "         | ESTIMATE on this machine (the grader measures the reference itself)"
                );
            }
            if !t.message.is_empty() {
                let _ = writeln!(s, "         | {}", t.message);
            }
        }
        for note in &lab.notes {
            for (i, line) in note.lines().take(30).enumerate() {
                let _ = writeln!(s, "  {} {line}", if i == 0 { "note:" } else { "     " });
            }
        }
    }
    let _ = writeln!(
        s,
        "\nTotal: {}/{}",
        fmt_points(report.score),
        fmt_points(report.max_score)
    );
    s
}

#[derive(Serialize)]
struct GsTest<'a> {
    name: String,
    score: f64,
    max_score: f64,
    status: &'a str,
    output: String,
    visibility: &'a str,
}

#[derive(Serialize)]
struct GsResults<'a> {
    score: f64,
    output: String,
    visibility: &'a str,
    stdout_visibility: &'a str,
    tests: Vec<GsTest<'a>>,
}

/// Gradescope's autograder format: hidden tests become `after_due_date`.
fn gradescope(report: &Report) -> Result<String, Error> {
    let mut tests = Vec::new();
    for lab in &report.labs {
        for t in &lab.tests {
            tests.push(GsTest {
                name: format!("{} {}", lab.lab, t.name),
                score: t.points,
                max_score: t.max_points,
                status: if t.status == Status::Passed {
                    "passed"
                } else {
                    "failed"
                },
                output: if t.message.is_empty() {
                    format!("{:?}", t.status).to_lowercase()
                } else {
                    t.message.clone()
                },
                visibility: match t.visibility {
                    Visibility::Visible => "visible",
                    Visibility::Hidden => "after_due_date",
                },
            });
        }
        for t in &lab.timing {
            tests.push(GsTest {
                name: format!("{} timing: {}", lab.lab, t.name),
                score: t.points,
                max_score: t.max_points,
                status: if t.status == TimingStatus::Passed {
                    "passed"
                } else {
                    "failed"
                },
                output: format!("{}\n{}", t.description, t.message),
                visibility: "after_due_date",
            });
        }
    }
    let mut notes = vec![format!("Isolation: {}", report.isolation)];
    notes.extend(
        report
            .isolation_warnings
            .iter()
            .map(|w| format!("WARNING: weaker isolation than full: {w}")),
    );
    notes.extend(
        report
            .labs
            .iter()
            .flat_map(|l| l.notes.iter().map(move |n| format!("{}: {n}", l.lab))),
    );
    let results = GsResults {
        score: report.score,
        output: notes.join("\n"),
        visibility: "visible",
        stdout_visibility: "hidden",
        tests,
    };
    serde_json::to_string_pretty(&results).context("rendering the Gradescope report")
}

fn junit(report: &Report) -> Result<String, Error> {
    use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
    let mut jr = JReport::new(format!("parlab: {}", report.submission));
    for lab in &report.labs {
        let mut suite = TestSuite::new(lab.lab.clone());
        suite.add_property(("isolation", report.isolation.as_str()));
        for w in &report.isolation_warnings {
            suite.add_property(("isolation-warning", w.as_str()));
        }
        for t in &lab.tests {
            let status = match t.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Failed => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(t.message.clone());
                    s
                }
                _ => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(format!("{:?}: {}", t.status, t.message));
                    s
                }
            };
            let mut case = TestCase::new(t.name.clone(), status);
            case.set_classname(format!("{}::{}", lab.lab, t.target));
            case.set_time(std::time::Duration::from_millis(t.duration_ms));
            suite.add_test_case(case);
        }
        for t in &lab.timing {
            let status = if t.status == TimingStatus::Passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(t.message.clone());
                s
            };
            let mut case = TestCase::new(t.name.clone(), status);
            case.set_classname(format!("{}::timing", lab.lab));
            suite.add_test_case(case);
        }
        jr.add_test_suite(suite);
    }
    jr.to_string().context("rendering the JUnit report")
}

/// Writes `report` in `format` to the file `out`, creating its folder.
pub fn write(report: &Report, format: Format, out: &Path) -> Result<(), Error> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        util::create_dir_all(parent)?;
    }
    util::write(out, render(report, format)?)
}

/// Writes the class gradebook: one row a student, one column a lab, plus the total.
pub fn write_gradebook(
    path: &Path,
    labs: &[String],
    rows: &[(String, Report)],
) -> Result<(), Error> {
    let writing = || format!("writing {}", path.display());
    let mut w = csv::Writer::from_path(path).with_context(writing)?;
    let mut header = vec!["student".to_string()];
    header.extend(labs.iter().cloned());
    header.extend(["total".to_string(), "max".to_string()]);
    w.write_record(&header).with_context(writing)?;
    for (student, report) in rows {
        let mut rec = vec![student.clone()];
        for lab in labs {
            let score = report
                .labs
                .iter()
                .find(|l| &l.lab == lab)
                .map_or(0.0, |l| l.score);
            rec.push(fmt_points(score));
        }
        rec.push(fmt_points(report.score));
        rec.push(fmt_points(report.max_score));
        w.write_record(&rec).with_context(writing)?;
    }
    w.flush().with_context(writing)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut lab = LabReport {
            lab: "lab01".into(),
            score: 0.0,
            max_score: 0.0,
            tests: vec![
                TestResult {
                    name: "amdahl_limit".into(),
                    target: "amdahl".into(),
                    visibility: Visibility::Visible,
                    status: Status::Passed,
                    points: 1.0,
                    max_points: 1.0,
                    message: String::new(),
                    duration_ms: 3,
                },
                TestResult {
                    name: "secret_edge_case".into(),
                    target: "hidden_edge".into(),
                    visibility: Visibility::Hidden,
                    status: Status::Failed,
                    points: 0.0,
                    max_points: 2.0,
                    message: "hidden test failed".into(),
                    duration_ms: 5,
                },
            ],
            timing: vec![],
            notes: vec![],
        };
        lab.total();
        let mut r = Report {
            submission: "alice".into(),
            score: 0.0,
            max_score: 0.0,
            labs: vec![lab],
            calibration: None,
            isolation: "landlock ABI 7".into(),
            isolation_warnings: vec![],
            interrupted: false,
            seconds: None,
        };
        r.total();
        r
    }

    #[test]
    fn totals_add_up() {
        let r = sample();
        assert_eq!((r.score, r.max_score), (1.0, 3.0));
    }

    #[test]
    fn json_has_the_documented_fields() {
        let v: serde_json::Value =
            serde_json::from_str(&render(&sample(), Format::Json).unwrap()).unwrap();
        assert_eq!(v["score"], 1.0);
        assert_eq!(v["max_score"], 3.0);
        let t = &v["labs"][0]["tests"][1];
        for key in [
            "name",
            "visibility",
            "status",
            "points",
            "max_points",
            "message",
        ] {
            assert!(t.get(key).is_some(), "missing {key}");
        }
        assert_eq!(t["visibility"], "hidden");
        assert_eq!(t["status"], "failed");
        assert!(v["labs"][0]["timing"].is_array());
    }

    #[test]
    fn gradescope_hides_hidden_tests_until_the_due_date() {
        let v: serde_json::Value =
            serde_json::from_str(&render(&sample(), Format::Gradescope).unwrap()).unwrap();
        assert_eq!(v["score"], 1.0);
        assert_eq!(v["tests"][0]["visibility"], "visible");
        assert_eq!(v["tests"][1]["visibility"], "after_due_date");
        assert_eq!(v["tests"][1]["max_score"], 2.0);
    }

    #[test]
    fn junit_is_xml_with_one_case_per_test() {
        let xml = render(&sample(), Format::Junit).unwrap();
        assert!(xml.starts_with("<?xml"));
        assert_eq!(xml.matches("<testcase").count(), 2);
        assert!(xml.contains("<failure"));
    }

    #[test]
    fn gradebook_has_a_column_per_lab() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grades.csv");
        write_gradebook(
            &path,
            &["lab01".into(), "lab02".into()],
            &[("alice, a.".into(), sample())],
        )
        .unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            text,
            "student,lab01,lab02,total,max\n\"alice, a.\",1,0,1,3\n"
        );
    }
}
