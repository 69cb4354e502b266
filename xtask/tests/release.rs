//! What leaves the instructor's checkout: the student release (`dist`), the Gradescope
//! bundle and its scripts, and `check`'s build of the release.
//!
//! Each test builds a tiny synthetic course in a temporary git repository (a lab `lab90`
//! with a visible test file, a reference solution and a hidden test; a default member
//! `toolbox`), next to an untracked `submissions/` folder and an ignored file, neither of
//! which may ever leave the checkout.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process;
use std::time::Duration;

mod common;

use assert_cmd::Command;
use common::{processes_with, tempdir, write_tree};
use serde_json::Value;

const ROOT_MANIFEST: &str = r#"[workspace]
resolver = "3"
members = ["shared", "labs/lab90-toy"]
default-members = ["shared"]
exclude = ["solutions"]

[workspace.package]
edition = "2024"

[workspace.dependencies]

[profile.dev]
opt-level = 0
debug = false
"#;

const SOLUTIONS_MANIFEST: &str = r#"[workspace]
resolver = "3"
members = ["lab90"]

[workspace.package]
edition = "2024"

[workspace.dependencies]

[profile.dev]
opt-level = 0
debug = false
"#;

const SOLUTION_MANIFEST: &str = r#"[package]
name = "lab90"
version = "0.1.0"
edition.workspace = true

[[test]]
name = "toy"
path = "../../labs/lab90-toy/tests/toy.rs"

[[test]]
name = "hidden_extra"
path = "hidden/extra.rs"
"#;

/// The default member's one test: its binary was compiled from the checkout it runs in.
const TOOLBOX: &str = r#"//! The course's own code.

/// Adds.
pub fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[test]
fn built_from_the_checkout_it_runs_in() {
    assert_eq!(
        env!("CARGO_MANIFEST_DIR"),
        std::env::var("CARGO_MANIFEST_DIR").unwrap(),
        "this test binary was compiled from another copy of the course"
    );
}
"#;

const STUB: &str = r#"//! Lab 90.

/// Adds.
pub fn add(_a: i64, _b: i64) -> i64 {
    todo!()
}

/// The answer.
pub fn answer() -> i64 {
    todo!()
}
"#;

const SOLUTION: &str = r#"//! Lab 90.

/// Adds.
pub fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// The answer.
pub fn answer() -> i64 {
    1
}
"#;

const VISIBLE_TESTS: &str = r#"
use lab90::*;

#[test]
fn adds() {
    assert_eq!(add(2, 3), 5);
}

#[test]
fn answers() {
    assert_eq!(answer(), 1, "answer() should be 1");
}
"#;

const HIDDEN_TESTS: &str = r#"
use lab90::*;

#[test]
fn adds_negative_numbers() {
    assert_eq!(add(-2, -3), -5, "the secret expected value is -5");
}
"#;

/// The synthetic instructor course, in `root` (not a git repository yet).
fn course(root: &Path) {
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT_MANIFEST),
            ("README.md", "# The course\n"),
            ("docs/STUDENT_README.md", "# The course, for students\n"),
            ("docs/GRADING.md", "# Grading\n"),
            (
                "shared/Cargo.toml",
                "[package]\nname = \"toolbox\"\nversion = \"0.1.0\"\nedition.workspace = true\n",
            ),
            ("shared/src/lib.rs", TOOLBOX),
            (
                "labs/lab90-toy/Cargo.toml",
                "[package]\nname = \"lab90\"\nversion = \"0.1.0\"\nedition.workspace = true\n\n[dependencies]\n",
            ),
            ("labs/lab90-toy/src/lib.rs", STUB),
            ("labs/lab90-toy/tests/toy.rs", VISIBLE_TESTS),
            (
                "labs/lab90-toy/grading.toml",
                "lab = \"lab90\"\ntimeout_secs = 20\ndefault_points = 1\n[points]\nadds = 2\n",
            ),
            ("solutions/Cargo.toml", SOLUTIONS_MANIFEST),
            ("solutions/lab90/Cargo.toml", SOLUTION_MANIFEST),
            ("solutions/lab90/src/lib.rs", SOLUTION),
            ("solutions/lab90/hidden/extra.rs", HIDDEN_TESTS),
            ("solutions/lab90/grading.toml", "default_points = 3\n"),
            (".gitignore", "/target\n/grading-out\nnotes-*.txt\n"),
        ],
    );
}

fn git(dir: &Path, args: &[&str]) {
    let config = [
        "user.name=t",
        "user.email=t@t",
        "commit.gpgsign=false",
        "init.defaultBranch=main",
    ];
    let out = process::Command::new("git")
        .args(config.iter().flat_map(|c| ["-c", c]))
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The course, committed, plus files that must never be shipped: a class's submissions
/// (untracked, not ignored), the grader's output and notes (ignored).
fn git_course(root: &Path) {
    course(root);
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "course"]);
    write_tree(
        root,
        &[
            (
                "submissions/alice/labs/lab90-toy/src/lib.rs",
                "// alice's work\n",
            ),
            ("grading-out/gradebook.csv", "student,total\nalice,3\n"),
            ("notes-exam.txt", "the exam's answers\n"),
        ],
    );
}

/// Tracked files of the course that a student release must hold.
const SHIPPED: &[&str] = &[
    "Cargo.toml",
    "README.md",
    ".gitignore",
    "shared/src/lib.rs",
    "labs/lab90-toy/src/lib.rs",
    "labs/lab90-toy/tests/toy.rs",
    "labs/lab90-toy/grading.toml",
];

/// Whether a relative path is one of the never-shipped files.
fn unshippable(path: &str) -> bool {
    path.contains("submissions") || path.contains("grading-out") || path.contains("notes-exam")
}

fn xtask(course: &Path) -> Command {
    let mut cmd = Command::new(xtask_bin());
    cmd.arg("--course")
        .arg(course)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .timeout(Duration::from_secs(600));
    cmd
}

fn xtask_bin() -> PathBuf {
    PathBuf::from(assert_cmd::cargo::cargo_bin!("xtask"))
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().clone();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn dist_ships_tracked_files_only() {
    let tmp = tempdir();
    let root = tmp.path().join("course");
    git_course(&root);
    let out = tmp.path().join("release");
    let said = stdout_of(xtask(&root).arg("dist").arg(&out));
    assert!(said.contains("tracked by git"), "{said}");

    let files = files_under(&out);
    for f in SHIPPED {
        assert!(files.iter().any(|x| x == f), "{f} is missing: {files:?}");
    }
    let leaked: Vec<&String> = files
        .iter()
        .filter(|f| unshippable(f) || f.starts_with("solutions") || f.contains("GRADING"))
        .collect();
    assert!(leaked.is_empty(), "shipped: {leaked:?}");
    assert_eq!(
        fs::read_to_string(out.join("README.md")).unwrap(),
        "# The course, for students\n"
    );
}

#[test]
fn the_gradescope_bundle_ships_tracked_files_only() {
    let tmp = tempdir();
    let root = tmp.path().join("course");
    git_course(&root);
    let zip_path = tmp.path().join("autograder.zip");
    let said = stdout_of(xtask(&root).arg("gradescope-bundle").arg(&zip_path));
    assert!(said.contains("tracked by git"), "{said}");

    let mut zip = zip::ZipArchive::new(fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for f in SHIPPED {
        let name = format!("course/{f}");
        assert!(names.contains(&name), "{name} is missing: {names:?}");
    }
    // The bundle stays on Gradescope: the instructor's files go with it.
    for f in [
        "course/solutions/lab90/hidden/extra.rs",
        "course/docs/GRADING.md",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} is missing: {names:?}");
    }
    let leaked: Vec<&String> = names.iter().filter(|n| unshippable(n)).collect();
    assert!(leaked.is_empty(), "shipped: {leaked:?}");
    for script in ["setup.sh", "build_course.sh", "run_autograder"] {
        let file = zip.by_name(script).unwrap();
        assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o755), "{script}");
    }
}

#[test]
fn outside_git_dist_and_the_bundle_refuse_to_guess() {
    let tmp = tempdir();
    let root = tmp.path().join("course");
    course(&root);
    let out = tmp.path().join("release");
    let zip_path = tmp.path().join("autograder.zip");
    for (command, dest) in [("dist", &out), ("gradescope-bundle", &zip_path)] {
        let run = xtask(&root).arg(command).arg(dest).assert().code(2);
        let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
        assert!(
            stderr.contains("ship only the files git tracks"),
            "{command}: {stderr}"
        );
    }
    assert!(!out.exists() || files_under(&out).is_empty());
}

/// Unzips `zip` into `dir`, keeping the files' modes.
fn unzip(zip: &Path, dir: &Path) {
    let mut zip = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let path = dir.join(file.enclosed_name().unwrap());
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        fs::write(&path, bytes).unwrap();
        if let Some(mode) = file.unix_mode() {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode & 0o777)).unwrap();
        }
    }
}

/// Runs one of the bundle's scripts as Gradescope would, with the autograder folder and the
/// grader command overridden.
fn run_script(autograder: &Path, script: &str) -> process::Output {
    let out = process::Command::new("bash")
        .arg(autograder.join("source").join(script))
        .env("PARLAB_AUTOGRADER_ROOT", autograder)
        .env("PARLAB_XTASK", xtask_bin())
        .env("PARLAB_SKIP_INSTALL", "1")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .current_dir(autograder.join("source"))
        .output()
        .unwrap();
    eprintln!(
        "== {script}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn results(autograder: &Path) -> Value {
    let path = autograder.join("results/results.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn the_gradescope_scripts_grade_a_submission_outside_gradescope() {
    let tmp = tempdir();
    let root = tmp.path().join("course");
    git_course(&root);
    let zip_path = tmp.path().join("autograder.zip");
    xtask(&root)
        .arg("gradescope-bundle")
        .arg(&zip_path)
        .assert()
        .success();
    let autograder = tmp.path().join("autograder");
    unzip(&zip_path, &autograder.join("source"));

    // setup.sh without its install half: build the course, warm the grader up.
    let setup = run_script(&autograder, "setup.sh");
    assert!(setup.status.success(), "setup.sh failed");
    assert!(
        autograder
            .join("source/course/target/parlab-warmup.json")
            .is_file()
    );

    // A submission: `adds` and the hidden test pass, `answers` fails. `answer` also tries
    // to write Gradescope's results, now and (from a process in a session of its own)
    // after the grader has written them.
    let results_dir = autograder.join("results");
    let forged = "{\\\"score\\\": 1000}";
    let attack = format!(
        "    let _ = std::fs::create_dir_all({dir:?});\n    let _ = std::fs::write({dir:?}.to_string() + \"/PWNED\", \"x\");\n    let _ = std::process::Command::new(\"sh\").arg(\"-c\").arg(\"setsid sh -c 'while :; do echo {forged} > {dir}/results.json 2>/dev/null; sleep 0.05; done # parlab-gs-attack' >/dev/null 2>&1 </dev/null &\").status();\n    2\n",
        dir = results_dir.display().to_string(),
    );
    write_tree(
        &autograder.join("submission"),
        &[(
            "labs/lab90-toy/src/lib.rs",
            &SOLUTION.replace("    1\n", &attack),
        )],
    );
    let run = run_script(&autograder, "run_autograder");
    assert!(run.status.success());
    assert!(
        !results_dir.join("PWNED").exists(),
        "student code wrote into the results folder"
    );
    assert_eq!(
        processes_with("parlab-gs-attack"),
        0,
        "the student's background writer outlived grading"
    );
    let r = results(&autograder);
    assert_eq!(r["score"], 5.0, "{r:#}");
    let test = |name: &str| -> &Value {
        r["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no test {name}: {r:#}"))
    };
    assert_eq!(test("lab90 adds")["score"], 2.0);
    assert_eq!(test("lab90 adds")["visibility"], "visible");
    assert_eq!(test("lab90 answers")["score"], 0.0);
    assert_eq!(test("lab90 answers")["status"], "failed");
    let hidden = test("lab90 adds_negative_numbers");
    assert_eq!(hidden["score"], 3.0);
    assert_eq!(hidden["max_score"], 3.0);
    assert_eq!(hidden["visibility"], "after_due_date");

    // Grading that errors out still leaves a results.json: 0 points, and why.
    fs::remove_dir_all(autograder.join("submission")).unwrap();
    fs::remove_dir_all(autograder.join("results")).unwrap();
    let run = run_script(&autograder, "run_autograder");
    assert!(run.status.success());
    let r = results(&autograder);
    assert_eq!(r["score"], 0.0, "{r:#}");
    assert_eq!(r["tests"], Value::Array(Vec::new()));
    let output = r["output"].as_str().unwrap();
    assert!(
        output.contains("could not grade") && output.contains("does not exist"),
        "{output}"
    );
}

#[test]
fn check_builds_the_release_apart_from_the_checkout() {
    let tmp = tempdir();
    let root = tmp.path().join("course");
    git_course(&root);
    let said = stdout_of(xtask(&root).args(["check", "--no-timing"]));
    assert!(
        said.contains("ok    cargo xtask dist builds"),
        "the release does not build:\n{said}"
    );
    // The release built in directories of its own...
    assert!(
        root.join("target/xtask/dist-target/debug/.fingerprint")
            .is_dir()
    );
    // ...so the checkout's own test binaries are still its own.
    let out = process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("test")
        .current_dir(&root)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo test in the checkout after check:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
