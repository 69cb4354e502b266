//! The course as the grader sees it: where the labs, their solutions and their grading specs
//! live, and which tests each lab has.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Error, bail};
use serde::Deserialize;

/// The instructor's (or a student release's) checkout.
#[derive(Clone, Debug)]
pub struct Course {
    /// The repository root (the folder of the root `Cargo.toml`).
    pub root: PathBuf,
    /// Labs in lecture order.
    pub labs: Vec<Lab>,
}

/// One lab: the student's package and, in an instructor checkout, its solution.
#[derive(Clone, Debug)]
pub struct Lab {
    /// Package name, `lab01`.
    pub name: String,
    /// `labs/lab01-motivation`.
    pub dir: PathBuf,
    /// `solutions/lab01`, when this checkout has it.
    pub solution_dir: Option<PathBuf>,
    /// Visible and hidden spec merged.
    pub spec: Spec,
    /// Graded tests in a stable order: visible files, then hidden files.
    pub tests: Vec<TestFile>,
}

/// Whether students can see a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// In the student's `tests/` folder.
    Visible,
    /// In `solutions/labNN/hidden/`, compiled against the student's code by the grader.
    Hidden,
}

/// One integration-test file and the test functions it defines.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// Cargo target name: the file stem, prefixed `hidden_` for hidden files.
    pub target: String,
    /// Absolute path of the test source.
    pub path: PathBuf,
    /// Visible or hidden.
    pub visibility: Visibility,
    /// Test function names, in file order (ignored tests excluded).
    pub tests: Vec<String>,
}

/// The grading spec of a lab: `labs/labNN-*/grading.toml` merged with
/// `solutions/labNN/grading.toml`.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    /// Seconds each test process may run.
    pub timeout_secs: u64,
    /// Points of a visible test not listed in `visible_points`.
    pub visible_default: f64,
    /// Points of visible tests worth more than the default.
    pub visible_points: BTreeMap<String, f64>,
    /// Points of a hidden test not listed in `hidden_points`.
    pub hidden_default: f64,
    /// Points of hidden tests worth more than the default.
    pub hidden_points: BTreeMap<String, f64>,
    /// Whether a failing hidden test shows its panic message to the student.
    pub show_hidden_messages: bool,
    /// Timing checks (instructor only).
    pub timing: Vec<TimingSpec>,
    /// Plausible wrong solutions the tests must catch (instructor only).
    pub mutants: Vec<MutantSpec>,
    /// Test targets compiled with `--cfg loom` (in release mode) and graded like the others.
    pub loom_targets: Vec<String>,
}

impl Spec {
    /// Points a test is worth.
    pub fn points(&self, visibility: Visibility, test: &str) -> f64 {
        match visibility {
            Visibility::Visible => *self
                .visible_points
                .get(test)
                .unwrap_or(&self.visible_default),
            Visibility::Hidden => *self.hidden_points.get(test).unwrap_or(&self.hidden_default),
        }
    }
}

/// What a timing check compares, as reports name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingKind {
    /// The student's parallel variant against their own sequential one.
    Speedup,
    /// The student's time divided by the reference solution's time.
    Ratio,
}

/// One `[[timing]]` entry: what every check has, and its kind's own thresholds.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct TimingSpec {
    /// Identifier shown in reports.
    pub name: String,
    /// One sentence for the report.
    #[serde(default)]
    pub description: String,
    /// The workload name the lab's timing program understands.
    pub workload: String,
    /// Points of the check.
    pub points: f64,
    /// Timed repetitions inside one timing process (default 3).
    #[serde(default = "default_reps")]
    pub reps: usize,
    /// The tests (visible or hidden, by function name) that prove the timed code correct:
    /// the check gives points only when every one of them passes. At least one; every
    /// name a test of the lab (`spec_problems`).
    pub requires: Vec<String>,
    /// Graded only on a hardware GPU: the reference timing program's `adapter` workload says
    /// which adapter the machine has; on a software one, or none, no points are at stake.
    #[serde(default)]
    pub needs_gpu: bool,
    /// `kind` and the fields of that kind. Every field the entry does not know ends up here,
    /// so a misspelt or misplaced one is an error that names it.
    #[serde(flatten)]
    pub check: TimingCheck,
}

/// What a timing check compares and when it gives full credit: `kind = "speedup"` or
/// `kind = "ratio"`, each with only its own fields.
#[derive(Clone, Copy, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TimingCheck {
    /// The student's parallel variant against their own sequential one, relative to the
    /// machine's calibrated speedup.
    Speedup {
        /// Full credit at `speedup >= min_fraction * calibrated speedup` (default 0.75).
        #[serde(default = "default_min_fraction")]
        min_fraction: f64,
    },
    /// The student's time divided by the reference solution's time.
    Ratio {
        /// Full credit at `ratio <= max_ratio` (default 2).
        #[serde(default = "default_max_ratio")]
        max_ratio: f64,
        /// No credit beyond this ratio (default `2 * max_ratio`).
        #[serde(skip_serializing_if = "Option::is_none")]
        cutoff: Option<f64>,
        /// The reference solution's time on the workload, in calibration kernels: its
        /// parallel time divided by the kernel's parallel time on as many threads, as
        /// `cargo xtask grade --solutions` measures it (the ratio check's message). A
        /// student release has no reference solution: its `grade` estimates the ratio as the
        /// student's time in kernels over this figure.
        #[serde(skip_serializing_if = "Option::is_none")]
        reference_kernels: Option<f64>,
    },
}

impl TimingCheck {
    /// Speedup or ratio.
    pub fn kind(&self) -> TimingKind {
        match self {
            TimingCheck::Speedup { .. } => TimingKind::Speedup,
            TimingCheck::Ratio { .. } => TimingKind::Ratio,
        }
    }
}

fn default_min_fraction() -> f64 {
    0.75
}

fn default_max_ratio() -> f64 {
    2.0
}

fn default_reps() -> usize {
    3
}

/// One `[[mutant]]` entry: a find/replace on the reference solution.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutantSpec {
    /// Identifier shown in `check`.
    pub name: String,
    /// The mistake, in a student's terms.
    pub description: String,
    /// File relative to the solution folder, e.g. `src/lib.rs`.
    pub file: String,
    /// Text that must occur exactly once in that file.
    pub find: String,
    /// What a student might have written instead.
    pub replace: String,
    /// Also run the timing checks (for mutants that are correct but slow).
    #[serde(default)]
    pub timing: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisibleSpecFile {
    lab: String,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
    #[serde(default = "one")]
    default_points: f64,
    #[serde(default)]
    points: BTreeMap<String, f64>,
    #[serde(default)]
    loom_targets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HiddenSpecFile {
    #[serde(default = "one")]
    default_points: f64,
    #[serde(default)]
    points: BTreeMap<String, f64>,
    #[serde(default)]
    show_hidden_messages: bool,
    #[serde(default)]
    timing: Vec<TimingSpec>,
    #[serde(default, rename = "mutant")]
    mutants: Vec<MutantSpec>,
}

fn default_timeout() -> u64 {
    60
}

fn one() -> f64 {
    1.0
}

/// The file name of a grading spec, next to a lab and next to its solution.
pub const SPEC_FILE: &str = "grading.toml";

/// In a student release (written by `cargo xtask dist`), the lab's timing checks:
/// `labs/labNN-*/grading/timing.toml`, next to the timing program `grading/timing.rs`.
pub const RELEASE_TIMING_FILE: &str = "grading/timing.toml";

/// The timing checks of a student release (`RELEASE_TIMING_FILE`): the instructor's,
/// with only the visible tests in each `requires`.
#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseTimingFile {
    /// The checks.
    pub timing: Vec<TimingSpec>,
}

/// The course checkout to work on: `course` (`--course`), or the one this xtask belongs to
/// (the parent of its crate's folder).
pub fn find_root(course: Option<PathBuf>) -> Result<PathBuf, Error> {
    let root = match course {
        Some(dir) => dir
            .canonicalize()
            .with_context(|| format!("course folder {}", dir.display()))?,
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask has no parent folder")?
            .to_path_buf(),
    };
    if !root.join("labs").is_dir() {
        bail!(
            "{} is not a course checkout: it has no labs/ folder",
            root.display()
        );
    }
    Ok(root)
}

impl Course {
    /// Loads the course rooted at `root`.
    pub fn load(root: &Path) -> Result<Course, Error> {
        let labs_dir = root.join("labs");
        let mut dirs: Vec<PathBuf> = fs::read_dir(&labs_dir)
            .with_context(|| format!("reading {}", labs_dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.join("Cargo.toml").is_file())
            .collect();
        // A lab still being written has no grading spec yet: say so rather than fail.
        dirs.retain(|d| {
            let ready = d.join(SPEC_FILE).is_file();
            if !ready {
                eprintln!("note: {} has no {SPEC_FILE}: it is not graded", d.display());
            }
            ready
        });
        dirs.sort();
        let labs = dirs
            .into_iter()
            .map(|dir| Lab::load(root, dir))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Course {
            root: root.to_path_buf(),
            labs,
        })
    }

    /// True in the instructor's checkout (a student release has no `solutions/`).
    pub fn has_solutions(&self) -> bool {
        self.root.join("solutions").join("Cargo.toml").is_file()
    }

    /// The labs named on the command line (all when none), in lecture order.
    pub fn select(&self, names: &[String]) -> Result<Vec<&Lab>, Error> {
        if names.is_empty() {
            return Ok(self.labs.iter().collect());
        }
        for name in names {
            if !self.labs.iter().any(|lab| lab.matches(name)) {
                let known: Vec<&str> = self.labs.iter().map(|l| l.name.as_str()).collect();
                bail!("no lab named {name:?} (labs: {})", known.join(", "));
            }
        }
        Ok(self
            .labs
            .iter()
            .filter(|lab| names.iter().any(|n| lab.matches(n)))
            .collect())
    }
}

impl Lab {
    fn load(root: &Path, dir: PathBuf) -> Result<Lab, Error> {
        let spec_path = dir.join(SPEC_FILE);
        let visible: VisibleSpecFile = read_toml(&spec_path)?;
        let name = visible.lab.clone();
        let solution_dir = Some(root.join("solutions").join(&name)).filter(|d| d.is_dir());
        let hidden: Option<HiddenSpecFile> = match &solution_dir {
            Some(sol) if sol.join(SPEC_FILE).is_file() => Some(read_toml(&sol.join(SPEC_FILE))?),
            _ => None,
        };
        let mut tests = scan_test_dir(&dir.join("tests"), Visibility::Visible)?;
        if let Some(sol) = &solution_dir {
            tests.extend(scan_test_dir(&sol.join("hidden"), Visibility::Hidden)?);
        }
        // A student release has no hidden spec, but may have the timing checks `dist` wrote.
        let release_timing = dir.join(RELEASE_TIMING_FILE);
        let hidden = match hidden {
            Some(hidden) => hidden,
            None => HiddenSpecFile {
                default_points: 1.0,
                points: BTreeMap::new(),
                show_hidden_messages: false,
                timing: if solution_dir.is_none() && release_timing.is_file() {
                    read_toml::<ReleaseTimingFile>(&release_timing)?.timing
                } else {
                    Vec::new()
                },
                mutants: Vec::new(),
            },
        };
        let spec = Spec {
            timeout_secs: visible.timeout_secs,
            visible_default: visible.default_points,
            visible_points: visible.points,
            hidden_default: hidden.default_points,
            hidden_points: hidden.points,
            show_hidden_messages: hidden.show_hidden_messages,
            timing: hidden.timing,
            mutants: hidden.mutants,
            loom_targets: visible.loom_targets,
        };
        Ok(Lab {
            name,
            dir,
            solution_dir,
            spec,
            tests,
        })
    }

    /// `lab01`, `01`, `1` and the folder name `lab01-motivation` all name lab01.
    pub fn matches(&self, name: &str) -> bool {
        let number = |s: &str| s.trim_start_matches("lab").parse::<u32>().ok();
        name == self.name
            || name == self.dir_name()
            || number(name).is_some() && number(name) == number(&self.name)
    }

    /// The folder name, `lab01-motivation`.
    pub fn dir_name(&self) -> String {
        self.dir
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.name.clone())
    }

    /// Test files that are graded: visible ones, and hidden ones when asked.
    pub fn graded_files(&self, include_hidden: bool) -> impl Iterator<Item = &TestFile> {
        self.tests
            .iter()
            .filter(move |f| include_hidden || f.visibility == Visibility::Visible)
    }

    /// What is wrong with the lab's grading spec and test files, if anything: every test name
    /// is unique within the lab, every test file defines a test, every spec key names a real
    /// test of its visibility, every loom target is a visible test file, and every mutant's
    /// `find` text occurs exactly once in its solution file. Cheap: nothing is compiled.
    pub fn spec_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for file in &self.tests {
            for t in &file.tests {
                if !seen.insert(t.as_str()) {
                    problems.push(format!(
                        "test name `{t}` is used twice (names must be unique within a lab)"
                    ));
                }
            }
            if file.tests.is_empty() {
                problems.push(format!("{} defines no #[test]", file.path.display()));
            }
        }
        for (vis, points) in [
            (Visibility::Visible, &self.spec.visible_points),
            (Visibility::Hidden, &self.spec.hidden_points),
        ] {
            let known: BTreeSet<&str> = self
                .tests
                .iter()
                .filter(|f| f.visibility == vis)
                .flat_map(|f| f.tests.iter().map(String::as_str))
                .collect();
            for key in points.keys() {
                if !known.contains(key.as_str()) {
                    problems.push(format!(
                        "grading spec gives points to `{key}`, which is not a {vis:?} test"
                    ));
                }
            }
        }
        for target in &self.spec.loom_targets {
            if !self.tests.iter().any(|f| &f.target == target) {
                problems.push(format!(
                    "loom target `{target}` is not a test file of the lab (tests/{target}.rs)"
                ));
            }
        }
        let all: BTreeSet<&str> = self
            .tests
            .iter()
            .flat_map(|f| f.tests.iter().map(String::as_str))
            .collect();
        for check in &self.spec.timing {
            if check.requires.is_empty() && self.solution_dir.is_some() {
                problems.push(format!(
                    "timing check `{}` requires no test: name the tests that prove its timed \
                     code correct (`requires = [...]`), or fast wrong code earns its points",
                    check.name
                ));
            }
            for name in &check.requires {
                if !all.contains(name.as_str()) {
                    problems.push(format!(
                        "timing check `{}` requires `{name}`, which is not a test of the lab",
                        check.name
                    ));
                }
            }
        }
        if let Some(sol) = &self.solution_dir {
            for mutant in &self.spec.mutants {
                let path = sol.join(&mutant.file);
                let count = fs::read_to_string(&path)
                    .map(|text| text.matches(&mutant.find).count())
                    .unwrap_or(0);
                let given = fs::read_to_string(self.dir.join(&mutant.file))
                    .is_ok_and(|t| t.starts_with(crate::sync::GIVEN_HEADER));
                if given {
                    problems.push(format!(
                        "mutant `{}` changes {}, which is given code: the grader lays the \
                         course's copy over every submission's, so no student can make it",
                        mutant.name, mutant.file
                    ));
                }
                if count != 1 {
                    problems.push(format!(
                        "mutant `{}`: its `find` text occurs {count} times in solutions/{}/{} \
                         (it must occur exactly once)",
                        mutant.name, self.name, mutant.file
                    ));
                }
            }
        }
        problems
    }

    /// The lab's timing program: the solution's `grading/timing.rs`, or in a student
    /// release the copy `dist` wrote next to the lab.
    pub fn timing_program(&self) -> Option<PathBuf> {
        match &self.solution_dir {
            Some(sol) => Some(sol.join("grading").join("timing.rs")),
            None => Some(self.dir.join("grading").join("timing.rs")),
        }
        .filter(|p| p.is_file())
    }

    /// Whether `target` is model checked under `--cfg loom`.
    pub fn is_loom(&self, target: &str) -> bool {
        self.spec.loom_targets.iter().any(|t| t == target)
    }
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn scan_test_dir(dir: &Path, visibility: Visibility) -> Result<Vec<TestFile>, Error> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let target = match visibility {
                Visibility::Visible => stem,
                Visibility::Hidden => format!("hidden_{stem}"),
            };
            Ok(TestFile {
                target,
                path,
                visibility,
                tests: scan_tests(&text),
            })
        })
        .collect()
}

/// The `#[test]` functions of a test file, skipping `#[ignore]`d ones.
///
/// Course test files are flat (no nested test modules), so a line scan is exact and needs no
/// parser. The grader's wrapper enforces it: it calls each test found here as `super::name()`
/// from a module appended to the file, so a test that is not at the file's top level makes
/// the target fail to compile, and `cargo xtask check` fails on the stub.
pub fn scan_tests(source: &str) -> Vec<String> {
    let mut tests = Vec::new();
    let mut in_test = false;
    let mut ignored = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("//") {
            continue;
        }
        if line.starts_with("#[test]") {
            in_test = true;
            ignored = false;
        } else if in_test && line.starts_with("#[ignore") {
            ignored = true;
        } else if in_test && let Some(name) = fn_name(line) {
            if !ignored {
                tests.push(name.to_string());
            }
            in_test = false;
        }
    }
    tests
}

fn fn_name(line: &str) -> Option<&str> {
    let rest = line.split("fn ").nth(1)?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(&rest[..end]).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_tests_and_skips_ignored_ones() {
        let src = r#"
use lab01::*;

#[test]
fn first() {}

#[test]
#[should_panic(expected = "x")]
fn second() {}

#[test]
#[ignore = "slow"]
fn skipped() {}

// #[test]
fn helper() {}

#[test]
pub fn third() -> Result<(), String> { Ok(()) }
"#;
        assert_eq!(scan_tests(src), ["first", "second", "third"]);
    }

    fn timing(entry: &str) -> Result<TimingSpec, String> {
        #[derive(Deserialize)]
        struct File {
            timing: Vec<TimingSpec>,
        }
        let text = format!(
            "[[timing]]\nname = \"t\"\nworkload = \"w\"\npoints = 3\nrequires = [\"a\"]\n{entry}"
        );
        toml::from_str::<File>(&text)
            .map(|f| f.timing[0].clone())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn timing_checks_have_their_kind_and_its_defaults() {
        let speedup = timing("kind = \"speedup\"").unwrap();
        assert_eq!(speedup.check, TimingCheck::Speedup { min_fraction: 0.75 });
        assert_eq!((speedup.points, speedup.reps), (3.0, 3));
        let ratio = timing("kind = \"ratio\"\ncutoff = 5\nreps = 1").unwrap();
        assert_eq!(
            ratio.check,
            TimingCheck::Ratio {
                max_ratio: 2.0,
                cutoff: Some(5.0),
                reference_kernels: None,
            }
        );
        assert_eq!(ratio.reps, 1);
        assert_eq!(ratio.check.kind(), TimingKind::Ratio);
        assert!(!ratio.needs_gpu);
        assert!(
            timing("kind = \"ratio\"\nneeds_gpu = true")
                .unwrap()
                .needs_gpu
        );
    }

    #[test]
    fn a_timing_field_of_the_other_kind_or_misspelt_is_an_error_naming_it() {
        let err = timing("kind = \"speedup\"\nmax_ratio = 2.0").unwrap_err();
        assert!(err.contains("unknown field `max_ratio`"), "{err}");
        let err = timing("kind = \"ratio\"\nmin_fraction = 0.5").unwrap_err();
        assert!(err.contains("unknown field `min_fraction`"), "{err}");
        let err = timing("kind = \"ratio\"\nmax_ration = 2.0").unwrap_err();
        assert!(err.contains("unknown field `max_ration`"), "{err}");
        let err = timing("kind = \"speedup\"\ndescriptoin = \"x\"").unwrap_err();
        assert!(err.contains("unknown field `descriptoin`"), "{err}");
        let err = timing("kind = \"sped_up\"").unwrap_err();
        assert!(err.contains("unknown variant `sped_up`"), "{err}");
        let err = timing("min_fraction = 0.5").unwrap_err();
        assert!(err.contains("missing field `kind`"), "{err}");
    }

    #[test]
    fn every_grading_spec_of_this_checkout_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let course = Course::load(root).unwrap();
        assert!(course.labs.iter().any(|l| !l.spec.timing.is_empty()));
    }

    #[test]
    fn a_timing_check_must_require_real_tests_and_at_least_one() {
        let mut lab = Lab {
            name: "lab90".into(),
            dir: PathBuf::from("/nonexistent/lab90"),
            solution_dir: Some(PathBuf::from("/nonexistent/solutions/lab90")),
            spec: Spec::default(),
            tests: vec![TestFile {
                target: "toy".into(),
                path: PathBuf::from("/nonexistent/lab90/tests/toy.rs"),
                visibility: Visibility::Visible,
                tests: vec!["adds".into()],
            }],
        };
        let mut check = timing("kind = \"speedup\"").unwrap();
        check.requires = vec!["adds".into()];
        lab.spec.timing = vec![check.clone()];
        assert_eq!(lab.spec_problems(), Vec::<String>::new());
        check.requires = vec!["adds".into(), "add_typo".into()];
        lab.spec.timing = vec![check.clone()];
        let problems = lab.spec_problems().join("\n");
        assert!(
            problems.contains("requires `add_typo`, which is not a test of the lab"),
            "{problems}"
        );
        check.requires.clear();
        lab.spec.timing = vec![check];
        let problems = lab.spec_problems().join("\n");
        assert!(
            problems.contains("timing check `t` requires no test"),
            "{problems}"
        );
        let err = toml::from_str::<TimingSpec>(
            "name = \"t\"\nworkload = \"w\"\npoints = 1\nkind = \"speedup\"",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("missing field `requires`"), "{err}");
    }

    #[test]
    fn spec_points_fall_back_to_defaults() {
        let mut spec = Spec {
            visible_default: 1.0,
            hidden_default: 2.0,
            ..Spec::default()
        };
        spec.visible_points.insert("big".into(), 5.0);
        assert_eq!(spec.points(Visibility::Visible, "big"), 5.0);
        assert_eq!(spec.points(Visibility::Visible, "small"), 1.0);
        assert_eq!(spec.points(Visibility::Hidden, "big"), 2.0);
    }
}
