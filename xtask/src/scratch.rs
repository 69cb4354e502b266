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

use anyhow::{Context as _, Error, anyhow};
use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{Message, TargetKind};
use toml::Table;

use crate::course::{Course, Lab, TestFile};
use crate::util::{self, Outcome};

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
    /// Each test target's verdict marker (see [`wrapper_source`]).
    pub markers: BTreeMap<String, String>,
    /// Whether the timing program is declared.
    pub timing: bool,
    /// Notes for the report (ignored dependencies, skipped files).
    pub notes: Vec<String>,
    /// The build directory its cargo runs use instead of [`build_dir`]: a concurrent job's
    /// own (`grade --jobs`), since two cargo runs sharing one wait for each other's lock.
    pub build_dir: Option<PathBuf>,
}

/// Result of compiling a scratch workspace's tests.
#[derive(Debug, Default)]
pub struct TestBuild {
    /// Test target name -> executable.
    pub executables: BTreeMap<String, PathBuf>,
    /// The lab's binaries (tests run them, e.g. lab03's worker).
    pub bins: Vec<PathBuf>,
    /// rustc's dependency files of the units compiled from the student's `src/`.
    pub student_dep_info: Vec<PathBuf>,
    /// Compiler errors of the library itself (every target fails), rendered.
    pub lib_errors: Vec<String>,
    /// Compiler errors per test target, rendered.
    pub target_errors: BTreeMap<String, Vec<String>>,
    /// Failure not attributed to any target (cargo itself, a timeout).
    pub other_error: Option<String>,
}

impl TestBuild {
    /// Whether the library itself failed to compile (or cargo failed): then no test runs.
    pub fn lib_broken(&self) -> bool {
        !self.lib_errors.is_empty() || self.other_error.is_some()
    }

    /// A note refusing the lab when rustc read a source file outside `src` while compiling
    /// the student's code (see `escape`), naming the files.
    pub fn outside_reads(&self, src: &Path, workspace: &Path) -> Option<String> {
        let src = src.canonicalize().unwrap_or_else(|_| src.to_path_buf());
        let mut outside = Vec::new();
        for d in &self.student_dep_info {
            let Ok(text) = fs::read_to_string(d) else {
                continue;
            };
            for file in crate::escape::dep_info_files(&text, workspace) {
                let file = file.canonicalize().unwrap_or(file);
                if !file.starts_with(&src) && !outside.contains(&file) {
                    outside.push(file);
                }
            }
        }
        if outside.is_empty() {
            return None;
        }
        let names: Vec<String> = outside.iter().map(|f| f.display().to_string()).collect();
        Some(format!(
            "the grader refused this lab: compiling your src/ read files outside it ({}); the grader compiles only src/ (the lab scores 0)",
            names.join(", ")
        ))
    }
}

/// rustc's `.d` file beside an artifact: `deps/libx-HASH.rlib` and `deps/x-HASH` have
/// `deps/x-HASH.d`.
fn dep_info_path(artifact: &Path) -> PathBuf {
    let name = artifact
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = match name.rsplit_once('.') {
        Some((stem, "rlib" | "rmeta" | "so" | "a")) => stem.strip_prefix("lib").unwrap_or(stem),
        _ => name.as_str(),
    };
    artifact.with_file_name(format!("{stem}.d"))
}

impl Scratch {
    /// The scratch copy of the student's `src/`.
    pub fn src_dir(&self) -> PathBuf {
        self.dir.join(member_name(&self.dir)).join("src")
    }

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
        util::create_dir_all(&lab_dir.join("grading-tests"))?;
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
        lay_given_files(lab, &lab_dir.join("src"), &mut notes, &mut written)?;

        write_if_changed(
            &dir.join("Cargo.toml"),
            workspace_manifest(course, &member)?.as_bytes(),
        )?;
        let lock = course.root.join("Cargo.lock");
        if lock.is_file() {
            write_if_changed(&dir.join("Cargo.lock"), &util::read(&lock)?)?;
        }
        let timing_src = lab.timing_program().filter(|_| timing);
        let manifest = lab_manifest(lab, &files, timing_src.as_deref())?;
        write_if_changed(&lab_dir.join("Cargo.toml"), manifest.as_bytes())?;
        let mut markers = BTreeMap::new();
        for file in &files {
            let tests_dir = lab_dir.join("grading-tests");
            let wrapper = tests_dir.join(format!("{}.rs", file.target));
            let module = tests_dir.join(format!("{TEST_MODULE}-{}.rs", file.target));
            let text = util::read_to_string(&file.path)?;
            let mark = marker(&wrapper)?;
            let (root, body) = wrapper_source(&file.target, &file.path, &text, &file.tests, &mark);
            write_if_changed(&wrapper, root.as_bytes())?;
            write_if_changed(&module, body.as_bytes())?;
            markers.insert(file.target.clone(), mark);
            written.push(wrapper);
            written.push(module);
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
            markers,
            files,
            timing: timing_src.is_some(),
            notes,
            build_dir: None,
        })
    }

    /// The lab's package name, as the status line shows it.
    fn lab_name(&self) -> String {
        self.dir
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn build_dir(&self, course: &Course) -> PathBuf {
        self.build_dir.clone().unwrap_or_else(|| build_dir(course))
    }

    fn cargo(&self, course: &Course, args: &[&str]) -> Command {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.args(args)
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .arg("--message-format=json")
            .env("CARGO_TARGET_DIR", self.dir.join("target"))
            .env("CARGO_BUILD_BUILD_DIR", self.build_dir(course))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .current_dir(&self.dir);
        cmd
    }

    /// Compiles the library and every test target (debug), collecting errors per target.
    pub fn build_tests(&self, course: &Course) -> Result<TestBuild, Error> {
        let cmd = self.cargo(course, &["build", "--tests", "--keep-going"]);
        self.collect(cmd, "tests")
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
            .env("CARGO_BUILD_BUILD_DIR", self.build_dir(course).join("loom"));
        self.collect(cmd, "loom tests")
    }

    fn collect(&self, cmd: Command, what: &str) -> Result<TestBuild, Error> {
        let status = crate::status::cargo_lines(&format!("{} ({what})", self.lab_name()));
        let out = util::run_full_lines(cmd, BUILD_TIMEOUT, status)?;
        let mut build = self.read_messages(&out.stdout);
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

    /// What a build's JSON messages say: executables, binaries, the student's units and the
    /// compiler errors of each target, with scratch paths shown as the student's own.
    fn read_messages(&self, stdout: &str) -> TestBuild {
        let mut build = TestBuild::default();
        let member = member_name(&self.dir);
        let scratch_prefix = format!("{}/", self.dir.join(&member).display());
        let member_manifest = self.dir.join(&member).join("Cargo.toml");
        for msg in messages(stdout) {
            match msg {
                Message::CompilerArtifact(artifact) => {
                    let is_test = artifact.target.is_kind(TargetKind::Test);
                    if artifact.manifest_path == member_manifest
                        && !is_test
                        && let Some(first) = artifact.filenames.first()
                    {
                        build
                            .student_dep_info
                            .push(dep_info_path(first.as_std_path()));
                    }
                    let exe = artifact.executable.map(PathBuf::from);
                    if is_test {
                        if let Some(exe) = exe {
                            build.executables.insert(artifact.target.name, exe);
                        }
                    } else if artifact.target.is_kind(TargetKind::Bin) {
                        build.bins.extend(exe);
                    }
                }
                Message::CompilerMessage(msg) if msg.message.level == DiagnosticLevel::Error => {
                    let rendered = msg
                        .message
                        .rendered
                        .unwrap_or_default()
                        .replace(&scratch_prefix, "")
                        .replace(&format!(" {member}/src/"), " src/");
                    // The library is compiled twice (as a library and as its unit tests):
                    // report each error once.
                    let errors = if msg.target.is_kind(TargetKind::Test) {
                        build.target_errors.entry(msg.target.name).or_default()
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
        build
    }

    /// Compiles the timing program in release mode; returns its path.
    pub fn build_timing(&self, course: &Course) -> Result<PathBuf, Error> {
        let cmd = self.cargo(course, &["build", "--release", "--example", TIMING_EXAMPLE]);
        let status = crate::status::cargo_lines(&format!("{} (timing program)", self.lab_name()));
        let out = util::run_full_lines(cmd, BUILD_TIMEOUT, status)?;
        messages(&out.stdout)
            .filter_map(|msg| match msg {
                Message::CompilerArtifact(a) if a.target.name == TIMING_EXAMPLE => a.executable,
                _ => None,
            })
            .map(PathBuf::from)
            .next()
            .ok_or_else(|| {
                anyhow!(
                    "the timing program did not compile:\n{}",
                    util::truncate(out.stderr.trim(), 3000)
                )
            })
    }
}

/// Cargo's `--message-format=json` messages in `stdout` (a line that is not JSON comes as
/// a [`Message::TextLine`]).
pub fn messages(stdout: &str) -> impl Iterator<Item = Message> + '_ {
    Message::parse_stream(stdout.as_bytes()).flatten()
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
        util::write(path, bytes)?;
    }
    Ok(())
}

/// Removes the files under `dir` that are not in `keep`.
fn remove_unlisted(dir: &Path, keep: &[PathBuf]) -> Result<(), Error> {
    let entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = entry
            .file_type()
            .with_context(|| format!("reading {}", path.display()))?;
        if kind.is_dir() {
            remove_unlisted(&path, keep)?;
        } else if !keep.contains(&path) {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// Lays the course's given files (those `cargo xtask sync` marks with its given-code header)
/// over the scratch copy of a submission's `src/`: a student cannot change given code to pass
/// a test. A submission whose copy differs gets a note saying its copy was not used.
fn lay_given_files(
    lab: &Lab,
    to: &Path,
    notes: &mut Vec<String>,
    written: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let src = lab.dir.join("src");
    for rel in util::files_under(&src)? {
        let path = src.join(&rel);
        let given = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if !given.starts_with(crate::sync::GIVEN_HEADER.as_bytes()) {
            continue;
        }
        let dest = to.join(&rel);
        let header = crate::sync::GIVEN_HEADER.len();
        // The solutions' own copy is the source, without the header.
        if fs::read(&dest).is_ok_and(|theirs| theirs != given && theirs != given[header..]) {
            notes.push(format!(
                "src/{} is given code: the course's copy was graded, not the submission's",
                rel.display()
            ));
        }
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        write_if_changed(&dest, &given)?;
        written.push(dest);
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
    util::create_dir_all(to)?;
    let Ok(entries) = fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = || format!("reading {}", path.display());
        let kind = entry.file_type().with_context(meta)?;
        if kind.is_dir() {
            copy_src(&path, &to.join(entry.file_name()), budget, notes, written)?;
        } else if kind.is_file() {
            let len = entry.metadata().with_context(meta)?.len();
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
            write_if_changed(&dest, &util::read(&path)?)?;
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
    let mut table: Table = util::read_toml(&root)?;
    let ws = table
        .get_mut("workspace")
        .and_then(|w| w.as_table_mut())
        .with_context(|| format!("{} has no [workspace]", root.display()))?;
    ws.insert("members".into(), toml::Value::Array(vec![member.into()]));
    ws.remove("default-members");
    ws.remove("exclude");
    let deps = ws
        .entry("dependencies")
        .or_insert_with(|| toml::Value::Table(Table::new()))
        .as_table_mut()
        .with_context(|| {
            format!(
                "{}: [workspace.dependencies] is not a table",
                root.display()
            )
        })?;
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
        toml::to_string(&table).context("writing the scratch workspace's manifest")?
    ))
}

/// The lab's manifest, from the instructor's copy: its own test, bench and example targets
/// are replaced by the grader's wrapped test targets and, for timing, the timing program.
fn lab_manifest(lab: &Lab, files: &[TestFile], timing: Option<&Path>) -> Result<String, Error> {
    let path = lab.dir.join("Cargo.toml");
    let mut table: Table = util::read_toml(&path)?;
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
    toml::to_string(&table).context("writing the scratch lab's manifest")
}

/// The module every graded test runs in, inside [`TEST_MODULE`]: `t::__parlab::name`.
pub const VERDICT_MODULE: &str = "__parlab";
/// Length of the verdict marker and of the nonce patched over it.
pub const MARK_LEN: usize = 32;

/// The two files of a graded test target: its crate root, and the test file's text with the
/// verdict module appended (mounted as module [`TEST_MODULE`]).
///
/// Each graded test `name` runs as `t::__parlab::name`, a test that calls the course's own
/// `t::name` (a child module sees its parent's private items) and, only when that call
/// returns normally (and, for a test returning `Result`, returns `Ok`), writes a nonce to
/// descriptor 3, a pipe the sandbox supervisor reads. The binary holds a random marker of
/// [`MARK_LEN`] bytes in place of the nonce; before every grading run the grader copies the
/// binary, patches a fresh nonce over the marker and lets student code execute the copy but
/// not read it. A panic, an `exit(0)` from any thread at any moment, or a printed `ok`
/// therefore never makes a test pass: student code cannot learn the nonce short of scanning
/// its own process memory.
///
/// Line numbers of the test file are kept (the module is appended), and relative `#[path]`
/// attributes are made absolute, so the copy compiles and reports like the original.
pub fn wrapper_source(
    target: &str,
    test_file: &Path,
    text: &str,
    tests: &[String],
    mark: &str,
) -> (String, String) {
    let root = format!(
        r#"// Generated by `cargo xtask grade`; do not edit.
#[path = "{TEST_MODULE}-{target}.rs"]
mod {TEST_MODULE};

/// Replaced by a fresh nonce in the copy of this binary that the grader runs.
#[used]
static PARLAB_MARK: [u8; {MARK_LEN}] = *b"{mark}";

/// What a graded test returns: `()`, or a `Result` whose `Err` fails it.
trait ParlabReturn {{
    fn parlab_passed(self) -> bool;
}}

impl ParlabReturn for () {{
    fn parlab_passed(self) -> bool {{
        true
    }}
}}

impl<E: std::fmt::Debug> ParlabReturn for Result<(), E> {{
    fn parlab_passed(self) -> bool {{
        match self {{
            Ok(()) => true,
            Err(e) => panic!("the test returned an error: {{e:?}}"),
        }}
    }}
}}

/// Called with what the graded test returned, once it has returned.
fn parlab_returned(r: impl ParlabReturn) {{
    if r.parlab_passed() {{
        use std::io::Write as _;
        use std::os::fd::FromRawFd as _;
        // SAFETY: a volatile read of a static, so the patched bytes are the ones read.
        let mark: [u8; {MARK_LEN}] = unsafe {{ std::ptr::read_volatile(&PARLAB_MARK) }};
        // SAFETY: descriptor {fd} is the verdict pipe the supervisor opened; it is never closed here.
        let mut pipe = std::mem::ManuallyDrop::new(unsafe {{ std::fs::File::from_raw_fd({fd}) }});
        let _ = pipe.write_all(&[&mark[..], b"\n"].concat());
    }}
}}
"#,
        fd = crate::sandbox::VERDICT_FD,
    );
    let dir = test_file.parent().unwrap_or(Path::new("."));
    let mut module: String = text
        .lines()
        .map(|line| absolute_path_attr(line, dir))
        .map(|l| l + "\n")
        .collect();
    module.push_str(&format!(
        "\n// Appended by `cargo xtask grade`: the graded entry points.\n#[doc(hidden)]\nmod {VERDICT_MODULE} {{\n"
    ));
    for name in tests {
        module.push_str(&format!(
            "    #[test]\n    fn {name}() {{\n        crate::parlab_returned(super::{name}());\n    }}\n"
        ));
    }
    module.push_str("}\n");
    (root, module)
}

/// `#[path = "rel"]` made absolute against `dir` (other lines unchanged).
fn absolute_path_attr(line: &str, dir: &Path) -> String {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("#[path = \"")
        && let Some((rel, tail)) = rest.split_once('"')
        && !rel.starts_with('/')
    {
        let indent = &line[..line.len() - trimmed.len()];
        return format!(
            "{indent}#[path = {:?}{tail}",
            dir.join(rel).display().to_string()
        );
    }
    line.to_string()
}

/// The marker of an existing wrapper (kept so an unchanged test target is not rebuilt), or
/// a new random one.
fn marker(existing: &Path) -> Result<String, Error> {
    if let Ok(text) = fs::read_to_string(existing)
        && let Some(rest) = text.split(&format!("[u8; {MARK_LEN}] = *b\"")).nth(1)
        && let Some(mark) = rest.get(..MARK_LEN)
        && mark.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Ok(mark.to_string());
    }
    crate::util::random_hex(MARK_LEN)
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
    fn wrapper_calls_each_graded_test_from_a_child_module() {
        let text =
            "use lab01::*;\n#[path = \"../src/server.rs\"]\nmod server;\n#[test]\nfn amdahl() {}\n";
        let (root, module) = wrapper_source(
            "amdahl",
            Path::new("/course/labs/lab01/tests/amdahl.rs"),
            text,
            &["amdahl".to_string()],
            &"0".repeat(MARK_LEN),
        );
        assert!(root.contains("#[path = \"t-amdahl.rs\"]\nmod t;"));
        assert!(root.contains(&format!("*b\"{}\"", "0".repeat(MARK_LEN))));
        assert!(module.starts_with(
            "use lab01::*;\n#[path = \"/course/labs/lab01/tests/../src/server.rs\"]\n"
        ));
        assert!(module.contains("mod __parlab {\n    #[test]\n    fn amdahl() {\n        crate::parlab_returned(super::amdahl());"));
        // The original lines keep their numbers.
        assert_eq!(module.lines().nth(4), Some("fn amdahl() {}"));
    }

    #[test]
    fn an_existing_marker_is_kept_and_a_new_one_is_random() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("w.rs");
        let a = marker(&file).unwrap();
        let b = marker(&file).unwrap();
        assert_eq!(a.len(), MARK_LEN);
        assert_ne!(a, b);
        let (root, _) = wrapper_source("t", Path::new("/x/t.rs"), "", &[], &a);
        fs::write(&file, root).unwrap();
        assert_eq!(marker(&file).unwrap(), a);
    }

    #[test]
    fn a_unit_that_read_a_file_outside_src_is_refused() {
        let ws = tempfile::tempdir().unwrap();
        let src = ws.path().join("alice-lab01/src");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join("lib.rs"), "").unwrap();
        let secret = ws.path().join("hidden.rs");
        fs::write(&secret, "").unwrap();
        let clean = ws.path().join("lab01-1.d");
        fs::write(
            &clean,
            "/b/liblab01.rlib: alice-lab01/src/lib.rs\n\nalice-lab01/src/lib.rs:\n",
        )
        .unwrap();
        let mut build = TestBuild {
            student_dep_info: vec![clean.clone()],
            ..TestBuild::default()
        };
        assert_eq!(build.outside_reads(&src, ws.path()), None);
        let leaky = ws.path().join("lab01-2.d");
        fs::write(
            &leaky,
            format!("alice-lab01/src/lib.rs:\n{}:\n", secret.display()),
        )
        .unwrap();
        build.student_dep_info.push(leaky);
        let note = build.outside_reads(&src, ws.path()).unwrap();
        assert!(note.contains(&secret.display().to_string()), "{note}");
    }

    #[test]
    fn build_messages_give_executables_binaries_and_errors_per_target() {
        let scratch = Scratch {
            dir: PathBuf::from("/w/alice/lab01"),
            files: Vec::new(),
            markers: BTreeMap::new(),
            timing: false,
            notes: Vec::new(),
            build_dir: None,
        };
        let artifact = |kind: &str, name: &str, files: &str, exe: &str| {
            format!(
                r#"{{"reason":"compiler-artifact","package_id":"path+file:///w/alice/lab01/alice-lab01#lab01@0.1.0","manifest_path":"/w/alice/lab01/alice-lab01/Cargo.toml","target":{{"kind":["{kind}"],"crate_types":["{kind}"],"name":"{name}","src_path":"/w/alice/lab01/alice-lab01/src/lib.rs","edition":"2024","doc":true,"doctest":false,"test":true}},"profile":{{"opt_level":"1","debuginfo":0,"debug_assertions":true,"overflow_checks":true,"test":false}},"features":[],"filenames":["{files}"],"executable":{exe},"fresh":false}}"#
            )
        };
        let error = |kind: &str, name: &str, rendered: &str| {
            format!(
                r#"{{"reason":"compiler-message","package_id":"path+file:///w/alice/lab01/alice-lab01#lab01@0.1.0","manifest_path":"/w/alice/lab01/alice-lab01/Cargo.toml","target":{{"kind":["{kind}"],"crate_types":["bin"],"name":"{name}","src_path":"/w/alice/lab01/alice-lab01/grading-tests/{name}.rs","edition":"2024","doc":false,"doctest":false,"test":true}},"message":{{"rendered":"{rendered}","$message_type":"diagnostic","children":[],"code":null,"level":"error","message":"boom","spans":[]}}}}"#
            )
        };
        let stdout = [
            "warning: not JSON".to_string(),
            artifact("lib", "lab01", "/t/deps/liblab01-ab12.rlib", "null"),
            artifact(
                "test",
                "amdahl",
                "/t/deps/amdahl-cd34",
                r#""/t/deps/amdahl-cd34""#,
            ),
            artifact("bin", "worker", "/t/debug/worker", r#""/t/debug/worker""#),
            error(
                "test",
                "amdahl",
                "error: at /w/alice/lab01/alice-lab01/tests/x.rs",
            ),
            error("lib", "lab01", "error: --> alice-lab01/src/lib.rs:1"),
            error("lib", "lab01", "error: --> alice-lab01/src/lib.rs:1"),
            r#"{"reason":"build-finished","success":false}"#.to_string(),
        ]
        .join("\n");
        let build = scratch.read_messages(&stdout);
        assert_eq!(
            build.executables.get("amdahl"),
            Some(&PathBuf::from("/t/deps/amdahl-cd34"))
        );
        assert_eq!(build.bins, [PathBuf::from("/t/debug/worker")]);
        assert_eq!(
            build.student_dep_info,
            [
                PathBuf::from("/t/deps/lab01-ab12.d"),
                PathBuf::from("/t/debug/worker.d")
            ]
        );
        assert_eq!(build.target_errors["amdahl"], ["error: at tests/x.rs"]);
        assert_eq!(build.lib_errors, ["error: --> src/lib.rs:1"]);
    }

    #[test]
    fn dep_info_files_sit_beside_their_artifacts() {
        assert_eq!(
            dep_info_path(Path::new("/t/deps/liblab01-ab12.rlib")),
            Path::new("/t/deps/lab01-ab12.d")
        );
        assert_eq!(
            dep_info_path(Path::new("/t/deps/lab03_worker-cd34")),
            Path::new("/t/deps/lab03_worker-cd34.d")
        );
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
