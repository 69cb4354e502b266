//! The command line, parsed by clap. **Given code**, except [`EngineArgs::check`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::EngineError;

/// `risk-engine`: the whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "risk-engine",
    version,
    about = "A parallel risk engine: VaR and expected shortfall (historical and Monte Carlo), \
             an options book, and a bootstrap interval of the Sharpe ratio.",
    after_help = "Start with `risk-engine demo`: it writes a sample market and portfolio into a \
                  folder and runs on them. Exit codes: 0 success, 2 bad input, 1 cannot write."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the engine on a portfolio and price histories (a folder or a server).
    Run(RunArgs),
    /// Generate a sample market, portfolio and options book into a folder, then run on it.
    Demo(DemoArgs),
}

/// `risk-engine run`.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Portfolio CSV: header `ticker,weight` or `ticker,quantity`, one position per line.
    #[arg(long, value_name = "FILE")]
    pub portfolio: PathBuf,
    /// Options book CSV (header `ticker,kind,strike,expiry,quantity,style,barrier_kind,barrier_level,rebate`).
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
    /// Folder of price histories, one `TICKER.csv` (`date,close`) per ticker.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "server",
        conflicts_with = "server"
    )]
    pub prices: Option<PathBuf>,
    /// Fetch the price histories from a market-data server instead, e.g. `127.0.0.1:8080`.
    #[arg(long, value_name = "ADDR")]
    pub server: Option<String>,
    /// Give up on a server request after this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5_000)]
    pub timeout_ms: u64,
    /// Scale the weights to sum to 1 instead of rejecting them.
    #[arg(long)]
    pub normalize: bool,
    /// Settings shared with `demo`.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `risk-engine demo`.
#[derive(Clone, Debug, Args)]
pub struct DemoArgs {
    /// Folder to write the sample market, portfolio and book into (created if needed).
    #[arg(long, value_name = "DIR", default_value = "risk-demo")]
    pub dir: PathBuf,
    /// Number of assets of the sample market.
    #[arg(long, default_value_t = 20)]
    pub assets: usize,
    /// Number of trading days of the sample market.
    #[arg(long, default_value_t = 1_260)]
    pub days: usize,
    /// Options in the sample book.
    #[arg(long, default_value_t = 60)]
    pub book: usize,
    /// Settings shared with `run` (the report goes to `DIR/report` unless `--out` is given).
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// The settings of the computation, shared by `run` and `demo`.
#[derive(Clone, Debug, Args)]
pub struct EngineArgs {
    /// Output folder for report.json, report.md, timings.json and the plots.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Confidence level of VaR and ES, in (0, 1).
    #[arg(long, default_value_t = 0.99, allow_negative_numbers = true)]
    pub confidence: f64,
    /// Horizon in trading days.
    #[arg(long, default_value_t = 1)]
    pub horizon: u32,
    /// Monte Carlo scenarios.
    #[arg(long, default_value_t = 1_000_000)]
    pub scenarios: u64,
    /// Bootstrap resamples of the Sharpe ratio.
    #[arg(long, default_value_t = 1_000)]
    pub bootstrap: usize,
    /// Monte Carlo paths per option without a closed form (Asian).
    #[arg(long, default_value_t = 20_000)]
    pub option_paths: u64,
    /// Risk-free rate for the options, annual, continuously compounded.
    #[arg(long, default_value_t = 0.03, allow_negative_numbers = true)]
    pub rate: f64,
    /// Value of a portfolio given by weights (a quantity portfolio is valued at market).
    #[arg(long, default_value_t = 1_000_000.0)]
    pub notional: f64,
    /// Worker threads; 0 means one per core. `--threads 1` is the sequential baseline.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Master seed: the same seed gives a byte-identical report.json for every thread count.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// No progress bars or summary.
    #[arg(long)]
    pub quiet: bool,
    /// Also time the Monte Carlo stage on 1..=threads threads and plot the speedup.
    #[arg(long)]
    pub scaling: bool,
    /// Refuse to start if the run would need more than this many MiB.
    #[arg(long, value_name = "MIB")]
    pub max_memory: Option<u64>,
}

impl EngineArgs {
    /// Checks the values clap cannot: the confidence lies in (0, 1), the horizon, scenario
    /// count and option paths are at least 1, the bootstrap has at least 2 resamples, the
    /// rate is finite and the notional positive and finite.
    ///
    /// # Errors
    /// [`EngineError::Usage`] naming the flag and the value, e.g.
    /// `--confidence 1.5 must lie strictly between 0 and 1`.
    pub fn check(&self) -> Result<(), EngineError> {
        // BEGIN SOLUTION
        let bad = |flag: &str, value: &dyn std::fmt::Display, rule: &str| {
            Err(EngineError::Usage(format!("--{flag} {value} {rule}")))
        };
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return bad(
                "confidence",
                &self.confidence,
                "must lie strictly between 0 and 1",
            );
        }
        if self.horizon == 0 {
            return bad("horizon", &self.horizon, "must be at least 1 day");
        }
        if self.scenarios == 0 {
            return bad("scenarios", &self.scenarios, "must be at least 1");
        }
        if self.bootstrap < 2 {
            return bad("bootstrap", &self.bootstrap, "must be at least 2 resamples");
        }
        if self.option_paths == 0 {
            return bad("option-paths", &self.option_paths, "must be at least 1");
        }
        if !self.rate.is_finite() {
            return bad("rate", &self.rate, "must be a finite number");
        }
        if !(self.notional > 0.0 && self.notional.is_finite()) {
            return bad("notional", &self.notional, "must be positive and finite");
        }
        Ok(())
        // STUB
        // todo!(
        //     "check: check the confidence (strictly inside (0, 1)), horizon, scenarios, bootstrap, option paths, rate and notional; return EngineError::Usage naming the flag"
        // )
        // END SOLUTION
    }
}
