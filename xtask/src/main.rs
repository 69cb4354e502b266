//! `cargo xtask`: the course's own tooling.
//!
//! - `grade`: grade labs (this checkout, a submission, a whole class, or the solutions)
//!   against visible and hidden tests and timing checks;
//! - `check`: prove the course is sound (stubs, tests, solutions, mutants, release);
//! - `dist`: make the student release;
//! - `gradescope-bundle`: make the Gradescope autograder zip.
//!
//! See `docs/GRADING.md` (instructors) and `docs/AUTHORING.md` (lab authors).

mod bundle;
mod check;
mod course;
mod dist;
mod escape;
mod grade;
mod interrupt;
mod report;
mod runner;
mod sandbox;
mod scratch;
mod timing;
mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Error, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::course::Course;
use crate::grade::{Grader, LabSource, Options};
use crate::report::{Format, Report};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Cmd::Sandbox = cli.command {
        return ExitCode::from(sandbox::supervise_stdin() as u8);
    }
    // Before any thread starts: Ctrl-C and SIGTERM stop what the grader started, cleanly.
    interrupt::install();
    let result = course_root(cli.course).and_then(|root| match cli.command {
        Cmd::Grade(args) => grade(&root, args),
        Cmd::Check { labs, no_timing } => check::run(&root, &labs, !no_timing),
        Cmd::Dist { out } => dist::run(&root, &out).map(|_| true),
        Cmd::Bench { targets, criterion } => bench(&root, &targets, &criterion),
        Cmd::GradescopeBundle { out } => bundle::run(&root, &out).map(|_| true),
        Cmd::Sandbox => unreachable!("handled above"),
    });
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

/// The repository root: `--course`, or the parent of this crate's folder.
fn course_root(course: Option<PathBuf>) -> Result<PathBuf, Error> {
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

/// Where each lab's code is, for one submission (`None`: the lab is missing).
type SourceFn = dyn Fn(&course::Lab) -> Option<LabSource>;

fn grade(root: &Path, args: GradeArgs) -> Result<bool, Error> {
    let course = Course::load(root)?;
    let labs = course.select(&args.labs)?;
    let hidden = course.has_solutions();
    let options = Options {
        hidden,
        timing: !args.no_timing && hidden,
        timeout: args.timeout.map(Duration::from_secs),
        trusted: args.trusted,
        fail_fast: false,
    };
    if !hidden {
        eprintln!(
            "note: this checkout has no solutions/: grading the visible tests only, without timing checks"
        );
    }
    let mut grader = Grader::new(&course, options);
    let isolation = grader.isolation();
    eprintln!("isolation: {}", isolation.describe());
    // A student grading their own code in the release has nothing to protect from it.
    for w in isolation.shortfalls().into_iter().filter(|_| hidden) {
        if args.trusted {
            eprintln!("note (--trusted): {w}");
        } else {
            eprintln!(
                "WARNING: student code is less isolated than it should be: {w}\n         grading anyway; every report says so (pass --trusted to acknowledge)"
            );
        }
    }
    if let Some(class) = &args.class {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("grading-out"));
        return grade_class(&course, &labs, &mut grader, class, &out, args.format);
    }
    let (id, source): (String, Box<SourceFn>) = if let Some(dir) = &args.submission {
        if !dir.is_dir() {
            bail!("submission folder {} does not exist", dir.display());
        }
        let dir = dir.clone();
        (
            dir.display().to_string(),
            Box::new(move |lab| grade::find_in_submission(&dir, lab)),
        )
    } else if args.solutions {
        if !hidden {
            bail!("--solutions needs the instructor checkout (solutions/ is missing)");
        }
        (
            "solutions".into(),
            Box::new(|lab: &course::Lab| {
                lab.solution_dir.as_ref().map(|d| LabSource {
                    src: d.join("src"),
                    manifest: None,
                })
            }),
        )
    } else {
        (
            "this checkout".into(),
            Box::new(|lab: &course::Lab| {
                Some(LabSource {
                    src: lab.dir.join("src"),
                    manifest: None,
                })
            }),
        )
    };
    let spinner = progress_bar(labs.len() as u64, "labs");
    let mut done = 0;
    let report = grader.grade(&id, &labs, &*source, &mut |partial| {
        done += 1;
        spinner.set_position(done);
        if let Some(out) = &args.out {
            // Written after every lab: an interrupted grading keeps what it graded.
            if let Err(e) = write_report(partial, args.format, out) {
                spinner.println(format!("warning: cannot write {}: {e:#}", out.display()));
            }
        }
    });
    spinner.finish_and_clear();
    match &args.out {
        Some(out) => {
            write_report(&report, args.format, out)?;
            eprintln!(
                "{}: {}/{} written to {}",
                report.submission,
                report.score,
                report.max_score,
                out.display()
            );
        }
        None => print!("{}", report::render(&report, args.format)?),
    }
    Ok(true)
}

fn bench(root: &Path, targets: &[String], criterion: &[String]) -> Result<bool, Error> {
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
    let cargo =
        || std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
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

fn write_report(report: &Report, format: Format, out: &Path) -> Result<(), Error> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        util::create_dir_all(parent)?;
    }
    util::write(out, report::render(report, format)?)
}

fn progress_bar(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {unit}, {{eta}} left  {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn grade_class(
    course: &Course,
    labs: &[&course::Lab],
    grader: &mut Grader,
    class: &Path,
    out: &Path,
    format: Format,
) -> Result<bool, Error> {
    let mut students: Vec<PathBuf> = fs::read_dir(class)
        .with_context(|| format!("reading the class folder {}", class.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    students.sort();
    if students.is_empty() {
        bail!("{} has no submission folders", class.display());
    }
    let reports_dir = out.join("reports");
    util::create_dir_all(&reports_dir)?;
    let lab_names: Vec<String> = labs.iter().map(|l| l.name.clone()).collect();
    let bar = progress_bar(students.len() as u64, "submissions");
    let mut rows: Vec<(String, Report)> = Vec::new();
    for dir in &students {
        let student = dir
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        bar.set_message(student.clone());
        let file = reports_dir.join(grade::sanitize(&student));
        let report = grader.grade(
            &student,
            labs,
            &|lab| grade::find_in_submission(dir, lab),
            &mut |partial| {
                let _ = write_report(partial, Format::Json, &file.with_extension("json"));
            },
        );
        write_report(&report, Format::Json, &file.with_extension("json"))?;
        write_report(&report, Format::Table, &file.with_extension("txt"))?;
        match format {
            Format::Gradescope => {
                write_report(&report, format, &file.with_extension("gradescope.json"))?
            }
            Format::Junit => write_report(&report, format, &file.with_extension("xml"))?,
            Format::Table | Format::Json => {}
        }
        bar.println(format!("{student}: {}/{}", report.score, report.max_score));
        rows.push((student, report));
        report::write_gradebook(&out.join("gradebook.csv"), &lab_names, &rows)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    eprintln!(
        "graded {} submissions of {}: {} and {}",
        rows.len(),
        course.root.display(),
        out.join("gradebook.csv").display(),
        reports_dir.display()
    );
    Ok(true)
}
