//! The parallel-computing notes' framework comparison, redone in Rust.
//!
//! ```sh
//! cargo run --release -p lab03 --example frameworks            # about a minute on 2 cores
//!                                                              # table on stdout, CSV in target/
//! cargo run --release -p lab03 --example frameworks -- --reps 1 --csv /tmp/frameworks.csv
//! ```
//!
//! Six categories of the notes, each run through five ways of doing the work: a plain loop,
//! `std::thread` (one scoped thread per core, each given a contiguous block of tasks, the
//! simplest static split), rayon (work stealing), a crossbeam scoped pool (threads pulling
//! one task at a time from a channel: dynamic) and your `ProcessPool` (chunk size
//! ⌈n / (4 × workers)⌉, as `multiprocessing.Pool.map` picks; pool start-up and shutdown are
//! timed, as Python's `with Pool(...)` is). Every runner uses as many workers as there are
//! cores. Each cell is the median of `--reps` runs (default 3).
//!
//! Scaled from the notes to fit a minute on 2 cores (the labels say so): I/O waits 25 times
//! shorter, the serialization input 10 times smaller (1e7 floats, as the Python peers ran
//! it), the memory tasks 20 x 100 MiB (as the Python peers ran them). The disk row writes
//! 2,000 files of each size (the notes give no count).
//!
//! Then one more measurement: the peak memory of workers that each receive a copy of an
//! input of 1e7 floats (76 MiB), against threads that share the parent's one copy. Sizes
//! are in MiB (2^20 bytes), as the kernel counts them (its kB are KiB).
//!
//! This program is also its own worker: the pool re-runs it with `--lab03-worker`, so the
//! guard below must be the first thing `main` does.

use crossbeam::channel;
use indicatif::{ProgressBar, ProgressStyle};
use lab03::pool::{ProcessPool, WorkerCommand, python_chunksize};
use lab03::task::{Output, Task, peak_rss_bytes};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// One row of the table.
struct Bench {
    /// Short name, for the CSV.
    name: &'static str,
    /// What it does, and how it was scaled from the notes.
    label: String,
    tasks: Vec<Task>,
}

/// The ways of running a row, in table order.
const FRAMEWORKS: [&str; 5] = [
    "sequential",
    "std::thread",
    "rayon",
    "crossbeam",
    "process pool",
];

fn benches(scratch: &std::path::Path) -> Vec<Bench> {
    let dir = scratch
        .to_str()
        .expect("a UTF-8 temporary path")
        .to_string();
    let disk = |bytes: u64| -> Vec<Task> {
        (0..2_000)
            .map(|id| Task::DiskWrite {
                dir: dir.clone(),
                id,
                bytes,
            })
            .collect()
    };
    let data: Vec<f64> = (0..10_000_000u64)
        .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 11) as f64 / (1u64 << 53) as f64)
        .collect();
    let split = |n: usize| -> Vec<Task> {
        data.chunks(data.len() / n)
            .map(|c| Task::Mean(c.to_vec()))
            .collect()
    };
    vec![
        Bench {
            name: "io_wait_25",
            label: "I/O wait: 25 x sleep 40 ms [notes 25 x 1 s]".into(),
            tasks: vec![Task::Sleep { micros: 40_000 }; 25],
        },
        Bench {
            name: "io_wait_2500",
            label: "I/O wait: 2,500 x sleep 0.4 ms [notes 2,500 x 10 ms]".into(),
            tasks: vec![Task::Sleep { micros: 400 }; 2_500],
        },
        Bench {
            name: "equal_cpu_1k",
            label: "equal CPU: is 9,999,991 prime? x 1,000".into(),
            tasks: vec![Task::IsPrime(9_999_991); 1_000],
        },
        Bench {
            name: "equal_cpu_100k",
            label: "equal CPU: is 9,999,991 prime? x 100,000".into(),
            tasks: vec![Task::IsPrime(9_999_991); 100_000],
        },
        Bench {
            name: "unequal_cpu_1m",
            label: "unequal CPU: is i prime? i in 0..1,000,000".into(),
            tasks: (0..1_000_000).map(Task::IsPrime).collect(),
        },
        Bench {
            name: "disk_200b",
            label: "disk: write + delete 2,000 files of 200 B".into(),
            tasks: disk(200),
        },
        Bench {
            name: "disk_20kb",
            label: "disk: write + delete 2,000 files of 20 kB".into(),
            tasks: disk(20_000),
        },
        Bench {
            name: "memory",
            label: "memory: 20 x allocate 100 MiB [notes 100 x 500 MB]".into(),
            tasks: vec![Task::Allocate { bytes: 100 << 20 }; 20],
        },
        Bench {
            name: "serialization_1k",
            label: "serialization: mean of 1e7 floats in 1,000 chunks [notes 1e8]".into(),
            tasks: split(1_000),
        },
        Bench {
            name: "serialization_100k",
            label: "serialization: mean of 1e7 floats in 100,000 chunks [notes 1e8]".into(),
            tasks: split(100_000),
        },
    ]
}

/// Runs a task in this process (the threads' way); a failure stops the program.
fn run(task: &Task) -> Output {
    task.run().unwrap_or_else(|e| panic!("task failed: {e}"))
}

fn sequential(tasks: &[Task]) -> Vec<Output> {
    tasks.iter().map(run).collect()
}

/// One scoped thread per worker, each given a contiguous block of the tasks.
fn std_threads(tasks: &[Task], workers: usize) -> Vec<Output> {
    let block = tasks.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = tasks
            .chunks(block)
            .map(|part| s.spawn(move || part.iter().map(run).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a thread panicked"))
            .collect()
    })
}

fn rayon(pool: &rayon::ThreadPool, tasks: &[Task]) -> Vec<Output> {
    use rayon::prelude::*;
    pool.install(|| tasks.par_iter().map(run).collect())
}

/// A crossbeam scoped pool: each thread takes the next task index from a channel.
fn crossbeam_pool(tasks: &[Task], workers: usize) -> Vec<Output> {
    let (tx, rx) = channel::unbounded();
    for i in 0..tasks.len() {
        tx.send(i).expect("the receiver is alive");
    }
    drop(tx);
    let parts: Vec<Vec<(usize, Output)>> = crossbeam::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move |_| rx.iter().map(|i| (i, run(&tasks[i]))).collect())
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a thread panicked"))
            .collect()
    })
    .expect("a thread panicked");
    let mut out: Vec<Option<Output>> = vec![None; tasks.len()];
    for (i, o) in parts.into_iter().flatten() {
        out[i] = Some(o);
    }
    out.into_iter()
        .map(|o| o.expect("every task ran"))
        .collect()
}

fn process_pool(worker: &WorkerCommand, tasks: &[Task], workers: usize) -> Vec<Output> {
    let mut pool = ProcessPool::new(workers, worker.clone()).expect("workers start");
    pool.map(tasks, python_chunksize(tasks.len(), workers))
        .unwrap_or_else(|e| panic!("the pool failed: {e}"))
}

/// A one-line digest of the outputs, to check that every framework computed the same.
fn digest(outputs: &[Output]) -> String {
    let trues = outputs.iter().filter(|o| o.as_bool() == Some(true)).count();
    let sum_u: u64 = outputs
        .iter()
        .filter_map(Output::as_u64)
        .fold(0, u64::wrapping_add);
    let sum_f: f64 = outputs.iter().filter_map(Output::as_f64).sum();
    match outputs.first() {
        Some(Output::Bool(_)) => format!("{trues} primes"),
        Some(Output::U64(_)) => format!("checksum {sum_u:x}"),
        Some(Output::F64(_)) => format!("mean of means {:.6}", sum_f / outputs.len() as f64),
        _ => format!("{} results", outputs.len()),
    }
}

struct Args {
    reps: usize,
    csv: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        reps: 3,
        // The course's target folder, wherever the program is run from.
        csv: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/lab03-frameworks.csv"
        )),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reps" => {
                args.reps = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r > 0)
                    .ok_or("--reps needs a positive whole number")?;
            }
            "--csv" => args.csv = it.next().ok_or("--csv needs a path")?.into(),
            other => {
                return Err(format!(
                    "unknown argument {other:?} (try --reps N, --csv PATH)"
                ));
            }
        }
    }
    Ok(args)
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.2} ms", s * 1e3)
    }
}

fn main() -> ExitCode {
    // The worker entry point guard: when the pool re-runs this program as a worker, it must
    // serve tasks and do nothing else (no benchmark, no pool of its own).
    if lab03::worker::is_worker_invocation() {
        return lab03::worker::worker_main();
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("frameworks: {e}");
            return ExitCode::from(2);
        }
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let worker = WorkerCommand::current_exe().expect("the path of this program");
    let scratch = tempfile::tempdir().expect("a temporary folder");
    eprintln!("preparing inputs...");
    let benches = benches(scratch.path());
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("a rayon pool");

    let bar = ProgressBar::new((benches.len() * FRAMEWORKS.len() * args.reps) as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} [{elapsed} / ~{duration}] {msg}")
            .expect("a valid template"),
    );
    // medians[row][framework], and the digests for the check.
    let mut medians = vec![vec![Duration::ZERO; FRAMEWORKS.len()]; benches.len()];
    let mut csv = String::from("benchmark,label,framework,workers,tasks,median_s,runs_s,check\n");
    for (r, bench) in benches.iter().enumerate() {
        let mut digests = Vec::new();
        for (f, framework) in FRAMEWORKS.iter().enumerate() {
            bar.set_message(format!("{} / {framework}", bench.name));
            let mut runs = Vec::with_capacity(args.reps);
            let mut check = String::new();
            for _ in 0..args.reps {
                let start = Instant::now();
                let outputs = match f {
                    0 => sequential(&bench.tasks),
                    1 => std_threads(&bench.tasks, workers),
                    2 => rayon(&rayon_pool, &bench.tasks),
                    3 => crossbeam_pool(&bench.tasks, workers),
                    _ => process_pool(&worker, &bench.tasks, workers),
                };
                runs.push(start.elapsed());
                check = digest(&outputs);
                bar.inc(1);
            }
            let mut sorted = runs.clone();
            sorted.sort();
            medians[r][f] = sorted[sorted.len() / 2];
            let cores = if f == 0 { 1 } else { workers };
            let runs_s: Vec<String> = runs
                .iter()
                .map(|d| format!("{:.6}", d.as_secs_f64()))
                .collect();
            let _ = writeln!(
                csv,
                "{},\"{}\",{framework},{cores},{},{:.6},{},{check}",
                bench.name,
                bench.label,
                bench.tasks.len(),
                medians[r][f].as_secs_f64(),
                runs_s.join(" ")
            );
            digests.push(check);
        }
        if digests.iter().any(|d| d != &digests[0]) {
            bar.println(format!(
                "warning: {}: the frameworks disagree: {digests:?}",
                bench.name
            ));
        }
    }
    bar.finish_and_clear();

    let width = benches.iter().map(|b| b.label.len()).max().unwrap_or(10);
    println!(
        "\nmedian of {} run(s), {workers} workers (cores), process pool chunk size ⌈n / 4w⌉, start-up included\n",
        args.reps
    );
    print!("{:width$}", "benchmark");
    for f in FRAMEWORKS {
        print!(" | {f:>12}");
    }
    println!();
    println!("{}", "-".repeat(width + FRAMEWORKS.len() * 15));
    for (bench, row) in benches.iter().zip(&medians) {
        print!("{:width$}", bench.label);
        for d in row {
            print!(" | {:>12}", seconds(*d));
        }
        println!();
    }

    println!();
    memory_footprint(&worker, workers);

    if let Some(dir) = args.csv.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::File::create(&args.csv).and_then(|mut f| f.write_all(csv.as_bytes())) {
        Ok(()) => println!("\nCSV written to {}", args.csv.display()),
        Err(e) => eprintln!("cannot write {}: {e}", args.csv.display()),
    }
    ExitCode::SUCCESS
}

/// Peak memory of workers that each hold a copy of one large input, against threads that
/// share it.
fn memory_footprint(worker: &WorkerCommand, workers: usize) {
    const FLOATS: usize = 10_000_000;
    let data: Vec<f64> = (0..FLOATS).map(|i| i as f64).collect();
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let input_mib = mib((FLOATS * 8) as u64);
    let mut pool = ProcessPool::new(workers, worker.clone()).expect("workers start");
    let before: Vec<u64> = pool
        .map_static(&vec![Task::PeakRss; workers], 1)
        .expect("tasks run")
        .iter()
        .filter_map(Output::as_u64)
        .collect();
    // One copy of the whole input to each worker (static chunks of 1: task i on worker i).
    let copies = vec![Task::Mean(data.clone()); workers];
    pool.map_static(&copies, 1).expect("tasks run");
    let after: Vec<u64> = pool
        .map_static(&vec![Task::PeakRss; workers], 1)
        .expect("tasks run")
        .iter()
        .filter_map(Output::as_u64)
        .collect();
    println!("memory: an input of {input_mib:.0} MiB (1e7 floats) given to {workers} workers");
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        println!(
            "  worker {i}: peak RSS {:.0} MiB at start, {:.0} MiB after receiving its copy",
            mib(*b),
            mib(*a)
        );
    }
    let total: u64 = after.iter().sum();
    println!(
        "  processes: {:.0} MiB in the workers, plus the parent's own {input_mib:.0} MiB",
        mib(total)
    );
    println!(
        "  threads:   {input_mib:.0} MiB, shared by every thread (this process's peak RSS so far: {:.0} MiB)",
        mib(peak_rss_bytes().unwrap_or(0))
    );
}
