//! `cargo xtask gradescope-bundle`: the autograder zip for Gradescope.
//!
//! Gradescope unzips the bundle into `/autograder/source`, runs `setup.sh` once to build its
//! image, then `run_autograder` for every submission, which must leave
//! `/autograder/results/results.json`. The bundle carries the instructor course (the files
//! git tracks, solutions and hidden tests included: the zip stays on Gradescope) so the
//! autograder runs the very grader instructors run locally.
//!
//! `setup.sh` installs Rust, then runs `build_course.sh`, which compiles the course and warms
//! the grader up. Both that script and `run_autograder` honour `PARLAB_AUTOGRADER_ROOT`
//! (instead of `/autograder`) and `PARLAB_XTASK` (the grader command, instead of
//! `cargo xtask`), so that they run outside Gradescope too: `xtask/tests/release.rs` runs
//! them against a synthetic course.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Error};
use zip::write::SimpleFileOptions;

use crate::dist::course_files;
use crate::util;

const SETUP: &str = r#"#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: it installs Rust, then
# runs build_course.sh. PARLAB_SKIP_INSTALL=1 skips the install (Rust is already there).
# mesa-vulkan-drivers: lavapipe, the software Vulkan driver lab06's GPU tests run on.
set -euo pipefail
if [ "${PARLAB_SKIP_INSTALL:-0}" != 1 ]; then
    apt-get update
    apt-get install -y --no-install-recommends curl ca-certificates build-essential git \
        mesa-vulkan-drivers
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
fi
exec bash "${PARLAB_AUTOGRADER_ROOT:-/autograder}/source/build_course.sh"
"#;

const BUILD_COURSE: &str = r#"#!/usr/bin/env bash
# The grading half of setup.sh, which needs Rust and nothing else: compiles every dependency
# now, so grading a submission compiles only the student's code, then grades the reference
# solutions once (a dry run of the grader).
#   PARLAB_AUTOGRADER_ROOT  the autograder folder (default /autograder)
#   PARLAB_XTASK            the grader command (default `cargo xtask`)
set -euo pipefail
ROOT="${PARLAB_AUTOGRADER_ROOT:-/autograder}"
COURSE="$ROOT/source/course"
if [ -f "${HOME:-}/.cargo/env" ]; then source "$HOME/.cargo/env"; fi
read -ra XTASK <<< "${PARLAB_XTASK:-cargo xtask}"
cd "$COURSE"
cargo build --workspace --all-targets
"${XTASK[@]}" --course "$COURSE" grade --solutions --no-timing --format json \
    --out "$COURSE/target/parlab-warmup.json"
"#;

const RUN: &str = r#"#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades $ROOT/submission and always leaves
# $ROOT/results/results.json; when grading fails, a score of 0 that says why. Same
# variables as build_course.sh.
set -uo pipefail
ROOT="${PARLAB_AUTOGRADER_ROOT:-/autograder}"
COURSE="$ROOT/source/course"
RESULTS="$ROOT/results/results.json"
if [ -f "${HOME:-}/.cargo/env" ]; then source "$HOME/.cargo/env"; fi
read -ra XTASK <<< "${PARLAB_XTASK:-cargo xtask}"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
LOG="$(mktemp)"
status=0
(cd "$COURSE" && "${XTASK[@]}" --course "$COURSE" grade --submission "$ROOT/submission" \
    --format gradescope --out "$RESULTS") 2>"$LOG" || status=$?
cat "$LOG" >&2
if [ "$status" -ne 0 ] || [ ! -s "$RESULTS" ]; then
    # printable ASCII, JSON-escaped, lines joined by \n
    said="$(tail -n 30 "$LOG" | tr '\t' ' ' | LC_ALL=C tr -cd '\n -~' \
        | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | awk 'BEGIN { ORS = "\\n" } { print }')"
    printf '{"score": 0, "output": "%s", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}\n' \
        "The autograder could not grade this submission (the grader exited with status $status), so it scored 0: please tell your instructor.\n\n$said" \
        >"$RESULTS"
fi
rm -f "$LOG"
"#;

/// Writes the bundle to `out`.
pub fn run(root: &Path, out: &Path) -> Result<(), Error> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        util::create_dir_all(parent)?;
    }
    let writing = || format!("writing {}", out.display());
    let mut zip = zip::ZipWriter::new(File::create(out).with_context(writing)?);
    let exec = SimpleFileOptions::default().unix_permissions(0o755);
    let plain = SimpleFileOptions::default().unix_permissions(0o644);
    for (name, body) in [
        ("setup.sh", SETUP),
        ("build_course.sh", BUILD_COURSE),
        ("run_autograder", RUN),
    ] {
        zip.start_file(name, exec).with_context(writing)?;
        zip.write_all(body.as_bytes()).with_context(writing)?;
    }
    let files = course_files(root)?;
    for rel in &files {
        let name = format!("course/{}", rel.to_string_lossy());
        let executable = rel.starts_with(".ci");
        zip.start_file(name, if executable { exec } else { plain })
            .with_context(writing)?;
        zip.write_all(&util::read(&root.join(rel))?)
            .with_context(writing)?;
    }
    zip.finish().with_context(writing)?;
    println!(
        "wrote {} ({} course files, tracked by git: untracked and ignored files are never shipped; \
         setup.sh, build_course.sh, run_autograder): upload it as the assignment's autograder",
        out.display(),
        files.len()
    );
    Ok(())
}
