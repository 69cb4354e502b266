//! `cargo xtask bench`: the criterion benchmarks of the finance crate and of each lab.
//!
//! In an instructor checkout a lab's benchmarks are the reference solution's (the
//! solutions workspace, built in its own target directory); in a student release they are
//! the student's own code.
//!
//! `cargo xtask bench --peers` runs instead the workloads that the lecture's Python also
//! runs, the Rust benchmarks and then the Python (`peers.py`, the lecture's code for them)
//! in the same run, and prints one table of ratios. The Python side is optional: without a
//! Python that imports NumPy and Numba it says so and prints the Rust figures alone.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Error, bail};

use crate::course::{Course, Lab};
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
    let mut runs = Vec::new();
    if finance {
        runs.push(("finance".to_string(), finance_bench()));
    }
    for lab in &labs {
        runs.push((lab.name.clone(), lab_bench(root, &course, lab)));
    }
    let mut ok = true;
    for (name, mut cmd) in runs {
        eprintln!("== cargo bench {name}");
        cmd.arg("--").args(criterion).current_dir(root);
        ok &= run_status(&mut cmd)?;
    }
    Ok(ok)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo bench` of the finance crate. `--bench *`: only the criterion targets, whose
/// harness understands criterion's flags (the library's own test harness rejects `--quick`).
fn finance_bench() -> Command {
    let mut cmd = cargo();
    cmd.args(["bench", "--bench", "*", "-p", "finance"]);
    cmd
}

/// `cargo bench` of one lab: the reference solution's in an instructor checkout.
fn lab_bench(root: &Path, course: &Course, lab: &Lab) -> Command {
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
            .env("CARGO_BUILD_BUILD_DIR", scratch::build_dir(course));
    }
    cmd.args(["-p", &lab.name]);
    cmd
}

fn run_status(cmd: &mut Command) -> Result<bool, Error> {
    let status = cmd
        .status()
        .with_context(|| format!("running {}", util::describe_command(cmd)))?;
    Ok(status.success())
}

/// The lecture's Python for the workloads of `--peers` (not part of the course).
const PEERS_PY: &str = include_str!("peers.py");

/// One workload of `--peers`: a criterion benchmark and what it is compared with.
struct PeerWorkload {
    /// What the table calls it.
    label: &'static str,
    /// The lab whose benchmark it is, or `None` for the finance crate's.
    lab: Option<&'static str>,
    /// The criterion benchmark: `group/function` (its filter, anchored).
    bench: &'static str,
    /// How the figure is shown: per run in ms, or per element (path) in ns.
    unit: Unit,
    /// The `workload` field of the Python's JSON line, and its figure's field.
    python: (&'static str, &'static str),
}

#[derive(Clone, Copy)]
enum Unit {
    Ms,
    NsPerElement,
}

const PEER_WORKLOADS: [PeerWorkload; 2] = [
    PeerWorkload {
        label: "correlation matrix, 500 assets x 2,520 days (all cores)",
        lab: Some("lab04"),
        bench: "correlation/fast_500_assets_x_2520_days",
        unit: Unit::Ms,
        python: ("correlation", "ms"),
    },
    PeerWorkload {
        label: "European Monte Carlo, per path per core",
        lab: None,
        bench: "mc/european",
        unit: Unit::NsPerElement,
        python: ("european", "ns_per_path_per_core"),
    },
];

/// `cargo xtask bench --peers [--python PYTHON] [-- CRITERION ARGS]`.
///
/// The Python is `python` if given, else `$PARLAB_PYTHON`, else `python3`; it must import
/// NumPy and Numba. Returns whether the Rust benchmarks ran; the Python is optional.
pub fn peers(root: &Path, python: Option<&Path>, criterion: &[String]) -> Result<bool, Error> {
    let course = Course::load(root)?;
    // A criterion home of its own, emptied first: the figures read back are this run's.
    let home = root.join("target/peers-criterion");
    if home.exists() {
        std::fs::remove_dir_all(&home).with_context(|| format!("emptying {}", home.display()))?;
    }
    let mut rust = Vec::new();
    for w in &PEER_WORKLOADS {
        let mut cmd = match w.lab {
            Some(name) => {
                let labs = course.select(&[name.to_string()])?;
                lab_bench(root, &course, labs[0])
            }
            None => finance_bench(),
        };
        eprintln!(
            "== cargo bench {} -- {}",
            w.lab.unwrap_or("finance"),
            w.bench
        );
        cmd.arg("--")
            .arg(format!("^{}$", w.bench))
            .args(criterion)
            .env("CRITERION_HOME", &home)
            .current_dir(root);
        if !run_status(&mut cmd)? {
            return Ok(false);
        }
        rust.push(read_criterion(&home, w)?);
    }

    let python = python
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("PARLAB_PYTHON").map(PathBuf::from))
        .unwrap_or_else(|| "python3".into());
    let py = run_python(&python);
    if let Err(why) = &py {
        eprintln!(
            "no Python peer figures: {why:#}\n(give a Python with NumPy and Numba with \
             `--python PATH` or PARLAB_PYTHON; the Rust figures follow alone)"
        );
    }
    println!("\n| workload | Rust | best Python, same run | Python / Rust |");
    println!("|---|---|---|---|");
    for (w, r) in PEER_WORKLOADS.iter().zip(&rust) {
        let (py_text, ratio) = match &py {
            Ok(lines) => match python_figure(lines, w) {
                Some((variant, v)) => (
                    format!("{variant} {}", show(w.unit, v)),
                    format!("{:.2}x", v / r),
                ),
                None => ("(missing from the Python's output)".into(), "-".into()),
            },
            Err(_) => ("(no Python)".into(), "-".into()),
        };
        println!(
            "| {} | {} | {py_text} | {ratio} |",
            w.label,
            show(w.unit, *r)
        );
    }
    println!(
        "\nRust: criterion's median (`cargo xtask bench --peers`); Python: the lecture's code, \
         median of several runs, in the same run. Ratios above 1: Rust is faster."
    );
    Ok(true)
}

fn show(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Ms => format!("{v:.1} ms"),
        Unit::NsPerElement => format!("{v:.2} ns"),
    }
}

/// The median of a criterion benchmark, in the workload's unit, from the files criterion
/// writes under `home` (`GROUP/FUNCTION/new/estimates.json` and `benchmark.json`).
fn read_criterion(home: &Path, w: &PeerWorkload) -> Result<f64, Error> {
    let dir = home.join(w.bench).join("new");
    let read = |name: &str| -> Result<serde_json::Value, Error> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "reading {} (did the benchmark `{}` run?)",
                path.display(),
                w.bench
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    };
    let estimates = read("estimates.json")?;
    let Some(median_ns) = estimates["median"]["point_estimate"].as_f64() else {
        bail!("{}: no median point estimate", dir.display());
    };
    Ok(match w.unit {
        Unit::Ms => median_ns / 1e6,
        Unit::NsPerElement => {
            let benchmark = read("benchmark.json")?;
            let Some(elements) = benchmark["throughput"]["Elements"].as_f64() else {
                bail!(
                    "{}: the benchmark has no throughput in elements",
                    dir.display()
                );
            };
            median_ns / elements
        }
    })
}

/// Runs the peers' script with `python`; its JSON lines, or why there are none.
fn run_python(python: &Path) -> Result<Vec<serde_json::Value>, Error> {
    let probe = Command::new(python)
        .args(["-c", "import numpy, numba"])
        .output()
        .with_context(|| format!("cannot run `{}`", python.display()))?;
    if !probe.status.success() {
        bail!(
            "`{}` cannot import NumPy and Numba: {}",
            python.display(),
            String::from_utf8_lossy(&probe.stderr).trim()
        );
    }
    eprintln!("== {} peers.py (the lecture's Python)", python.display());
    // OpenBLAS tuned by the environment to another CPU would handicap NumPy: its own choice.
    let out = Command::new(python)
        .args(["-c", PEERS_PY])
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output()
        .with_context(|| format!("running `{}`", python.display()))?;
    if !out.status.success() {
        bail!(
            "the Python peers failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).with_context(|| format!("a line of the Python's output: {l}"))
        })
        .collect()
}

/// The Python's figure for `w`: its variant and value.
fn python_figure(lines: &[serde_json::Value], w: &PeerWorkload) -> Option<(String, f64)> {
    let (workload, field) = w.python;
    let line = lines.iter().find(|l| l["workload"] == workload)?;
    Some((line["variant"].as_str()?.to_string(), line[field].as_f64()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_figures_are_read_back_per_element_and_per_run() {
        let home = tempfile::tempdir().unwrap();
        for (bench, elements) in [("mc/european", "65536"), ("g/run", "null")] {
            let dir = home.path().join(bench).join("new");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("estimates.json"),
                r#"{"median": {"point_estimate": 262144.0}}"#,
            )
            .unwrap();
            let throughput = if elements == "null" {
                "null".to_string()
            } else {
                format!(r#"{{"Elements": {elements}}}"#)
            };
            std::fs::write(
                dir.join("benchmark.json"),
                format!(r#"{{"throughput": {throughput}}}"#),
            )
            .unwrap();
        }
        let per_path = read_criterion(home.path(), &PEER_WORKLOADS[1]).unwrap();
        assert_eq!(per_path, 4.0);
        let w = PeerWorkload {
            bench: "g/run",
            ..PEER_WORKLOADS[0]
        };
        assert_eq!(read_criterion(home.path(), &w).unwrap(), 0.262144);
        let w = PeerWorkload {
            unit: Unit::NsPerElement,
            ..w
        };
        let e = read_criterion(home.path(), &w).unwrap_err();
        assert!(e.to_string().contains("no throughput"), "{e:#}");
        let w = PeerWorkload {
            bench: "none/here",
            ..w
        };
        let e = read_criterion(home.path(), &w).unwrap_err();
        assert!(
            format!("{e:#}").contains("did the benchmark `none/here` run?"),
            "{e:#}"
        );
    }

    #[test]
    fn a_missing_python_is_reported_not_fatal() {
        let e = run_python(Path::new("/nonexistent/python3")).unwrap_err();
        assert!(format!("{e:#}").contains("cannot run"), "{e:#}");
    }

    #[test]
    fn python_figures_are_found_by_workload() {
        let lines: Vec<serde_json::Value> = [
            r#"{"workload": "correlation", "variant": "np.corrcoef", "ms": 9.0}"#,
            r#"{"workload": "european", "variant": "prange", "ns_per_path_per_core": 17.8}"#,
        ]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
        assert_eq!(
            python_figure(&lines, &PEER_WORKLOADS[0]),
            Some(("np.corrcoef".into(), 9.0))
        );
        assert_eq!(
            python_figure(&lines, &PEER_WORKLOADS[1]),
            Some(("prange".into(), 17.8))
        );
        assert_eq!(python_figure(&lines[..1], &PEER_WORKLOADS[1]), None);
    }
}
