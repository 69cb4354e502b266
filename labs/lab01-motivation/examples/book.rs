//! The lecture's job: price 10 000 European options with 100 000 Monte Carlo paths each
//! (10⁹ paths) with `price_book`, and report the throughput.
//!
//! ```text
//! cargo run --release -p lab01 --example book                 # the full job
//! cargo run --release -p lab01 --example book -- 1000 10000   # OPTIONS PATHS_EACH: quick
//! RAYON_NUM_THREADS=1 cargo run --release -p lab01 --example book   # on one thread
//! ```
//!
//! The book is priced in 100 slices (one `price_book` call each, with its own seed) so that
//! a progress bar can follow; each slice still holds many options to spread over the cores.
//!
//! Before pricing, it measures what the machine delivers right now on rayon's threads (the
//! grader's calibration kernel, `finance::timing::machine_speedup`), so that a slow run on a
//! busy machine can be told from slow code.

use finance::bs::{self, Contract};
use indicatif::{ProgressBar, ProgressStyle};
use std::error::Error;
use std::time::Instant;

const SEED: u64 = 2024;
/// The lecture's estimate for this job in pure Python on one core.
const LECTURE_SECONDS: f64 = 17.0 * 60.0;

/// A book of `n` calls and puts: strikes 80-120, volatilities 10-40%, expiries 3 months to
/// 2 years.
fn book(n: usize) -> Vec<Contract> {
    (0..n)
        .map(|i| {
            let strike = 80.0 + (i % 41) as f64;
            let vol = 0.1 + 0.05 * (i % 7) as f64;
            let expiry = 0.25 * (1 + i % 8) as f64;
            if i % 2 == 0 {
                Contract::call(100.0, strike, 0.03, vol, expiry)
            } else {
                Contract::put(100.0, strike, 0.03, vol, expiry)
            }
        })
        .collect()
}

fn number(arg: Option<String>, default: u64, what: &str) -> Result<u64, String> {
    match arg {
        None => Ok(default),
        Some(a) => a
            .parse()
            .map_err(|_| format!("{what} must be a whole number, got {a:?}")),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let options = number(args.next(), 10_000, "OPTIONS")? as usize;
    let paths_each = number(args.next(), 100_000, "PATHS_EACH")?;
    let contracts = book(options);
    let total_paths = options as f64 * paths_each as f64;
    let machine = lab01::cores();
    let threads = rayon::current_num_threads();
    println!(
        "{options} options x {paths_each} paths = {total_paths:.2e} paths, rayon on {threads} thread(s), {} physical core(s)",
        machine.physical
    );
    if threads > 1 {
        let delivered = finance::timing::machine_speedup(threads, 3);
        println!(
            "this machine delivers {delivered:.2}x on {threads} threads right now (the grader's calibration kernel)"
        );
    }

    let bar = ProgressBar::new(options as u64).with_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} options  {elapsed_precise} (eta {eta})",
    )?);
    let slice_len = options.div_ceil(100).max(1);
    let start = Instant::now();
    let mut prices = Vec::with_capacity(options);
    for (k, slice) in contracts.chunks(slice_len).enumerate() {
        prices.extend(lab01::price_book(
            slice,
            paths_each,
            lab01::contract_seed(SEED, k),
        )?);
        bar.inc(slice.len() as u64);
    }
    let seconds = start.elapsed().as_secs_f64();
    bar.finish();

    // How far the estimates lie from Black-Scholes, in standard errors.
    let z: Vec<f64> = contracts
        .iter()
        .zip(&prices)
        .map(|(c, e)| e.z_score(bs::price(c)))
        .filter(|z| z.is_finite())
        .collect();
    let rms_z = (z.iter().map(|z| z * z).sum::<f64>() / z.len().max(1) as f64).sqrt();

    let ns_per_path = seconds * 1e9 / total_paths;
    println!("time         {seconds:.2} s");
    println!(
        "throughput   {:.1} M paths/s, {:.0} options/s",
        total_paths / seconds / 1e6,
        options as f64 / seconds
    );
    println!(
        "per path     {ns_per_path:.2} ns of wall time, {:.2} ns of one thread's time",
        ns_per_path * threads as f64
    );
    println!(
        "accuracy     RMS of (estimate - Black-Scholes) / standard error = {rms_z:.2} (about 1 if honest)"
    );
    let full_job = 1e9 * ns_per_path * 1e-9;
    println!(
        "full job     {full_job:.1} s at this rate for 10^9 paths, against the lecture's 17 minutes ({:.0}x faster)",
        LECTURE_SECONDS / full_job
    );
    Ok(())
}
