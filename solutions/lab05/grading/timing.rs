//! The timing program of lab 05, compiled by `cargo xtask grade` in release mode against the
//! student's code and against the reference solution (docs/AUTHORING.md).
//!
//! One workload, `pipeline`: `lab05::compute` (parse, load from a folder, returns and
//! covariance, historical VaR, Monte Carlo VaR with 300 000 scenarios, 300 options of which
//! 100 by Monte Carlo, 1 000 bootstrap resamples) on 30 assets × 1 260 days written once to
//! a temporary folder. `seq` runs it in a rayon pool of 1 thread, `par` of the requested
//! threads. Try it: `cd solutions && cargo run --release -p lab05
//! --example lab05-timing -- pipeline par 2 3`.

use std::hint::black_box;

use clap::Parser;
use lab05::cli::{Cli, Command};
use lab05::progress::Progress;
use parlab_harness::{Request, Workload};

fn prepare(req: &Request) -> Option<Workload> {
    let threads = if req.is_sequential() {
        1
    } else {
        req.threads.max(1)
    };
    match req.workload.as_str() {
        "pipeline" => {
            let dir = tempfile::TempDir::new().expect("cannot create a temporary folder");
            let (pf, book, prices) = lab05::write_demo(dir.path(), 30, 1_260, 300, 2024)
                .expect("cannot write the input");
            let mut argv: Vec<std::ffi::OsString> = [
                "risk-engine",
                "run",
                "--scenarios",
                "300000",
                "--option-paths",
                "16384",
            ]
            .map(Into::into)
            .to_vec();
            for (flag, path) in [
                ("--portfolio", &pf),
                ("--options", &book),
                ("--prices", &prices),
            ] {
                argv.push(flag.into());
                argv.push(path.into());
            }
            let cli = Cli::parse_from(argv);
            let Command::Run(args) = cli.command else {
                return None;
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("cannot build a rayon thread pool");
            Some(Box::new(move || {
                // The folder lives as long as the workload.
                let _keep = &dir;
                pool.install(|| black_box(lab05::compute(&args, Progress::hidden()).ok()));
            }))
        }
        _ => None,
    }
}

fn main() {
    parlab_harness::main(prepare);
}
