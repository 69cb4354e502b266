//! Scratch workspaces: the student's `src/` joined with the instructor's manifest, tests and
//! timing program, compiled in a folder of its own.
//!
//! Only `src/` comes from the submission. The manifest, the visible tests, the hidden tests
//! and the grading specs always come from the instructor's checkout, so a student who edits
//! or deletes a test, or adds a dependency, changes nothing. Each scratch workspace has its
//! own target directory (binaries such as a lab's worker are looked up there at run time,
//! so two builds must never share it) but all share the course's build directory, so
//! dependencies compile once.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use toml::Table;

use crate::course::{Course, Lab, TestFile};
use crate::util::{self, Error, Outcome};

/// The name of the test the grader appends to every test target (see [`wrapper_source`]).
pub const VERDICT_TEST: &str = "zzzz_parlab_verdict";
/// The module every graded test file is mounted as, so test `x` runs as `t::x`.
pub const TEST_MODULE: &str = "t";
/// The example name of the lab's timing program in a scratch workspace.
pub const TIMING_EXAMPLE: &str = "parlab-timing";
/// Largest `src/` the grader copies.
const MAX_SRC_BYTES: u64 = 8 * 1024 * 1024;
/// How long one `cargo build` may take.
const BUILD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// A prepared scratch workspace for one lab.
#[derive(Debug)]
pub struct Scratch {
    /// The workspace folder.
    pub dir: PathBuf,
    /// Test targets compiled into it.
    pub files: Vec<TestFile>,
    /// Whether the timing program is declared.
    pub timing: bool,
    /// Notes for the report (ignored dependencies, skipped files).
    pub notes: Vec<String>,
}

/// Result of compiling a scratch workspace's tests.
#[derive(Debug, Default)]
pub struct TestBuild {
    /// Test target name -> executable.
    pub executables: BTreeMap<String, PathBuf>,
    /// Compiler errors of the library itself (every target fails), rendered.
    pub lib_errors: Vec<String>,
    /// Compiler errors per test target, rendered.
    pub target_errors: BTreeMap<String, Vec<String>>,
    /// Failure not attributed to any target (cargo itself, a timeout).
    pub other_error: Option<String>,
}

impl Scratch {
    /// Builds a scratch workspace for `lab` from the `src/` folder `src` in `dir`, with the
    /// given test files and, if `timing`, the lab's timing program.
    ///
    /// An existing workspace in `dir` is brought up to date rather than replaced: files are
    /// written only when their content changed, so grading the same code again recompiles
    /// nothing (Cargo compares modification times).
    pub fn prepare(
        course: &Course,
        lab: &Lab,
        src: &Path,
        student_manifest: Option<&Path>,
        files: Vec<TestFile>,
        timing: bool,
        dir: &Path,
    ) -> Result<Scratch, Error> {
        let member = member_name(dir);
        let lab_dir = dir.join(&member);
        fs::create_dir_all(lab_dir.join("grading-tests"))?;
        let mut notes = Vec::new();
        let mut budget = MAX_SRC_BYTES;
        let mut written = Vec::new();
        copy_src(
            src,
            &lab_dir.join("src"),
            &mut budget,
            &mut notes,
            &mut written,
        )?;

        write_if_changed(
            &dir.join("Cargo.toml"),
            workspace_manifest(course, &member)?.as_bytes(),
        )?;
        let lock = course.root.join("Cargo.lock");
        if lock.is_file() {
            write_if_changed(&dir.join("Cargo.lock"), &fs::read(&lock)?)?;
        }
        let timing_src = lab
            .solution_dir
            .as_ref()
            .map(|d| d.join("grading").join("timing.rs"))
            .filter(|p| timing && p.is_file());
        let manifest = lab_manifest(lab, &files, timing_src.as_deref())?;
        write_if_changed(&lab_dir.join("Cargo.toml"), manifest.as_bytes())?;
        for file in &files {
            let wrapper = lab_dir
                .join("grading-tests")
                .join(format!("{}.rs", file.target));
            write_if_changed(&wrapper, wrapper_source(&file.path).as_bytes())?;
            written.push(wrapper);
        }
        // Files of an earlier grading run that this one did not write must not be compiled.
        for folder in ["src", "grading-tests"] {
            remove_unlisted(&lab_dir.join(folder), &written)?;
        }
        if let Some(m) = student_manifest {
            notes.extend(ignored_dependencies(&lab.dir.join("Cargo.toml"), m));
        }
        Ok(Scratch {
            dir: dir.to_path_buf(),
            files,
            timing: timing_src.is_some(),
            notes,
        })
    }

    fn cargo(&self, course: &Course, args: &[&str]) -> Command {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.args(args)
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .arg("--message-format=json")
            .env("CARGO_TARGET_DIR", self.dir.join("target"))
            .env("CARGO_BUILD_BUILD_DIR", build_dir(course))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .current_dir(&self.dir);
        cmd
    }

    /// Compiles the library and every test target (debug), collecting errors per target.
    pub fn build_tests(&self, course: &Course) -> Result<TestBuild, Error> {
        let cmd = self.cargo(course, &["build", "--tests", "--keep-going"]);
        self.collect(cmd)
    }

    /// Compiles the loom test targets with `--cfg loom`, in release mode (a model checker
    /// runs the code thousands of times) and in directories of their own: a different
    /// `RUSTFLAGS` would otherwise make every normal build start over.
    pub fn build_loom(&self, course: &Course, targets: &[String]) -> Result<TestBuild, Error> {
        let mut args = vec!["build", "--release", "--keep-going"];
        for t in targets {
            args.extend(["--test", t.as_str()]);
        }
        let mut cmd = self.cargo(course, &args);
        cmd.env("RUSTFLAGS", "--cfg loom")
            .env("CARGO_TARGET_DIR", self.dir.join("target-loom"))
            .env(
                "CARGO_BUILD_BUILD_DIR",
                course.root.join("target").join("loom"),
            );
        self.collect(cmd)
    }

    fn collect(&self, cmd: Command) -> Result<TestBuild, Error> {
        let out = util::run_full(cmd, BUILD_TIMEOUT)?;
        let mut build = TestBuild::default();
        let member = member_name(&self.dir);
        let scratch_prefix = format!("{}/", self.dir.join(&member).display());
        for msg in out
            .stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        {
            let target = msg["target"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let kinds = &msg["target"]["kind"];
            let is_test = kinds
                .as_array()
                .is_some_and(|k| k.iter().any(|x| x == "test"));
            match msg["reason"].as_str() {
                Some("compiler-artifact") if is_test => {
                    if let Some(exe) = msg["executable"].as_str() {
                        build.executables.insert(target, PathBuf::from(exe));
                    }
                }
                Some("compiler-message") if msg["message"]["level"] == "error" => {
                    let rendered = msg["message"]["rendered"]
                        .as_str()
                        .unwrap_or_default()
                        .replace(&scratch_prefix, "")
                        .replace(&format!(" {member}/src/"), " src/");
                    // The library is compiled twice (as a library and as its unit tests):
                    // report each error once.
                    let errors = if is_test {
                        build.target_errors.entry(target).or_default()
                    } else {
                        &mut build.lib_errors
                    };
                    if !errors.contains(&rendered) {
                        errors.push(rendered);
                    }
                }
                _ => {}
            }
        }
        if matches!(out.outcome, Outcome::TimedOut) {
            build.other_error = Some(format!(
                "compilation took longer than {} s and was stopped",
                BUILD_TIMEOUT.as_secs()
            ));
        } else if build.executables.is_empty()
            && build.lib_errors.is_empty()
            && build.target_errors.is_empty()
            && !self.files.is_empty()
        {
            build.other_error = Some(format!(
                "cargo failed before compiling anything:\n{}",
                util::truncate(out.stderr.trim(), 4000)
            ));
        }
        Ok(build)
    }

    /// Compiles the timing program in release mode; returns its path.
    pub fn build_timing(&self, course: &Course) -> Result<PathBuf, Error> {
        let cmd = self.cargo(course, &["build", "--release", "--example", TIMING_EXAMPLE]);
        let out = util::run_full(cmd, BUILD_TIMEOUT)?;
        out.stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == TIMING_EXAMPLE)
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .ok_or_else(|| {
                Error::new(format!(
                    "the timing program did not compile:\n{}",
                    util::truncate(out.stderr.trim(), 3000)
                ))
            })
    }
}

/// The timing harness crate, next to this xtask (also when grading another `--course`).
fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("harness")
}

/// The build directory of every scratch workspace: the course's own target directory, so
/// the dependencies a student's `cargo test` compiled are reused, and compile once for a
/// whole class. Final artifacts (binaries a test runs) still go to each scratch workspace's
/// own target directory, so grading never overwrites a student's build.
pub fn build_dir(course: &Course) -> PathBuf {
    course.root.join("target")
}

/// The folder of the lab inside a scratch workspace `.../<submission>/<lab>`:
/// `<submission>-<lab>`.
///
/// Cargo hashes a path package by its path relative to its workspace, and all scratch
/// workspaces share one build directory: with one folder name for every submission, Cargo
/// would take one student's compiled library for another's. A name per submission keeps
/// their artifacts apart, while grading the same submission again stays incremental.
pub fn member_name(dir: &Path) -> String {
    let part = |p: Option<&Path>| {
        p.and_then(Path::file_name)
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    format!("{}-{}", part(dir.parent()), part(Some(dir)))
}

/// Writes `bytes` to `path` unless it already holds them, so that an unchanged file keeps
/// its modification time and Cargo's fingerprint.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if !fs::read(path).is_ok_and(|old| old == bytes) {
        fs::write(path, bytes)?;
    }
    Ok(())
}

/// Removes the files under `dir` that are not in `keep`.
fn remove_unlisted(dir: &Path, keep: &[PathBuf]) -> Result<(), Error> {
    for entry in fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            remove_unlisted(&path, keep)?;
        } else if !keep.contains(&path) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Copies regular files only (no symlinks: a submission must not make the grader read files
/// outside it), within a size budget.
fn copy_src(
    from: &Path,
    to: &Path,
    budget: &mut u64,
    notes: &mut Vec<String>,
    written: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    fs::create_dir_all(to)?;
    let Ok(entries) = fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_src(&path, &to.join(entry.file_name()), budget, notes, written)?;
        } else if kind.is_file() {
            let len = entry.metadata()?.len();
            if len > *budget {
                notes.push(format!(
                    "src/ is larger than {} MiB: {} was not copied",
                    MAX_SRC_BYTES >> 20,
                    path.display()
                ));
                continue;
            }
            *budget -= len;
            let dest = to.join(entry.file_name());
            write_if_changed(&dest, &fs::read(&path)?)?;
            written.push(dest);
        } else {
            notes.push(format!(
                "{} is not a regular file and was ignored",
                path.display()
            ));
        }
    }
    Ok(())
}

/// The scratch workspace's root manifest: the course's own, with absolute paths, so versions,
/// lints and profiles are exactly the ones students build with.
fn workspace_manifest(course: &Course, member: &str) -> Result<String, Error> {
    let root = course.root.join("Cargo.toml");
    let mut table: Table = toml::from_str(&fs::read_to_string(&root)?)
        .map_err(|e| Error::new(format!("{}: {e}", root.display())))?;
    let ws = table
        .get_mut("workspace")
        .and_then(|w| w.as_table_mut())
        .ok_or_else(|| Error::new("the root Cargo.toml has no [workspace]"))?;
    ws.insert("members".into(), toml::Value::Array(vec![member.into()]));
    ws.remove("default-members");
    ws.remove("exclude");
    let deps = ws
        .entry("dependencies")
        .or_insert_with(|| toml::Value::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| Error::new("[workspace.dependencies] is not a table"))?;
    for (_, dep) in deps.iter_mut() {
        if let Some(path) = dep.get_mut("path") {
            let abs = course.root.join(path.as_str().unwrap_or_default());
            *path = abs.display().to_string().into();
        }
    }
    let mut harness = Table::new();
    harness.insert("path".into(), harness_dir().display().to_string().into());
    deps.insert("parlab-harness".into(), toml::Value::Table(harness));
    Ok(format!(
        "# Generated by `cargo xtask grade`; do not edit.\n{}",
        toml::to_string(&table).map_err(|e| Error::new(e.to_string()))?
    ))
}

/// The lab's manifest, from the instructor's copy: its own test, bench and example targets
/// are replaced by the grader's wrapped test targets and, for timing, the timing program.
fn lab_manifest(lab: &Lab, files: &[TestFile], timing: Option<&Path>) -> Result<String, Error> {
    let path = lab.dir.join("Cargo.toml");
    let mut table: Table = toml::from_str(&fs::read_to_string(&path)?)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    for key in ["test", "bench", "example"] {
        table.remove(key);
    }
    if let Some(pkg) = table.get_mut("package").and_then(|p| p.as_table_mut()) {
        for key in ["autotests", "autobenches", "autoexamples"] {
            pkg.insert(key.into(), false.into());
        }
    }
    let tests = files
        .iter()
        .map(|f| {
            let mut t = Table::new();
            t.insert("name".into(), f.target.clone().into());
            t.insert(
                "path".into(),
                format!("grading-tests/{}.rs", f.target).into(),
            );
            toml::Value::Table(t)
        })
        .collect();
    table.insert("test".into(), toml::Value::Array(tests));
    if let Some(timing) = timing {
        let mut example = Table::new();
        example.insert("name".into(), TIMING_EXAMPLE.into());
        example.insert("path".into(), timing.display().to_string().into());
        table.insert(
            "example".into(),
            toml::Value::Array(vec![toml::Value::Table(example)]),
        );
        let dev = table
            .entry("dev-dependencies")
            .or_insert_with(|| toml::Value::Table(Table::new()));
        if let Some(dev) = dev.as_table_mut() {
            let mut ws = Table::new();
            ws.insert("workspace".into(), true.into());
            dev.insert("parlab-harness".into(), toml::Value::Table(ws));
        }
    }
    toml::to_string(&table).map_err(|e| Error::new(e.to_string()))
}

/// The source of a graded test target: the test file mounted as a module, plus the verdict
/// test.
///
/// libtest runs the tests it is given in name order, so `zzzz_parlab_verdict` runs after the
/// graded test `t::name` has returned or panicked. It reads a secret nonce from stdin (which
/// the grader writes and closes before any test runs) and writes it to the verdict file. A
/// test therefore passes only if the process reached the verdict test *and* libtest exited 0:
/// printing `test ... ok` or calling `std::process::exit(0)` mid-test gains nothing.
pub fn wrapper_source(test_file: &Path) -> String {
    format!(
        r#"// Generated by `cargo xtask grade`; do not edit.
#[path = {path:?}]
mod {TEST_MODULE};

#[test]
fn {VERDICT_TEST}() {{
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).expect("the grader writes the nonce on stdin");
    let (nonce, path) = line.trim_end().split_once(' ').expect("nonce and path");
    std::fs::write(path, nonce).expect("the verdict file is writable");
}}
"#,
        path = test_file.display().to_string()
    )
}

/// Notes for dependencies the student's manifest adds: the grader builds with the
/// instructor's manifest, so they are ignored.
fn ignored_dependencies(instructor: &Path, student: &Path) -> Vec<String> {
    let deps = |p: &Path| -> Vec<String> {
        fs::read_to_string(p)
            .ok()
            .and_then(|t| toml::from_str::<Table>(&t).ok())
            .map(|t| {
                ["dependencies", "dev-dependencies", "build-dependencies"]
                    .iter()
                    .filter_map(|k| t.get(*k).and_then(|d| d.as_table()))
                    .flat_map(|d| d.keys().cloned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let allowed = deps(instructor);
    let added: Vec<String> = deps(student)
        .into_iter()
        .filter(|d| !allowed.contains(d))
        .collect();
    if added.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "your Cargo.toml adds dependencies ({}); the grader uses the course's Cargo.toml, so they are ignored",
            added.join(", ")
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_mounts_the_test_file_and_adds_the_verdict_test() {
        let src = wrapper_source(Path::new("/course/labs/lab01/tests/amdahl.rs"));
        assert!(src.contains("#[path = \"/course/labs/lab01/tests/amdahl.rs\"]"));
        assert!(src.contains("mod t;"));
        assert!(src.contains("fn zzzz_parlab_verdict()"));
    }

    #[test]
    fn reports_dependencies_a_student_added() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours.toml");
        let theirs = dir.path().join("theirs.toml");
        fs::write(&ours, "[dependencies]\nrayon = \"1\"\n").unwrap();
        fs::write(&theirs, "[dependencies]\nrayon = \"1\"\nnum_cpus = \"1\"\n").unwrap();
        let notes = ignored_dependencies(&ours, &theirs);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("num_cpus"));
        assert!(ignored_dependencies(&ours, &ours).is_empty());
    }
}
