//! `cargo xtask bench`: the criterion benchmarks of the finance crate and of each lab.
//!
//! In an instructor checkout a lab's benchmarks are the reference solution's (the
//! solutions workspace, built in its own target directory); in a student release they are
//! the student's own code.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Error};

use crate::course::Course;
use crate::{scratch, util};

/// `cargo xtask bench [TARGET...] [-- CRITERION ARGS]`: `cargo bench` of each target, one
/// after the other; returns whether every run succeeded.
pub fn run(root: &Path, targets: &[String], criterion: &[String]) -> Result<bool, Error> {
    let course = Course::load(root)?;
    let finance = targets.is_empty() || targets.iter().any(|t| t == "finance");
    let lab_names: Vec<String> = targets
        .iter()
        .filter(|t| *t != "finance")
        .cloned()
        .collect();
    let labs = if targets.is_empty() || !lab_names.is_empty() {
        course.select(&lab_names)?
    } else {
        Vec::new()
    };
    let cargo = || Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let mut runs = Vec::new();
    // `--bench *`: only the criterion targets, whose harness understands criterion's flags
    // (the library's own test harness rejects `--quick`).
    if finance {
        let mut cmd = cargo();
        cmd.args(["bench", "--bench", "*", "-p", "finance"]);
        runs.push(("finance".to_string(), cmd));
    }
    for lab in labs {
        let mut cmd = cargo();
        cmd.args(["bench", "--bench", "*"]);
        if course.has_solutions() {
            // The solutions' own target directory (as `solutions/.cargo/config.toml` sets it
            // for a `cargo` run from `solutions/`): their packages carry the labs' names, and
            // their binaries must not replace the root workspace's in `target/`. The build
            // directory is the root's, so registry dependencies compile once.
            cmd.arg("--manifest-path")
                .arg(root.join("solutions/Cargo.toml"))
                .arg("--target-dir")
                .arg(root.join("target/solutions"))
                .env("CARGO_BUILD_BUILD_DIR", scratch::build_dir(&course));
        }
        cmd.args(["-p", &lab.name]);
        runs.push((lab.name.clone(), cmd));
    }
    let mut ok = true;
    for (name, mut cmd) in runs {
        eprintln!("== cargo bench {name}");
        cmd.arg("--").args(criterion).current_dir(root);
        let status = cmd
            .status()
            .with_context(|| format!("running {}", util::describe_command(&cmd)))?;
        ok &= status.success();
    }
    Ok(ok)
}
