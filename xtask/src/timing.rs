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
/// Attempts in all, counting those discarded because the machine was busy.
pub const MAX_TRIES: usize = 6;
/// An attempt is disturbed when the calibration kernel beside it delivers less than this
/// fraction of the best speedup the machine has shown in this grading run.
pub const DISTURBED_BELOW: f64 = 0.9;
/// The calibration kernel's workload name, and its runs per timing process.
const KERNEL: &str = "__calibrate";
const KERNEL_REPS: usize = 3;
/// Deadline of one timing process.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Which program a timing run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// The student's timing program (their code).
    Student,
    /// The reference solution's timing program.
    Reference,
    /// The program that runs the calibration kernel: the reference's where there is one (the
    /// kernel is in the harness, so any lab's program has it; the student's only as a
    /// fallback).
    Kernel,
}

/// Where timing figures come from: the sandboxed timing programs when grading
/// ([`Sandboxed`]), a script of figures in the tests.
pub trait Measure {
    /// The median time, in nanoseconds, of `reps` runs of `workload` (`variant` "seq" or
    /// "par", on `threads` threads) by `program`; an error says why it could not be timed.
    fn median_ns(
        &self,
        program: Program,
        workload: &str,
        variant: &str,
        threads: usize,
        reps: usize,
    ) -> Result<f64, String>;

    /// The adapter line (`<hardware|software|none> <name>`) of the machine's GPU, as the
    /// [`Program::Kernel`] program's `adapter` workload reports it (the reference's when
    /// grading: a student's program could print anything).
    fn adapter(&self) -> Result<String, String> {
        Err("no timing program can say which adapter this machine has".into())
    }
}

/// The timing programs, run in the sandbox.
pub struct Sandboxed<'a> {
    /// The student's timing program.
    pub student: &'a Path,
    /// The reference's, when it built.
    pub reference: Option<&'a Path>,
    /// The sandbox.
    pub ctx: &'a Context<'a>,
    /// Where the programs run.
    pub workdir: &'a Path,
}

impl Measure for Sandboxed<'_> {
    fn median_ns(
        &self,
        program: Program,
        workload: &str,
        variant: &str,
        threads: usize,
        reps: usize,
    ) -> Result<f64, String> {
        let exe = match program {
            Program::Student => self.student,
            Program::Reference => self
                .reference
                .ok_or("the reference solution's timing program is unusable")?,
            Program::Kernel => self.reference.unwrap_or(self.student),
        };
        run_once(
            exe,
            workload,
            variant,
            threads,
            reps,
            self.ctx,
            self.workdir,
        )
    }

    fn adapter(&self) -> Result<String, String> {
        adapter(
            self.reference.unwrap_or(self.student),
            self.ctx,
            self.workdir,
        )
    }
}

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
fn adapter(exe: &Path, ctx: &Context, workdir: &Path) -> Result<String, String> {
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

/// Measures the calibration kernel's speedup on `threads` threads (the [`Program::Kernel`]).
///
/// The best of up to three attempts counts: a burst of load elsewhere lowers one attempt,
/// while a machine that really has fewer cores than it reports stays low in all of them.
/// Every speedup check measures the kernel again beside itself (see [`check`]) and raises
/// this figure when the machine turns out quieter than it was here.
pub fn calibrate(m: &dyn Measure, threads: usize) -> Result<Calibration, Error> {
    let mut best: Option<f64> = None;
    let mut inflated = false;
    for _ in 0..ATTEMPTS {
        let (seq, par) = interleaved(
            &|| m.median_ns(Program::Kernel, KERNEL, "seq", 1, KERNEL_REPS),
            &|| m.median_ns(Program::Kernel, KERNEL, "par", threads, KERNEL_REPS),
            false,
        )
        .map_err(|f| Error::msg(f.message))?;
        let speedup = seq / par;
        if speedup > threads as f64 {
            // More than the threads can give: load slowed the sequential runs. Not a figure
            // of this machine; measure again.
            inflated = true;
            continue;
        }
        best = Some(best.map_or(speedup, |b: f64| b.max(speedup)));
        if speedup >= 0.8 * threads as f64 {
            break;
        }
    }
    let fallback = if inflated { threads as f64 } else { 1.0 };
    let speedup = best.unwrap_or(fallback);
    Ok(Calibration { threads, speedup })
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

/// One measured attempt of a check: the figure, its credit, the text for the report, and the
/// calibration kernel's speedup in each round beside it (speedup checks only).
struct Attempt {
    value: f64,
    credit: f64,
    message: String,
    kernel: Vec<f64>,
}

/// Whether an attempt was measured on a disturbed machine: in some round, the calibration
/// kernel measured beside it fell below [`DISTURBED_BELOW`] of the best the machine has
/// delivered in this grading run (`baseline`).
pub fn disturbed(kernel: &[f64], baseline: f64) -> bool {
    kernel.iter().any(|&k| k < DISTURBED_BELOW * baseline)
}

/// One attempt of a speedup check: in each round the student's sequential and parallel
/// variants, then the calibration kernel's, so that load that slows the student's runs
/// shows in the kernel's beside them.
fn speedup_attempt(
    m: &dyn Measure,
    spec: &TimingSpec,
    threads: usize,
    reps: usize,
) -> Result<(f64, f64, Vec<f64>), Failure> {
    let student = |variant: &str, threads: usize| {
        m.median_ns(Program::Student, &spec.workload, variant, threads, reps)
            .map_err(|message| Failure {
                reference: false,
                message,
            })
    };
    let kernel = |variant: &str, threads: usize| {
        m.median_ns(Program::Kernel, KERNEL, variant, threads, KERNEL_REPS)
            .map_err(|message| Failure {
                reference: true,
                message: format!("the calibration kernel: {message}"),
            })
    };
    let (mut seq, mut par, mut kern) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        seq.push(student("seq", 1)?);
        par.push(student("par", threads)?);
        kern.push(kernel("seq", 1)? / kernel("par", threads)?);
    }
    Ok((median(&mut seq), median(&mut par), kern))
}

/// Runs one timing check, taking its figures from `m`.
///
/// `reference` says whether the reference solution's timing program is usable (ratio
/// checks); `cal` is the machine's calibration, which a speedup check raises when the kernel
/// beside it does better. The best of up to three attempts counts, so one noisy moment does
/// not cost a student points, while code that is really slow fails every attempt.
///
/// A speedup attempt during which the calibration kernel beside it slowed down (see
/// [`disturbed`]) counts neither way: load can lower a speedup (the reference solution would
/// lose points) or raise it (load on the sequential run only: slow code would gain them). It
/// is measured again, up to [`MAX_TRIES`] attempts in all. When that leaves fewer than three
/// undisturbed attempts and none with full credit, the check is `disturbed`: no points at
/// stake, and the report says to grade it again on a quiet machine.
pub fn check(
    spec: &TimingSpec,
    m: &dyn Measure,
    reference: Result<(), &str>,
    cal: Option<Result<&mut Calibration, &str>>,
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
        match m.adapter() {
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
    let mut best: Option<Attempt> = None;
    let mut best_disturbed: Option<Attempt> = None;
    let mut clean = 0;
    let mut tries = 0;
    let mut cal = cal;
    while clean < ATTEMPTS && tries < MAX_TRIES {
        tries += 1;
        let measured = match spec.check {
            TimingCheck::Speedup { min_fraction } => {
                let cal = match cal.as_mut() {
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
                        "not graded here: the machine delivered only {:.2}x on the reference kernel right now (it is busy, or has fewer cores than it reports); no points at stake (0/0): grade again on a quiet machine",
                        cal.speedup
                    );
                    return result;
                }
                let threads = cal.threads;
                speedup_attempt(m, spec, threads, reps).map(|(seq, par, mut kernel)| {
                    // A quieter machine than at calibration: the higher figure is the truer
                    // one, if every round shows it (load on a sequential kernel run alone
                    // inflates one round), and never above the thread count.
                    let k = kernel
                        .iter()
                        .copied()
                        .fold(f64::INFINITY, f64::min)
                        .min(threads as f64);
                    if k > cal.speedup {
                        cal.speedup = k;
                    }
                    let threshold = min_fraction * cal.speedup;
                    result.threshold = Some(threshold);
                    kernel.sort_by(f64::total_cmp);
                    let s = seq / par;
                    Attempt {
                        value: s,
                        credit: speedup_credit(s, threshold),
                        message: format!(
                            "sequential {:.1} ms, parallel {:.1} ms on {threads} threads: {s:.2}x (calibrated kernel {:.2}x, threshold {min_fraction} of it; kernel beside this attempt {:.2}x to {:.2}x)",
                            seq / 1e6,
                            par / 1e6,
                            cal.speedup,
                            kernel[0],
                            kernel[kernel.len() - 1]
                        ),
                        kernel,
                    }
                })
            }
            TimingCheck::Ratio {
                max_ratio, cutoff, ..
            } => {
                if let Err(e) = reference {
                    return grader_error(
                        result,
                        format!("the reference solution's timing program is unusable: {e}"),
                    );
                }
                let cutoff = cutoff.unwrap_or(2.0 * max_ratio);
                result.threshold = Some(max_ratio);
                let threads = match &cal {
                    Some(Ok(c)) => c.threads,
                    _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
                };
                interleaved(
                    &|| m.median_ns(Program::Student, &spec.workload, "par", threads, reps),
                    &|| m.median_ns(Program::Reference, &spec.workload, "par", threads, reps),
                    true,
                )
                .map(|(yours, reference)| {
                    let r = yours / reference;
                    // The reference's time in calibration kernels, the kernel timed right
                    // beside it as a student release's estimate times it: the figure an
                    // author records as `reference_kernels`.
                    let kernels = match m.median_ns(Program::Kernel, KERNEL, "par", threads, KERNEL_REPS) {
                        Ok(kernel) if kernel > 0.0 => {
                            format!(" (reference: {:.2} calibration kernels)", reference / kernel)
                        }
                        _ => String::new(),
                    };
                    Attempt {
                        value: r,
                        credit: ratio_credit(r, max_ratio, cutoff),
                        message: format!(
                            "yours {:.1} ms, reference {:.1} ms{kernels}: {r:.2}x the reference (cut-off {cutoff:.1}x)",
                            yours / 1e6,
                            reference / 1e6
                        ),
                        kernel: Vec::new(),
                    }
                })
            }
        };
        let attempt = match measured {
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
            Ok(attempt) => attempt,
        };
        let baseline = match &cal {
            Some(Ok(c)) => c.speedup,
            _ => 0.0,
        };
        let keep = |slot: &mut Option<Attempt>, a: Attempt| {
            if slot.as_ref().is_none_or(|b| a.credit > b.credit) {
                *slot = Some(a);
            }
        };
        if disturbed(&attempt.kernel, baseline) {
            result.disturbed_attempts += 1;
            keep(&mut best_disturbed, attempt);
            continue;
        }
        clean += 1;
        let full = attempt.credit >= 1.0;
        let attempt = Attempt {
            message: format!("{}; attempt {tries}", attempt.message),
            ..attempt
        };
        keep(&mut best, attempt);
        if full {
            break;
        }
    }
    let busy = |n: u32| {
        if n == 0 {
            String::new()
        } else {
            format!(
                "; {n} attempt(s) measured on a busy machine (the calibration kernel beside them fell below {DISTURBED_BELOW} of the machine's {:.2}x) were discarded and measured again",
                match &cal {
                    Some(Ok(c)) => c.speedup,
                    _ => 0.0,
                }
            )
        }
    };
    match best {
        Some(a) if a.credit >= 1.0 || clean >= ATTEMPTS => {
            result.measured = Some(a.value);
            result.kernel = a.kernel.first().copied();
            result.points = spec.points * a.credit;
            result.status = if a.credit >= 1.0 {
                TimingStatus::Passed
            } else if a.credit > 0.0 {
                TimingStatus::Partial
            } else {
                TimingStatus::Failed
            };
            result.message = format!("{}{}", a.message, busy(result.disturbed_attempts));
        }
        best => {
            // Too few fair measurements to judge: no points either way, and a note to grade
            // this check again when the machine is quiet.
            let shown = best.or(best_disturbed);
            result.measured = shown.as_ref().map(|a| a.value);
            result.kernel = shown.as_ref().and_then(|a| a.kernel.first().copied());
            result.status = TimingStatus::Disturbed;
            result.max_points = 0.0;
            result.points = 0.0;
            result.message = format!(
                "not graded: the machine was busy during {} of {tries} attempts, so this check puts no points at stake; grade it again on a quiet machine (best figure seen: {}){}",
                result.disturbed_attempts,
                shown.map_or("none".into(), |a| a.message),
                busy(result.disturbed_attempts)
            );
        }
    }
    result
}

/// A ratio check where there is no reference solution (a student release): the student's
/// parallel time on the workload in calibration kernels (the kernel's parallel time on as
/// many threads, measured interleaved with it), divided by the reference's recorded figure
/// (`reference_kernels`). An estimate: the grader measures the reference on its own machine.
pub fn estimate(
    spec: &TimingSpec,
    m: &dyn Measure,
    cal: Option<Result<&Calibration, &str>>,
) -> TimingResult {
    let mut result = TimingResult::skipped(spec, "");
    result.max_points = 0.0;
    let TimingCheck::Ratio {
        max_ratio,
        cutoff,
        reference_kernels,
    } = spec.check
    else {
        result.message = "not a ratio check".into();
        return result;
    };
    let threads = match cal {
        Some(Ok(c)) => c.threads,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let reps = spec.reps.max(1);
    let measured = interleaved(
        &|| m.median_ns(Program::Student, &spec.workload, "par", threads, reps),
        &|| m.median_ns(Program::Kernel, KERNEL, "par", threads, KERNEL_REPS),
        false,
    );
    let (yours, kernel) = match measured {
        Ok(m) => m,
        Err(f) => {
            result.status = TimingStatus::Failed;
            result.message = f.message;
            return result;
        }
    };
    let units = yours / kernel;
    let Some(reference) = reference_kernels.filter(|r| *r > 0.0) else {
        result.message = format!(
            "yours {:.1} ms = {units:.2} calibration kernels on {threads} threads; the course records no reference figure for this check, so no estimate",
            yours / 1e6
        );
        return result;
    };
    let cutoff = cutoff.unwrap_or(2.0 * max_ratio);
    let r = units / reference;
    let credit = ratio_credit(r, max_ratio, cutoff);
    result.estimate = true;
    result.measured = Some(r);
    result.threshold = Some(max_ratio);
    result.max_points = spec.points;
    result.points = spec.points * credit;
    result.status = if credit >= 1.0 {
        TimingStatus::Passed
    } else if credit > 0.0 {
        TimingStatus::Partial
    } else {
        TimingStatus::Failed
    };
    result.message = format!(
        "yours {:.1} ms = {units:.2} calibration kernels on {threads} threads; the reference: {reference:.2} kernels (recorded by the course): about {r:.2}x the reference (cut-off {cutoff:.1}x)",
        yours / 1e6
    );
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
    use std::cell::Cell;

    use crate::course::TimingCheck;

    /// Figures for `check`, by attempt: the student's speedup and the kernel's beside it
    /// (seq runs take 100 ns; par runs 100 / speedup).
    struct Script {
        student: Vec<f64>,
        kernel: Vec<f64>,
        seq_calls: Cell<usize>,
    }

    impl Script {
        fn new(student: &[f64], kernel: &[f64]) -> Script {
            Script {
                student: student.to_vec(),
                kernel: kernel.to_vec(),
                seq_calls: Cell::new(0),
            }
        }
        fn attempts(&self) -> usize {
            self.seq_calls.get() / ROUNDS
        }
    }

    impl Measure for Script {
        fn median_ns(
            &self,
            program: Program,
            _workload: &str,
            variant: &str,
            _threads: usize,
            _reps: usize,
        ) -> Result<f64, String> {
            if program == Program::Student && variant == "seq" {
                self.seq_calls.set(self.seq_calls.get() + 1);
            }
            let attempt = (self.seq_calls.get().max(1) - 1) / ROUNDS;
            let speedup = match program {
                Program::Student => self.student[attempt.min(self.student.len() - 1)],
                _ => self.kernel[attempt.min(self.kernel.len() - 1)],
            };
            Ok(if variant == "seq" {
                100.0
            } else {
                100.0 / speedup
            })
        }
    }

    fn spec() -> TimingSpec {
        TimingSpec {
            name: "grid".into(),
            description: "grid".into(),
            workload: "grid".into(),
            reps: 1,
            points: 2.0,
            check: TimingCheck::Speedup { min_fraction: 0.75 },
            requires: vec!["grid_is_right".into()],
            needs_gpu: false,
        }
    }

    fn quiet() -> Calibration {
        Calibration {
            threads: 2,
            speedup: 1.95,
        }
    }

    fn run(script: &Script, cal: &mut Calibration) -> TimingResult {
        check(&spec(), script, Ok(()), Some(Ok(cal)))
    }

    #[test]
    fn a_quiet_machine_takes_the_first_full_attempt() {
        let script = Script::new(&[1.8], &[1.95]);
        let r = run(&script, &mut quiet());
        assert_eq!(r.status, TimingStatus::Passed);
        assert_eq!(
            (r.points, r.max_points, r.disturbed_attempts),
            (2.0, 2.0, 0)
        );
        assert_eq!(script.attempts(), 1);
        assert_eq!(r.kernel, Some(1.95));
    }

    #[test]
    fn an_attempt_beside_a_slowed_kernel_is_measured_again_and_said() {
        // Load arrives during the first attempt: the reference loses nothing.
        let script = Script::new(&[1.2, 1.8], &[1.2, 1.95]);
        let r = run(&script, &mut quiet());
        assert_eq!(r.status, TimingStatus::Passed);
        assert_eq!((r.points, r.disturbed_attempts), (2.0, 1));
        assert!(r.message.contains("busy machine"), "{}", r.message);
        assert_eq!(script.attempts(), 2);
    }

    #[test]
    fn a_disturbed_attempt_never_gives_slow_code_points() {
        // Load on the sequential runs only would inflate the speedup: 1.9x beside a slowed
        // kernel does not count; the quiet attempts say 1.1x.
        let script = Script::new(&[1.9, 1.1, 1.1, 1.1], &[1.3, 1.95, 1.95, 1.95]);
        let r = run(&script, &mut quiet());
        assert_eq!(r.status, TimingStatus::Partial);
        assert_eq!(r.disturbed_attempts, 1);
        assert_eq!(r.measured, Some(1.1));
        assert!(r.points < 0.5, "{}", r.points);
        assert_eq!(script.attempts(), 4);
    }

    #[test]
    fn a_machine_busy_throughout_puts_nothing_at_stake() {
        let script = Script::new(&[1.9, 1.1], &[1.3]);
        let r = run(&script, &mut quiet());
        assert_eq!(r.status, TimingStatus::Disturbed);
        assert_eq!((r.points, r.max_points), (0.0, 0.0));
        assert_eq!(r.disturbed_attempts as usize, MAX_TRIES);
        assert_eq!(script.attempts(), MAX_TRIES);
        assert!(r.message.contains("grade it again"), "{}", r.message);
    }

    #[test]
    fn too_few_quiet_attempts_for_a_partial_verdict_put_nothing_at_stake() {
        // Two fair attempts of slow code, then the machine stays busy: the third fair chance
        // never comes, so the partial credit is not final.
        let script = Script::new(&[1.1], &[1.95, 1.95, 1.2]);
        let r = run(&script, &mut quiet());
        assert_eq!(r.status, TimingStatus::Disturbed);
        assert_eq!(r.max_points, 0.0);
        assert_eq!(r.disturbed_attempts as usize, MAX_TRIES - 2);
    }

    #[test]
    fn slow_code_on_a_quiet_machine_gets_three_attempts_and_partial_credit() {
        let script = Script::new(&[1.2, 1.3, 1.25], &[1.95]);
        let r = run(&script, &mut quiet());
        assert_eq!(r.status, TimingStatus::Partial);
        assert_eq!(r.measured, Some(1.3));
        assert_eq!((r.disturbed_attempts, script.attempts()), (0, 3));
    }

    #[test]
    fn a_quieter_kernel_raises_the_calibration_and_the_threshold() {
        // Calibrated on a busy moment at 1.5x; the kernel beside the check shows 1.95x.
        let mut cal = Calibration {
            threads: 2,
            speedup: 1.5,
        };
        let script = Script::new(&[1.3], &[1.95]);
        let r = run(&script, &mut cal);
        assert_eq!(cal.speedup, 1.95);
        assert!((r.threshold.unwrap() - 0.75 * 1.95).abs() < 1e-12);
        assert_eq!(r.status, TimingStatus::Partial);
    }

    #[test]
    fn one_inflated_kernel_round_does_not_raise_the_calibration() {
        // Rounds 1.95, 1.95, 1.95 would raise 1.5 to 1.95; one round alone does not.
        let mut cal = Calibration {
            threads: 2,
            speedup: 1.5,
        };
        struct OneHigh(Cell<usize>);
        impl Measure for OneHigh {
            fn median_ns(
                &self,
                p: Program,
                _: &str,
                v: &str,
                _: usize,
                _: usize,
            ) -> Result<f64, String> {
                if p == Program::Kernel && v == "par" {
                    self.0.set(self.0.get() + 1);
                    let s = if self.0.get() == 2 { 1.99 } else { 1.5 };
                    return Ok(100.0 / s);
                }
                Ok(if v == "seq" { 100.0 } else { 100.0 / 1.4 })
            }
        }
        let _ = check(&spec(), &OneHigh(Cell::new(0)), Ok(()), Some(Ok(&mut cal)));
        assert_eq!(cal.speedup, 1.5);
    }

    #[test]
    fn the_kernel_never_raises_the_calibration_above_the_thread_count() {
        let mut cal = quiet();
        let _ = run(&Script::new(&[1.8], &[2.6]), &mut cal);
        assert_eq!(cal.speedup, 2.0);
    }

    #[test]
    fn a_calibration_above_the_thread_count_is_measured_again() {
        // Load on the first sequential kernel runs: 2.3x on 2 threads is not the machine.
        let script = Script::new(&[1.0], &[2.3, 1.93]);
        struct Cal<'a>(&'a Script, Cell<usize>);
        impl Measure for Cal<'_> {
            fn median_ns(
                &self,
                _: Program,
                _: &str,
                v: &str,
                _: usize,
                _: usize,
            ) -> Result<f64, String> {
                if v == "seq" {
                    self.1.set(self.1.get() + 1);
                    return Ok(100.0);
                }
                let attempt = (self.1.get() - 1) / ROUNDS;
                Ok(100.0 / self.0.kernel[attempt.min(self.0.kernel.len() - 1)])
            }
        }
        let cal = calibrate(&Cal(&script, Cell::new(0)), 2).unwrap();
        assert_eq!(cal.speedup, 1.93);
        let always = Script::new(&[1.0], &[2.3]);
        assert_eq!(
            calibrate(&Cal(&always, Cell::new(0)), 2).unwrap().speedup,
            2.0
        );
    }

    #[test]
    fn disturbance_is_relative_to_the_best_the_machine_delivered() {
        assert!(!disturbed(&[1.8, 1.9], 1.95));
        assert!(disturbed(&[1.95, 1.7], 1.95));
        assert!(!disturbed(&[], 1.95));
    }
}
