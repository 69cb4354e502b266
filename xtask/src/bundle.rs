//! `cargo xtask gradescope-bundle`: the autograder zip for Gradescope.
//!
//! Gradescope unzips the bundle into `/autograder/source`, runs `setup.sh` once to build its
//! image, then `run_autograder` for every submission, which must leave
//! `/autograder/results/results.json`. The bundle carries the instructor course (the files
//! git tracks, solutions and hidden tests included: the zip stays on Gradescope) so the
//! autograder runs the very grader instructors run locally.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::dist::course_files;
use crate::util::Error;

const SETUP: &str = r#"#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends curl ca-certificates build-essential git
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
source "$HOME/.cargo/env"
cd /autograder/source/course
# Compile every dependency now, so grading a submission only compiles the student's code.
cargo build --workspace --all-targets
cargo xtask grade --solutions --no-timing --format json --out /tmp/parlab-warmup.json
"#;

const RUN: &str = r#"#!/usr/bin/env bash
# Gradescope runs this for every submission; the submission is in /autograder/submission.
set -uo pipefail
source "$HOME/.cargo/env"
cd /autograder/source/course
mkdir -p /autograder/results
cargo xtask grade --submission /autograder/submission --format gradescope \
    --out /autograder/results/results.json
"#;

/// Writes the bundle to `out`.
pub fn run(root: &Path, out: &Path) -> Result<(), Error> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let zip_err = |e: zip::result::ZipError| Error::new(format!("writing {}: {e}", out.display()));
    let mut zip = zip::ZipWriter::new(File::create(out)?);
    let exec = SimpleFileOptions::default().unix_permissions(0o755);
    let plain = SimpleFileOptions::default().unix_permissions(0o644);
    for (name, body) in [("setup.sh", SETUP), ("run_autograder", RUN)] {
        zip.start_file(name, exec).map_err(zip_err)?;
        zip.write_all(body.as_bytes())?;
    }
    let files = course_files(root)?;
    for rel in &files {
        let name = format!("course/{}", rel.to_string_lossy());
        let executable = rel.starts_with(".ci");
        zip.start_file(name, if executable { exec } else { plain })
            .map_err(zip_err)?;
        zip.write_all(&fs::read(root.join(rel))?)?;
    }
    zip.finish().map_err(zip_err)?;
    println!(
        "wrote {} ({} course files, tracked by git: untracked and ignored files are never shipped; \
         setup.sh, run_autograder): upload it as the assignment's autograder",
        out.display(),
        files.len()
    );
    Ok(())
}
