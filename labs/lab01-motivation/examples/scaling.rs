//! The scaling curve of `price_mc_parallel`, plotted against Amdahl's law.
//!
//! ```text
//! cargo run --release -p lab01 --example scaling                  # 20 M paths
//! cargo run --release -p lab01 --example scaling -- 5000000 out.svg
//! ```
//!
//! First measures what the machine delivers right now: the speedup of the grader's
//! calibration kernel (`finance::timing::machine_speedup`) on each thread count. Then
//! measures the median time of 7 runs of your `price_mc_parallel` on 1, 2, 3, … threads (up
//! to twice the logical cores, to show what happens past them), prints speedup, efficiency
//! and the Karp-Flatt serial fraction beside the machine's speedup, fits Amdahl's parallel
//! fraction p on the points that have a core per thread, and draws measured speedups
//! against Amdahl curves in an SVG file: `target/lab01/scaling.svg` under the workspace
//! (under `$CARGO_TARGET_DIR/lab01/` if you set that), or the path given as the second
//! argument. The path is printed at the end.

use finance::bs::Contract;
use lab01::{
    ScalingPoint, amdahl_speedup, cores, fit_parallel_fraction, karp_flatt, scaling_curve,
};
use plotters::prelude::*;
use std::error::Error;
use std::path::{Path, PathBuf};

const RUNS: usize = 7;
/// Runs of the calibration kernel per thread count (each about 0.1 s on one core).
const CALIBRATION_RUNS: usize = 3;
const SEED: u64 = 2024;
/// Parallel fractions drawn for reference.
const REFERENCE_P: [f64; 4] = [0.5, 0.9, 0.95, 0.99];

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let paths: u64 = match args.next() {
        Some(a) => a
            .parse()
            .map_err(|_| format!("PATHS must be a whole number, got {a:?}"))?,
        None => 20_000_000,
    };
    let out = args.next().map_or_else(default_output, PathBuf::from);

    let machine = cores();
    let threads = thread_counts(machine.logical);
    println!(
        "{} logical cores, {} physical; {paths} paths per run, median of {RUNS} runs",
        machine.logical, machine.physical
    );

    // What the machine delivers right now, before your code runs: other people's programs,
    // a CPU quota or hyper-threads show up here first.
    println!("measuring the machine: the grader's calibration kernel on each thread count...");
    let delivered: Vec<(usize, f64)> = threads
        .iter()
        .map(|&n| match n {
            1 => (1, 1.0),
            _ => (n, finance::timing::machine_speedup(n, CALIBRATION_RUNS)),
        })
        .collect();
    let machine_at = |n: usize| {
        delivered
            .iter()
            .find(|&&(m, _)| m == n)
            .map_or(f64::NAN, |&(_, s)| s)
    };

    let contract = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
    let work = |n| {
        std::hint::black_box(lab01::price_mc_parallel(&contract, paths, SEED, n).ok());
    };
    // One untimed run on every core first: page faults, thread start-up and the processor's
    // clock ramping up would otherwise land in the first (one-thread) measurement.
    work(machine.logical);
    let curve = scaling_curve(work, &threads, RUNS)?;

    // Amdahl's n counts processors: past the core count, threads only take turns.
    let with_own_core: Vec<ScalingPoint> = curve
        .iter()
        .copied()
        .filter(|p| p.threads <= machine.logical)
        .collect();
    let fitted = fit_parallel_fraction(&with_own_core).ok();

    println!();
    println!(
        "threads   time (ms)   ns/path   speedup   machine   efficiency   Karp-Flatt e   Amdahl(p̂)"
    );
    for p in &curve {
        let ns_per_path = p.time.as_secs_f64() * 1e9 / paths as f64;
        let e = karp_flatt(p.speedup, p.threads).map_or("-".to_string(), |e| format!("{e:.4}"));
        let predicted = fitted
            .and_then(|f| amdahl_speedup(f, p.threads.min(machine.logical)).ok())
            .map_or("-".to_string(), |s| format!("{s:.2}"));
        let note = if p.threads > machine.logical {
            "  (more threads than cores)"
        } else {
            ""
        };
        println!(
            "{:>7} {:>11.1} {:>9.2} {:>9.2} {:>9.2} {:>12.2} {:>14} {:>11}{note}",
            p.threads,
            p.time.as_secs_f64() * 1e3,
            ns_per_path,
            p.speedup,
            machine_at(p.threads),
            p.efficiency,
            e,
            predicted,
        );
    }
    match fitted {
        Some(f) => {
            let limit = lab01::amdahl_limit(f).unwrap_or(f64::NAN);
            let limit = if limit.is_finite() {
                format!("at most {limit:.1}x faster on any number of cores")
            } else {
                "no limit in sight (perfect scaling so far)".to_string()
            };
            println!("\nfitted parallel fraction p = {f:.4}: {limit}");
            // The same fit of the calibration kernel, a loop that is parallel through and
            // through: what p a perfect program gets on this machine right now.
            let kernel: Vec<ScalingPoint> = with_own_core
                .iter()
                .map(|p| ScalingPoint {
                    speedup: machine_at(p.threads),
                    ..*p
                })
                .collect();
            if let Ok(k) = fit_parallel_fraction(&kernel) {
                println!(
                    "the calibration kernel, perfectly parallel code, fits p = {k:.4} on this machine right now"
                );
            }
        }
        None => println!("\none core only: no parallel point to fit p from"),
    }
    // Your speedup beside the machine's, on every core: load or a bug?
    let on_every_core = curve.iter().find(|p| p.threads == machine.logical);
    if let Some(p) = on_every_core.filter(|p| p.threads > 1) {
        let delivered = machine_at(p.threads);
        println!(
            "this machine delivers {delivered:.2}x on {} threads right now (calibration kernel); your code: {:.2}x ({:.0}% of it)",
            p.threads,
            p.speedup,
            100.0 * p.speedup / delivered
        );
        if delivered < 0.8 * machine.physical as f64 {
            println!(
                "the machine itself falls short of its {} physical cores: it is busy, so your figures are low because of the load, not necessarily your code. Run `uptime` and measure again when the load average is well below {}.",
                machine.physical, machine.logical
            );
        } else if p.speedup < 0.75 * delivered {
            println!(
                "your code gets less than 3/4 of what the machine delivers (the grader gives full credit from 3/4, for price_mc_parallel on every core against your price_mc): look for a serial part or an uneven split."
            );
        }
    }

    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    }
    plot(&out, &curve, fitted, machine.logical)?;
    let shown = std::fs::canonicalize(&out).unwrap_or(out);
    println!("plot written to {}", shown.display());
    Ok(())
}

/// `target/lab01/scaling.svg` in the workspace's target folder: `$CARGO_TARGET_DIR` if set,
/// else `target/` at the workspace root (two folders above this lab's `Cargo.toml`).
fn default_output() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("lab01").join("scaling.svg")
}

/// 1, 2, 3, 4, then doubling, up to twice the logical cores (and the core count itself).
fn thread_counts(logical: usize) -> Vec<usize> {
    let max = (2 * logical).max(4);
    let mut counts: Vec<usize> = (1..=max.min(4)).collect();
    let mut n = 6;
    while n <= max {
        counts.push(n);
        n = if n.is_power_of_two() {
            n + n / 2
        } else {
            n / 3 * 4
        };
    }
    counts.push(logical);
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// Measured speedups against the ideal line and Amdahl curves, as an SVG file.
fn plot(
    path: &Path,
    curve: &[ScalingPoint],
    fitted: Option<f64>,
    logical: usize,
) -> Result<(), Box<dyn Error>> {
    let measured_max = curve.iter().map(|p| p.threads).max().unwrap_or(1);
    let x_max = measured_max.max(16) as f64;
    let y_max = x_max;
    let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "price_mc_parallel: measured speedup vs Amdahl's law",
            ("sans-serif", 22),
        )
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(1.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("threads (n)")
        .y_desc("speedup S(n)")
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 15))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;

    // A smooth curve n -> f(n) over the whole x range.
    let sampled = |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
        (0..=200)
            .map(|i| 1.0 + (x_max - 1.0) * f64::from(i) / 200.0)
            .map(|n| (n, f(n)))
            .collect()
    };
    let amdahl = |p: f64| move |n: f64| 1.0 / ((1.0 - p) + p / n);

    chart
        .draw_series(LineSeries::new(sampled(&|n| n), BLACK.mix(0.35)))?
        .label("ideal: S = n")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.35)));
    let palette = [
        RGBColor(230, 159, 0),
        RGBColor(86, 180, 233),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
    ];
    for (p, color) in REFERENCE_P.iter().zip(palette) {
        chart
            .draw_series(LineSeries::new(sampled(&amdahl(*p)), color.stroke_width(2)))?
            .label(format!("Amdahl p = {p}"))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    if let Some(f) = fitted {
        let style = RED.stroke_width(3);
        chart
            .draw_series(LineSeries::new(sampled(&amdahl(f)), style))?
            .label(format!("Amdahl, fitted p = {f:.3}"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    // Where the cores run out.
    let cores_x = logical as f64;
    chart
        .draw_series(LineSeries::new(
            vec![(cores_x, 0.0), (cores_x, y_max)],
            BLACK.mix(0.5).stroke_width(1),
        ))?
        .label(format!("{logical} logical cores"))
        .legend(|(x, y)| PathElement::new(vec![(x + 10, y - 6), (x + 10, y + 6)], BLACK.mix(0.5)));
    let measured: Vec<(f64, f64)> = curve
        .iter()
        .map(|p| (p.threads as f64, p.speedup))
        .collect();
    chart.draw_series(LineSeries::new(measured.clone(), BLUE.stroke_width(2)))?;
    chart
        .draw_series(measured.iter().map(|&xy| Circle::new(xy, 5, BLUE.filled())))?
        .label(format!("measured (median of {RUNS} runs)"))
        .legend(|(x, y)| Circle::new((x + 10, y), 5, BLUE.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}
