//! The timing harness of `cargo xtask grade`.
//!
//! Each lab's grading folder holds a small timing program (`solutions/labNN/grading/timing.rs`)
//! that the grader compiles twice in release mode: once against the student's code and once
//! against the reference solution. The program only says how to build each workload; this
//! crate parses the grader's request, times the workload and prints one result line.
//!
//! ```no_run
//! use parlab_harness::{Request, Workload};
//!
//! fn prepare(req: &Request) -> Option<Workload> {
//!     match req.workload.as_str() {
//!         "sum" => {
//!             let data: Vec<f64> = (0..1_000_000).map(f64::from).collect();
//!             Some(Box::new(move || {
//!                 std::hint::black_box(data.iter().sum::<f64>());
//!             }))
//!         }
//!         _ => None,
//!     }
//! }
//!
//! fn main() {
//!     parlab_harness::main(prepare);
//! }
//! ```
//!
//! The protocol, spoken by `xtask/src/timing.rs`:
//! `timing <workload> <variant> <threads> <reps>` prints, as its last stdout line,
//! `PARLAB-TIMING <median_ns> <min_ns>`, and exits 0; an unknown workload exits 2.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The prefix of the result line the grader looks for.
pub const RESULT_PREFIX: &str = "PARLAB-TIMING";

/// The workload the grader asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The workload's name, as the lab's grading spec names it.
    pub workload: String,
    /// `"seq"` for the student's sequential version, `"par"` for the parallel one.
    pub variant: String,
    /// Threads the parallel variant should use.
    pub threads: usize,
}

impl Request {
    /// True when the grader asked for the sequential variant.
    pub fn is_sequential(&self) -> bool {
        self.variant == "seq"
    }
}

/// One timed repetition of a workload. Set-up (building inputs, thread pools) happens before
/// the closure is returned, so only the work itself is timed.
pub type Workload = Box<dyn FnMut()>;

/// The built-in calibration kernel: [`finance::timing::calibration_kernel`], the one loop
/// the grader times and the labs' examples run, so the figure a student sees beside their own
/// speedup is the one the grader measures. It is an embarrassingly parallel floating-point
/// loop with no memory traffic, split over `threads` scoped threads; its speedup is what this
/// machine can deliver right now (cores, cgroup quota, noisy neighbours), so the grader
/// expresses speedup thresholds as a fraction of it.
pub fn calibration_kernel(threads: usize) -> Workload {
    Box::new(move || {
        black_box(finance::timing::calibration_kernel(threads));
    })
}

/// Times `reps` runs of `work` after one warm-up run; returns (median, min).
pub fn measure(work: &mut dyn FnMut(), reps: usize) -> (Duration, Duration) {
    work();
    let mut runs: Vec<Duration> = (0..reps.max(1))
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    runs.sort();
    (runs[runs.len() / 2], runs[0])
}

fn parse_args(args: &[String]) -> Result<(Request, usize), String> {
    let [workload, variant, threads, reps] = args else {
        return Err("usage: timing <workload> <seq|par> <threads> <reps>".into());
    };
    let threads = threads
        .parse()
        .map_err(|_| format!("threads must be a whole number, got {threads:?}"))?;
    let reps = reps
        .parse()
        .map_err(|_| format!("reps must be a whole number, got {reps:?}"))?;
    Ok((
        Request {
            workload: workload.clone(),
            variant: variant.clone(),
            threads,
        },
        reps,
    ))
}

/// The timing program's `main`: reads the request from the command line, builds the workload
/// with `prepare` (or the built-in `__calibrate`), times it and prints the result line.
pub fn main(prepare: fn(&Request) -> Option<Workload>) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (req, reps) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(msg) => {
            eprintln!("timing: {msg}");
            std::process::exit(2);
        }
    };
    let work = if req.workload == "__calibrate" {
        Some(calibration_kernel(if req.is_sequential() {
            1
        } else {
            req.threads
        }))
    } else {
        prepare(&req)
    };
    let Some(mut work) = work else {
        eprintln!("timing: unknown workload {:?}", req.workload);
        std::process::exit(2);
    };
    let (median, min) = measure(&mut *work, reps);
    println!("{RESULT_PREFIX} {} {}", median.as_nanos(), min.as_nanos());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_a_request() {
        let (req, reps) = parse_args(&strings(&["price_mc", "par", "4", "5"])).unwrap();
        assert_eq!(req.workload, "price_mc");
        assert!(!req.is_sequential());
        assert_eq!((req.threads, reps), (4, 5));
    }

    #[test]
    fn rejects_malformed_requests() {
        assert!(parse_args(&strings(&["x", "par", "four", "5"])).is_err());
        assert!(parse_args(&strings(&["x", "par"])).is_err());
    }

    #[test]
    fn measure_reports_median_not_above_max() {
        let mut calls = 0;
        let (median, min) = measure(&mut || calls += 1, 5);
        assert_eq!(calls, 6, "one warm-up plus five timed runs");
        assert!(min <= median);
    }
}
