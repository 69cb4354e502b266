//! `risk-engine`: the command-line front end of the `lab05` library. **Given code.**
//!
//! Parses the command line with clap, runs, prints a one-line summary (unless `--quiet`) and
//! maps errors to exit codes: 2 for bad input or arguments, 1 when outputs cannot be
//! written. Every error is one line on stderr starting with `error:`.

use std::process::ExitCode;

use clap::Parser;
use lab05::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => lab05::execute(args),
        Command::Demo(args) => lab05::demo(args),
    };
    match result {
        Ok(done) => {
            if !done.quiet {
                eprintln!("{}", done.summary);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
