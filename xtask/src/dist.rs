//! `cargo xtask dist OUT`: the student release.
//!
//! The release is the files git tracks in this repository (only those: see
//! [`course_files`]) without what only instructors may see: `solutions/` (reference code,
//! hidden tests, hidden grading specs, mutants and timing programs), the CI script and the
//! instructor documentation. Its README is the students' one (`docs/STUDENT_README.md`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Error, anyhow, bail};

use crate::util;

/// Paths (prefixes) that never leave the instructor's checkout.
const INSTRUCTOR_ONLY: &[&str] = &[
    "solutions/",
    ".ci/",
    "docs/GRADING.md",
    "docs/AUTHORING.md",
    "docs/STUDENT_README.md",
    "xtask/ARCHITECTURE.md",
];

/// The files of the release, relative to the root: the files git tracks, less the
/// instructors' ones.
pub fn release_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    Ok(course_files(root)?
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            !INSTRUCTOR_ONLY.iter().any(|x| s.starts_with(x))
        })
        .collect())
}

/// Every file of the course: the files git tracks (`git ls-files --cached`: in the index,
/// with their working-tree contents), and nothing else.
///
/// Untracked files are never shipped, ignored or not: an instructor's checkout holds
/// things no student may see (a `submissions/` folder to grade, reports, notes), and the
/// list of what a release holds must be one the instructor reviewed, by committing it.
/// Outside a git checkout this is an error rather than a walk of the folder, which would
/// ship all of that.
pub fn course_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let out = Command::new("git")
        .args(["ls-files", "--cached", "-z"])
        .current_dir(root)
        .output()
        .map_err(|e| {
            anyhow!(
                "cannot run git in {}: {e} (releases ship the files git tracks: install git)",
                root.display()
            )
        })?;
    if !out.status.success() {
        bail!(
            "git cannot list the tracked files of {}: {}\n\
             dist and gradescope-bundle ship only the files git tracks: make the course a git \
             checkout and commit the files to ship",
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let mut files: Vec<PathBuf> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| PathBuf::from(String::from_utf8_lossy(s).into_owned()))
        // A tracked file deleted from the working tree, or a submodule, is not shipped.
        .filter(|p| root.join(p).is_file())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Writes the release to `out` and returns the number of files written.
pub fn write(root: &Path, out: &Path) -> Result<usize, Error> {
    let reading = || format!("reading {}", out.display());
    if out.exists() && fs::read_dir(out).with_context(reading)?.next().is_some() {
        bail!(
            "{} exists and is not empty: choose a new folder",
            out.display()
        );
    }
    let files = release_files(root)?;
    for rel in &files {
        let dest = out.join(rel);
        if let Some(parent) = dest.parent() {
            util::create_dir_all(parent)?;
        }
        let src = root.join(rel);
        if rel == Path::new("Cargo.toml") {
            util::write(&dest, student_manifest(&util::read_to_string(&src)?))?;
        } else {
            let student_readme = root.join("docs/STUDENT_README.md");
            let from = if rel == Path::new("README.md") && student_readme.is_file() {
                &student_readme
            } else {
                &src
            };
            fs::copy(from, &dest)
                .with_context(|| format!("copying {} to {}", from.display(), dest.display()))?;
        }
    }
    Ok(files.len())
}

/// The root manifest without the lines that mention the solutions workspace.
fn student_manifest(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("solutions"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `cargo xtask dist OUT`.
pub fn run(root: &Path, out: &Path) -> Result<(), Error> {
    let n = write(root, out)?;
    println!(
        "wrote the student release to {} ({n} files, tracked by git: untracked and ignored files are never shipped)\nnext: cd {} && cargo test -p lab01",
        out.display(),
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_student_manifest_forgets_the_solutions() {
        let text = "[workspace]\nmembers = [\"shared\"]\n# The reference solutions are a second workspace.\nexclude = [\"solutions\"]\n";
        assert_eq!(
            student_manifest(text),
            "[workspace]\nmembers = [\"shared\"]\n"
        );
    }

    #[test]
    fn the_release_holds_no_instructor_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let files = release_files(root).unwrap();
        assert!(files.iter().any(|p| p == Path::new("Cargo.toml")));
        assert!(files.iter().all(|p| !p.starts_with("solutions")));
        assert!(files.iter().all(|p| !p.starts_with(".ci")));
    }
}
