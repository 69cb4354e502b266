//! Timing checks: the machine's calibration, speedup checks and ratio checks.
//!
//! Absolute times mean nothing across machines, and a speedup threshold means nothing on a
//! machine that cannot deliver it. So every check compares two programs measured in the same
//! run, interleaved (A B A B ...) so that a noisy neighbour slows both, and speedup thresholds
//! are a fraction of what an embarrassingly parallel reference kernel achieves right now.

use std::path::Path;
use std::time::Duration;

use anyhow::Error;

use crate::course::{TimingCheck, TimingSpec};
use crate::report::{Calibration, TimingResult, TimingStatus};
use crate::runner::Context;
use crate::util;

/// Interleaved rounds per attempt.
const ROUNDS: usize = 3;
/// Attempts before a check counts as failed (the best attempt is kept).
const ATTEMPTS: usize = 3;
/// Deadline of one timing process.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs one timing process, in the sandbox, and returns its median time in nanoseconds.
fn run_once(
    exe: &Path,
    workload: &str,
    variant: &str,
    threads: usize,
    reps: usize,
    ctx: &Context,
    workdir: &Path,
) -> Result<f64, String> {
    let args = vec![
        workload.to_string(),
        variant.to_string(),
        threads.to_string(),
        reps.to_string(),
    ];
    let job = ctx
        .job(exe, args, workdir, RUN_TIMEOUT)
        .map_err(|e| format!("{e:#}"))?;
    let (done, output) = ctx.run(&job).map_err(|e| format!("{e:#}"))?;
    let text = output.text();
    let result = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(parlab_harness_prefix()))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok());
    match result {
        _ if done.timed_out => Err(format!(
            "{workload} ({variant}) did not finish within {} s",
            RUN_TIMEOUT.as_secs()
        )),
        Some(ns) if done.success() => Ok(ns),
        _ => Err(format!(
            "{workload} ({variant}) failed ({}): {}",
            done.describe(),
            util::truncate(text.trim(), 600)
        )),
    }
}

/// The adapter line of the *reference* timing program (trusted code: a student's program could
/// print anything), `<hardware|software|none> <name>`, from its `adapter` workload.
fn adapter(
    reference: Result<&Path, &str>,
    ctx: &Context,
    workdir: &Path,
) -> Result<String, String> {
    let exe = reference?;
    let args = ["adapter", "par", "1", "1"].map(String::from).to_vec();
    let job = ctx
        .job(exe, args, workdir, RUN_TIMEOUT)
        .map_err(|e| format!("{e:#}"))?;
    let (_, output) = ctx.run(&job).map_err(|e| format!("{e:#}"))?;
    let text = output.text();
    text.lines()
        .find_map(|l| l.strip_prefix("PARLAB-ADAPTER "))
        .map(|l| l.trim().to_string())
        .ok_or_else(|| {
            format!(
                "the reference timing program printed no adapter line: {}",
                util::truncate(text.trim(), 300)
            )
        })
}

/// Why a GPU check is not graded on the machine whose reference timing program printed the
/// adapter line `line` (`<hardware|software|none> <name>`), or `None` on a hardware adapter.
pub fn gpu_skip(line: &str) -> Option<String> {
    let (kind, name) = line.split_once(' ').unwrap_or((line, ""));
    (kind != "hardware").then(|| {
        format!(
            "not graded here: {kind} adapter ({name}): a GPU check on a software adapter, or without one, puts no points at stake (grade on a machine with a GPU)"
        )
    })
}

fn parlab_harness_prefix() -> &'static str {
    "PARLAB-TIMING "
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// A timing run that failed: on the student's side, or on the reference's (the course's
/// fault, not the student's).
struct Failure {
    reference: bool,
    message: String,
}

/// Medians of A and B over interleaved rounds; `b_is_reference` says whose failure a failing
/// B is.
fn interleaved(
    a: &dyn Fn() -> Result<f64, String>,
    b: &dyn Fn() -> Result<f64, String>,
    b_is_reference: bool,
) -> Result<(f64, f64), Failure> {
    let mut ta = Vec::with_capacity(ROUNDS);
    let mut tb = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        ta.push(a().map_err(|message| Failure {
            reference: false,
            message,
        })?);
        tb.push(b().map_err(|message| Failure {
            reference: b_is_reference,
            message,
        })?);
    }
    Ok((median(&mut ta), median(&mut tb)))
}

/// Measures the reference kernel's speedup on `threads` threads with the timing program
/// `exe` (any lab's: the kernel is built into the harness).
///
/// The best of up to three attempts counts: a burst of load elsewhere lowers one attempt,
/// while a machine that really has fewer cores than it reports stays low in all of them.
pub fn calibrate(
    exe: &Path,
    threads: usize,
    ctx: &Context,
    workdir: &Path,
) -> Result<Calibration, Error> {
    let mut best: Option<f64> = None;
    for _ in 0..ATTEMPTS {
        let (seq, par) = interleaved(
            &|| run_once(exe, "__calibrate", "seq", 1, 3, ctx, workdir),
            &|| run_once(exe, "__calibrate", "par", threads, 3, ctx, workdir),
            false,
        )
        .map_err(|f| Error::msg(f.message))?;
        let speedup = seq / par;
        best = Some(best.map_or(speedup, |b: f64| b.max(speedup)));
        if speedup >= 0.8 * threads as f64 {
            break;
        }
    }
    Ok(Calibration {
        threads,
        speedup: best.unwrap_or(1.0),
    })
}

/// Credit for a speedup `s` against the full-credit threshold: none at or below 1x (no gain),
/// linear up to the threshold.
pub fn speedup_credit(s: f64, threshold: f64) -> f64 {
    if s >= threshold {
        1.0
    } else if s <= 1.0 {
        0.0
    } else {
        (s - 1.0) / (threshold - 1.0)
    }
}

/// Credit for a time ratio `r` (student / reference): full at or under `max`, `max / r`
/// beyond it (CS149's rule), none past `cutoff`.
pub fn ratio_credit(r: f64, max: f64, cutoff: f64) -> f64 {
    if r <= max {
        1.0
    } else if r > cutoff {
        0.0
    } else {
        max / r
    }
}

/// Runs one timing check.
///
/// `student` is the student's timing program, `reference` the solution's (ratio checks);
/// the best of up to three attempts counts, so one noisy moment does not cost a student
/// points, while code that is really slow fails every attempt.
pub fn check(
    spec: &TimingSpec,
    student: &Path,
    reference: Result<&Path, &str>,
    cal: Option<Result<&Calibration, &str>>,
    ctx: &Context,
    workdir: &Path,
) -> TimingResult {
    let mut result = TimingResult::skipped(spec, "");
    let grader_error = |mut result: TimingResult, why: String| {
        result.status = TimingStatus::GraderError;
        result.max_points = 0.0;
        result.points = 0.0;
        result.message =
            format!("not graded (the grader's fault, not yours; no points at stake): {why}");
        result
    };
    if spec.needs_gpu {
        match adapter(reference, ctx, workdir) {
            Ok(line) => {
                if let Some(why) = gpu_skip(&line) {
                    result.max_points = 0.0;
                    result.message = why;
                    return result;
                }
            }
            Err(why) => return grader_error(result, format!("cannot tell the adapter: {why}")),
        }
    }
    let reps = spec.reps.max(1);
    let mut best: Option<(f64, f64, String)> = None;
    for attempt in 1..=ATTEMPTS {
        let measured = match spec.check {
            TimingCheck::Speedup { min_fraction } => {
                let cal = match cal {
                    Some(Ok(cal)) => cal,
                    Some(Err(e)) => {
                        return grader_error(
                            result,
                            format!("the machine calibration failed: {e}"),
                        );
                    }
                    None => {
                        return grader_error(result, "the machine was not calibrated".into());
                    }
                };
                if cal.threads < 2 {
                    result.max_points = 0.0;
                    result.message = "not graded here: this machine has 1 core, so no speedup can be measured (grade on a multi-core machine)".into();
                    return result;
                }
                let threshold = min_fraction * cal.speedup;
                if threshold <= 1.05 {
                    result.max_points = 0.0;
                    result.message = format!(
                        "not graded here: the machine delivered only {:.2}x on the reference kernel right now (it is busy, or has fewer cores than it reports)",
                        cal.speedup
                    );
                    return result;
                }
                result.threshold = Some(threshold);
                interleaved(
                    &|| run_once(student, &spec.workload, "seq", 1, reps, ctx, workdir),
                    &|| run_once(student, &spec.workload, "par", cal.threads, reps, ctx, workdir),
                    false,
                )
                .map(|(seq, par)| {
                    let s = seq / par;
                    (s, speedup_credit(s, threshold), format!(
                        "sequential {:.1} ms, parallel {:.1} ms on {} threads: {s:.2}x (calibrated kernel {:.2}x, threshold {:.2} of it)",
                        seq / 1e6, par / 1e6, cal.threads, cal.speedup, min_fraction
                    ))
                })
            }
            TimingCheck::Ratio { max_ratio, cutoff } => {
                let reference = match reference {
                    Ok(path) => path,
                    Err(e) => {
                        return grader_error(
                            result,
                            format!("the reference solution's timing program is unusable: {e}"),
                        );
                    }
                };
                let cutoff = cutoff.unwrap_or(2.0 * max_ratio);
                result.threshold = Some(max_ratio);
                let threads = match cal {
                    Some(Ok(c)) => c.threads,
                    _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
                };
                interleaved(
                    &|| run_once(student, &spec.workload, "par", threads, reps, ctx, workdir),
                    &|| run_once(reference, &spec.workload, "par", threads, reps, ctx, workdir),
                    true,
                )
                .map(|(yours, reference)| {
                    let r = yours / reference;
                    (r, ratio_credit(r, max_ratio, cutoff), format!(
                        "yours {:.1} ms, reference {:.1} ms: {r:.2}x the reference (cut-off {cutoff:.1}x)",
                        yours / 1e6, reference / 1e6
                    ))
                })
            }
        };
        match measured {
            Err(Failure {
                reference: true,
                message,
            }) => {
                return grader_error(result, format!("the reference solution failed: {message}"));
            }
            Err(Failure { message, .. }) => {
                result.status = TimingStatus::Failed;
                result.message = message;
                return result;
            }
            Ok((value, credit, msg)) => {
                let msg = format!("{msg}; attempt {attempt} of {ATTEMPTS}");
                if best.as_ref().is_none_or(|(_, c, _)| credit > *c) {
                    best = Some((value, credit, msg));
                }
                if credit >= 1.0 {
                    break;
                }
            }
        }
    }
    if let Some((value, credit, msg)) = best {
        result.measured = Some(value);
        result.points = spec.points * credit;
        result.status = if credit >= 1.0 {
            TimingStatus::Passed
        } else if credit > 0.0 {
            TimingStatus::Partial
        } else {
            TimingStatus::Failed
        };
        result.message = msg;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedup_credit_is_linear_between_no_gain_and_the_threshold() {
        assert_eq!(speedup_credit(1.8, 1.5), 1.0);
        assert_eq!(speedup_credit(0.9, 1.5), 0.0);
        assert!((speedup_credit(1.25, 1.5) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn gpu_checks_are_graded_on_hardware_adapters_only() {
        assert_eq!(gpu_skip("hardware NVIDIA H200"), None);
        let why = gpu_skip("software llvmpipe (LLVM 15.0.6, 256 bits)").unwrap();
        assert!(
            why.contains("software adapter (llvmpipe") && why.contains("no points at stake"),
            "{why}"
        );
        assert!(gpu_skip("none no GPU adapter for backends").is_some());
    }

    #[test]
    fn ratio_credit_follows_cs149() {
        assert_eq!(ratio_credit(1.9, 2.0, 4.0), 1.0);
        assert!((ratio_credit(3.0, 2.0, 4.0) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(ratio_credit(4.5, 2.0, 4.0), 0.0);
    }
}
