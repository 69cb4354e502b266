//! `cargo xtask`: the course's own tooling.
//!
//! - `grade`: grade labs (this checkout, a submission, a whole class, or the solutions)
//!   against visible and hidden tests and timing checks;
//! - `check`: prove the course is sound (stubs, tests, solutions, mutants, release);
//! - `dist`: make the student release;
//! - `gradescope-bundle`: make the Gradescope autograder zip;
//! - `watch` and `progress`: the student's loop (rerun a lab's tests on every change; where
//!   each lab stands).
//!
//! See `docs/GRADING.md` (instructors) and `docs/AUTHORING.md` (lab authors).

mod bench;
mod bundle;
mod check;
mod class_report;
mod course;
mod dist;
mod escape;
mod grade;
mod interrupt;
mod report;
mod runner;
mod sandbox;
mod scratch;
mod status;
mod sync;
mod timing;
mod util;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::grade::{Request, Target};
use crate::report::Format;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "The parlab course's tooling: grade, check, release."
)]
struct Cli {
    /// The course checkout to work on (default: the one this xtask belongs to).
    #[arg(long, global = true, value_name = "DIR")]
    course: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Grade labs against visible and hidden tests and timing checks.
    Grade(GradeArgs),
    /// Prove the course is sound: stubs fail, solutions pass, mutants are caught, the release builds.
    Check {
        /// Labs to check (all when none).
        labs: Vec<String>,
        /// Skip the timing checks of the solutions (faster; CI runs them).
        #[arg(long)]
        no_timing: bool,
    },
    /// Write the generated files (stubs, given code, the solutions' manifests) from their
    /// source: the solutions and the root and lab manifests.
    Sync {
        /// Change nothing: list what is stale or broken, and fail if anything is.
        #[arg(long)]
        check: bool,
    },
    /// Write the student release (no solutions, hidden tests or mutants) to OUT.
    Dist {
        /// Output folder (must not exist, or be empty).
        out: PathBuf,
    },
    /// Run the criterion benchmarks: the finance crate's, then each lab's (the reference
    /// solutions' in an instructor checkout, your own code in a student release).
    Bench {
        /// `finance` and/or labs (all when none).
        targets: Vec<String>,
        /// Instead: the workloads the lecture's Python also runs (lab04's correlation, the
        /// finance crate's European Monte Carlo), then that Python in the same run, and one
        /// table of ratios (needs a Python with NumPy and Numba for the Python side).
        #[arg(long, conflicts_with = "targets")]
        peers: bool,
        /// The Python for `--peers` (default: $PARLAB_PYTHON, else `python3`).
        #[arg(long, requires = "peers", value_name = "PYTHON")]
        python: Option<PathBuf>,
        /// Arguments for criterion, after `--` (e.g. `-- --quick`).
        #[arg(last = true)]
        criterion: Vec<String>,
    },
    /// Write the Gradescope autograder zip (setup.sh, run_autograder, the course).
    GradescopeBundle {
        /// Output zip file.
        #[arg(default_value = "target/parlab-autograder.zip")]
        out: PathBuf,
    },
    /// Rerun a lab's visible tests whenever a file of the lab changes: the first failing
    /// test, its message and the handout's hint, and how many tasks are done.
    Watch {
        /// The lab, e.g. `lab01` or `1`.
        lab: String,
    },
    /// Run each lab's visible tests once and print where it stands (tasks done of total).
    Progress {
        /// Labs (all when none).
        labs: Vec<String>,
    },
    /// Internal: the sandbox supervisor (reads its job on stdin).
    #[command(name = "__sandbox", hide = true)]
    Sandbox,
}

#[derive(clap::Args)]
struct GradeArgs {
    /// Labs to grade, e.g. `lab01` or `1` (all when none).
    labs: Vec<String>,
    /// Grade a student's copy (a folder holding `labs/`) instead of this checkout.
    #[arg(long, conflicts_with_all = ["class", "solutions"])]
    submission: Option<PathBuf>,
    /// Grade every subfolder of DIR as one submission; writes a gradebook and one report each.
    #[arg(long, conflicts_with = "solutions")]
    class: Option<PathBuf>,
    /// Grade the reference solutions (they must score full marks).
    #[arg(long)]
    solutions: bool,
    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write the report to FILE (with --class: the output folder, default `grading-out`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip the timing checks.
    #[arg(long)]
    no_timing: bool,
    /// Per-test timeout in seconds (default: each lab's spec).
    #[arg(long)]
    timeout: Option<u64>,
    /// Accept weaker isolation than full on this machine (no Landlock, no separate uid):
    /// grade anyway, with the shortfall still stated in every report.
    #[arg(long)]
    trusted: bool,
    /// With --class: build and test N submissions at once (timing checks still run one
    /// submission at a time, after all the tests).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "class",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
}

impl GradeArgs {
    fn request(self) -> Request {
        let target = match (self.class, self.submission) {
            (Some(class), _) => Target::Class(class),
            (None, Some(dir)) => Target::Submission(dir),
            (None, None) if self.solutions => Target::Solutions,
            (None, None) => Target::Checkout,
        };
        Request {
            labs: self.labs,
            target,
            format: self.format,
            out: self.out,
            timing: !self.no_timing,
            timeout: self.timeout.map(Duration::from_secs),
            trusted: self.trusted,
            jobs: usize::from(self.jobs),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Cmd::Sandbox = cli.command {
        return ExitCode::from(sandbox::supervise_stdin() as u8);
    }
    // Before any thread starts: Ctrl-C and SIGTERM stop what the grader started, cleanly.
    interrupt::install();
    // Ctrl-C is how a watch loop ends: no report to speak of.
    let watching = matches!(cli.command, Cmd::Watch { .. });
    let result = course::find_root(cli.course).and_then(|root| match cli.command {
        Cmd::Grade(args) => grade::run(&root, args.request()),
        Cmd::Check { labs, no_timing } => check::run(&root, &labs, !no_timing),
        Cmd::Sync { check } => sync::run(&root, check),
        Cmd::Dist { out } => dist::run(&root, &out).map(|_| true),
        Cmd::Bench {
            peers: true,
            python,
            criterion,
            ..
        } => bench::peers(&root, python.as_deref(), &criterion),
        Cmd::Bench {
            targets, criterion, ..
        } => bench::run(&root, &targets, &criterion),
        Cmd::GradescopeBundle { out } => bundle::run(&root, &out).map(|_| true),
        Cmd::Watch { lab } => watch::run_watch(&root, &lab),
        Cmd::Progress { labs } => watch::run_progress(&root, &labs),
        Cmd::Sandbox => unreachable!("handled above"),
    });
    if interrupt::interrupted() && watching {
        return ExitCode::SUCCESS;
    }
    if interrupt::interrupted() {
        if let Err(e) = &result {
            eprintln!("error: {e:#}");
        }
        eprintln!("stopped by a signal: what was graded so far is in the report");
        return ExitCode::from(interrupt::exit_code());
    }
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
