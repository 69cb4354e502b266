//! # `lab05`: a parallel risk engine
//!
//! The library behind the `risk-engine` binary. [`execute`] runs the whole pipeline on a
//! portfolio and its price histories and writes the report; [`compute`] is the pipeline
//! without the files, for tests and the timing program. The stages, each in its module:
//!
//! | stage | module | bound by (expected) | how it is parallel |
//! |---|---|---|---|
//! | parse the portfolio and the book | [`portfolio`] | — | sequential (tiny) |
//! | load the price histories | [`load`] | I/O | threads, one request or file each |
//! | returns, covariance, correlation | [`returns`] | CPU (small) | rayon over days |
//! | historical VaR/ES | [`var`] | CPU (small) | — |
//! | Monte Carlo VaR/ES, bounded memory | [`var`] | CPU | rayon over blocks of scenarios |
//! | options book | [`options`] | CPU | rayon over options (and blocks) |
//! | bootstrap of the Sharpe ratio | [`bootstrap`] | CPU | rayon over resamples |
//! | report | [`report`] | I/O | sequential |
//!
//! timings.json does not copy the "bound by" column: it measures it. Each stage's CPU time
//! (`finance::timing::process_cpu_time`) is set against its wall time × the threads the
//! engine gives it, and [`report::bound_of`] labels it by lab02's rule.
//!
//! **The golden rule**: what works with one worker gives the same answer with many. Every
//! random number comes from `finance::rng::stream(seed, i)` with `i` a block, option or
//! resample index, never a thread's, and every floating-point reduction runs in a fixed
//! order, so report.json is byte-identical for every `--threads`.
//!
//! The orchestration in this file is **given**; the stages are yours.

pub mod bootstrap;
pub mod cli;
pub mod error;
pub mod load;
pub mod memory;
pub mod options;
pub mod portfolio;
pub mod progress;
pub mod report;
pub mod returns;
pub mod var;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use finance::linalg::Matrix;
use finance::market::{MarketConfig, simulate};
use finance::rng::splitmix64;

use cli::{DemoArgs, RunArgs};
use error::EngineError;
use load::TickerRef;
use portfolio::{OptionPosition, Portfolio};
use progress::Progress;
use report::*;

/// Stage numbers for [`stage_seed`].
pub const MC_STAGE: u64 = 1;
/// The options book's stage.
pub const OPTIONS_STAGE: u64 = 2;
/// The bootstrap's stage.
pub const BOOTSTRAP_STAGE: u64 = 3;
/// Coverage of the Sharpe ratio's bootstrap interval.
pub const SHARPE_LEVEL: f64 = 0.95;

/// The seed of one stage, derived from the master seed, so that the stages draw independent
/// numbers and changing one stage's settings leaves the others' draws alone.
pub fn stage_seed(seed: u64, stage: u64) -> u64 {
    splitmix64(seed ^ splitmix64(stage))
}

/// What [`compute`] produces.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The report (report.json).
    pub report: Report,
    /// The stages' timings (timings.json).
    pub timings: Timings,
    /// The Monte Carlo model, for `--scaling`.
    pub model: var::McModel,
}

/// What [`execute`] tells the user.
#[derive(Clone, Debug)]
pub struct Done {
    /// One line: where the report is and the headline numbers.
    pub summary: String,
    /// `--quiet` was given.
    pub quiet: bool,
    /// The output folder.
    pub out: PathBuf,
}

fn read_text(path: &Path) -> Result<String, EngineError> {
    std::fs::read_to_string(path).map_err(|source| EngineError::Io {
        file: path.display().to_string(),
        source,
    })
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The tickers to load: the portfolio's in file order, then the book's new ones.
fn ticker_refs(portfolio: &Portfolio, book: &[OptionPosition], book_file: &str) -> Vec<TickerRef> {
    let mut refs: Vec<TickerRef> = portfolio
        .positions
        .iter()
        .map(|p| TickerRef {
            ticker: p.ticker.clone(),
            file: portfolio.file.clone(),
            line: p.line,
        })
        .collect();
    for o in book {
        if !refs.iter().any(|r| r.ticker == o.ticker) {
            refs.push(TickerRef {
                ticker: o.ticker.clone(),
                file: book_file.to_string(),
                line: o.line,
            });
        }
    }
    refs
}

/// Times `f` as stage `name`, run on `threads` threads: its wall time and the CPU time the
/// process used meanwhile, from which [`Stage::measured`] says what bounds it.
fn timed<R>(
    stages: &mut Vec<Stage>,
    name: &'static str,
    threads: usize,
    f: impl FnOnce() -> R,
) -> R {
    let cpu = finance::timing::process_cpu_time();
    let start = Instant::now();
    let r = f();
    let wall = start.elapsed();
    let cpu = finance::timing::process_cpu_time().saturating_sub(cpu);
    stages.push(Stage::measured(name, wall, cpu, threads));
    r
}

/// `x` as a percentage with the decimals it needs, at most 4: 0.99 gives "99", 0.975 gives
/// "97.5" (`{:.0}` would round it to "98").
fn percent(x: f64) -> String {
    let fixed = format!("{:.4}", 100.0 * x);
    fixed
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

fn rows(m: &Matrix) -> Vec<Vec<f64>> {
    m.iter_rows().map(<[f64]>::to_vec).collect()
}

fn risk_section(f: var::RiskFigures, value: f64) -> RiskSection {
    RiskSection {
        var: f.var,
        es: f.es,
        var_amount: f.var * value,
        es_amount: f.es * value,
    }
}

/// The whole pipeline, in the current rayon pool (install one to choose the threads),
/// without writing files. Loading uses as many threads as the pool has (more for a server).
///
/// # Errors
/// Any [`EngineError`] of the stages; nothing is written.
pub fn compute(args: &RunArgs, progress: Progress) -> Result<Outcome, EngineError> {
    let e = &args.engine;
    e.check()?;
    let threads = rayon::current_num_threads();
    let mut stages = Vec::new();

    let portfolio_file = args.portfolio.display().to_string();
    let book_file = args.options.as_ref().map(|p| p.display().to_string());
    let (portfolio, book) = timed(
        &mut stages,
        "parse inputs",
        1,
        || -> Result<_, EngineError> {
            let portfolio = portfolio::parse_portfolio(
                &portfolio_file,
                &read_text(&args.portfolio)?,
                args.normalize,
            )?;
            let book = match (&args.options, &book_file) {
                (Some(path), Some(file)) => portfolio::parse_book(file, &read_text(path)?)?,
                _ => Vec::new(),
            };
            Ok((portfolio, book))
        },
    )?;
    let refs = ticker_refs(&portfolio, &book, book_file.as_deref().unwrap_or(""));

    let market = timed(
        &mut stages,
        "load prices",
        threads,
        || -> Result<_, EngineError> {
            let (series, sources): (_, Vec<String>) = match (&args.prices, &args.server) {
                (Some(dir), _) => (
                    load::load_folder(dir, &refs, threads)?,
                    refs.iter()
                        .map(|r| dir.join(format!("{}.csv", r.ticker)).display().to_string())
                        .collect(),
                ),
                (None, Some(addr)) => (
                    load::load_server(
                        addr,
                        &refs,
                        Duration::from_millis(args.timeout_ms),
                        threads,
                    )?,
                    refs.iter()
                        .map(|r| format!("http://{addr}/prices/{}", r.ticker))
                        .collect(),
                ),
                (None, None) => {
                    return Err(EngineError::Usage(
                        "give --prices DIR or --server ADDR".into(),
                    ));
                }
            };
            load::align(&series, &sources)
        },
    )?;
    let days = market.dates.len();
    if days < 3 {
        return Err(EngineError::input(
            &market.sources[0],
            days + 1,
            "close",
            "at least 3 prices are needed",
        ));
    }

    // The memory check comes before any computation.
    let estimated = memory::estimate_mib(refs.len(), days, e.scenarios, book.len(), threads);
    if let Some(budget) = e.max_memory
        && estimated > budget
    {
        return Err(EngineError::Memory {
            budget_mib: budget,
            needed_mib: estimated,
        });
    }

    let inputs = timed(&mut stages, "returns and covariance", threads, || {
        returns::risk_inputs(&market.prices)
    });
    let npos = portfolio.positions.len();
    let last = market.prices.row(days - 1);
    let (weights, value) = portfolio.weights(&last[..npos], e.notional)?;
    // The book's own underlyings are in the market with weight 0.
    let mut all_weights = weights.clone();
    all_weights.resize(market.tickers.len(), 0.0);

    let (port_returns, historical) = timed(&mut stages, "historical VaR", threads, || {
        let r = returns::portfolio_returns(&market.prices, &all_weights);
        let h = var::historical(&r, e.confidence, e.horizon);
        (r, h)
    });
    let historical = historical?;

    let h = f64::from(e.horizon);
    let n = inputs.cov.rows();
    let cov_h = Matrix::from_fn(n, n, |i, j| inputs.cov[(i, j)] * h);
    let parametric = var::RiskFigures {
        var: finance::risk::parametric_var(&all_weights, &cov_h, e.confidence, 1.0)
            .map_err(|err| EngineError::Usage(format!("parametric VaR: {err}")))?,
        es: finance::risk::parametric_es(&all_weights, &cov_h, e.confidence, 1.0)
            .map_err(|err| EngineError::Usage(format!("parametric ES: {err}")))?,
    };

    let model = var::McModel::new(&inputs.mean, &inputs.cov, &all_weights, e.horizon)?;
    let blocks = e.scenarios.div_ceil(var::BLOCK_SCENARIOS);
    let mc = timed(&mut stages, "Monte Carlo VaR", threads, || {
        // Two passes in the usual case (count, collect); the bar's length is a guess.
        let bar = progress.bar(2 * blocks, "Monte Carlo");
        let r = var::monte_carlo(
            &model,
            e.scenarios,
            e.confidence,
            stage_seed(e.seed, MC_STAGE),
            &bar,
        );
        bar.finish_and_clear();
        r
    });

    let column: HashMap<&str, usize> = market
        .tickers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let spots: Vec<f64> = book
        .iter()
        .map(|o| last[column[o.ticker.as_str()]])
        .collect();
    let vols: Vec<f64> = book
        .iter()
        .map(|o| inputs.vols[column[o.ticker.as_str()]])
        .collect();
    let priced = timed(&mut stages, "options book", threads, || {
        let bar = progress.bar(book.len() as u64, "options");
        let r = options::price_book(
            &book,
            &spots,
            &vols,
            e.rate,
            e.option_paths,
            stage_seed(e.seed, OPTIONS_STAGE),
            &bar,
        );
        bar.finish_and_clear();
        r
    });

    let sharpe = timed(&mut stages, "bootstrap", threads, || {
        let bar = progress.bar(e.bootstrap as u64, "bootstrap");
        let r = bootstrap::sharpe_interval(
            &port_returns,
            e.bootstrap,
            SHARPE_LEVEL,
            stage_seed(e.seed, BOOTSTRAP_STAGE),
            &bar,
        );
        bar.finish_and_clear();
        r
    })?;

    let report = Report {
        schema: SCHEMA,
        inputs: Inputs {
            portfolio_file: file_name(&args.portfolio),
            options_file: args.options.as_deref().map(file_name),
            source: if args.prices.is_some() {
                "folder"
            } else {
                "server"
            },
            first_date: market.dates[0].to_string(),
            last_date: market.dates[days - 1].to_string(),
            days,
            seed: e.seed,
            confidence: e.confidence,
            horizon_days: e.horizon,
            scenarios: e.scenarios,
            bootstrap_resamples: e.bootstrap,
            option_paths: e.option_paths,
            rate: e.rate,
        },
        portfolio: PortfolioSection {
            value,
            positions: (0..npos)
                .map(|i| PositionRow {
                    ticker: market.tickers[i].clone(),
                    weight: weights[i],
                    last_price: last[i],
                    annual_vol: inputs.vols[i],
                })
                .collect(),
        },
        returns: ReturnsSection {
            observations: inputs.returns.rows(),
            mean_daily: inputs.mean.clone(),
            covariance: rows(&inputs.cov),
            correlation: rows(&inputs.corr),
        },
        historical: risk_section(historical, value),
        parametric: risk_section(parametric, value),
        monte_carlo: MonteCarloSection {
            risk: risk_section(mc.figures, value),
            mean: mc.tail.mean,
            std_dev: mc.tail.std_dev,
            min: mc.tail.min,
            max: mc.tail.max,
            quantile_error_bound: mc.tail.error_bound,
            passes: mc.tail.passes,
            histogram: HistogramSection {
                lo: mc.tail.histogram.lo,
                hi: mc.tail.histogram.hi,
                counts: mc.tail.histogram.counts.clone(),
            },
        },
        options: OptionsSection {
            // Rust's float `sum` starts from -0.0, so an empty book would be worth -0.0
            // ("-0.0" in report.json, "-0.00" in the summary); adding 0.0 turns only that -0.0
            // into 0.0.
            total_value: priced.iter().map(|p| p.value).sum::<f64>() + 0.0,
            positions: priced
                .iter()
                .zip(&book)
                .map(|(p, o)| OptionRow {
                    index: p.index,
                    ticker: p.ticker.clone(),
                    style: p.style,
                    method: p.method,
                    price: p.price,
                    std_error: p.std_error,
                    quantity: o.quantity,
                    value: p.value,
                })
                .collect(),
        },
        sharpe: SharpeSection {
            estimate: sharpe.estimate,
            lo: sharpe.lo,
            hi: sharpe.hi,
            level: sharpe.level,
            resamples: sharpe.resamples,
        },
    };
    let total_seconds = stages.iter().map(|s| s.seconds).sum();
    Ok(Outcome {
        report,
        timings: Timings {
            threads,
            stages,
            total_seconds,
            peak_rss_mib: memory::peak_rss_mib(),
            estimated_mib: estimated,
            scaling: Vec::new(),
        },
        model,
    })
}

/// The threads of `--threads N`: N, or one per core for 0.
pub fn resolve_threads(n: usize) -> usize {
    if n == 0 {
        finance::timing::available_cores()
    } else {
        n
    }
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, EngineError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| EngineError::Usage(format!("cannot start {threads} threads: {e}")))
}

/// Runs `run`: [`compute`] in a pool of `--threads` threads, the scaling curve if asked,
/// then writes the outputs into `--out` (default `risk-report`).
///
/// # Errors
/// Any [`EngineError`]; on error no report.json is written.
pub fn execute(args: &RunArgs) -> Result<Done, EngineError> {
    let e = &args.engine;
    let threads = resolve_threads(e.threads);
    let progress = Progress::new(e.quiet);
    let mut outcome = pool(threads)?.install(|| compute(args, progress))?;
    if e.scaling {
        let mut base = None;
        for t in 1..=threads.max(2) {
            let seconds = pool(t)?.install(|| {
                let start = Instant::now();
                var::monte_carlo(
                    &outcome.model,
                    e.scenarios,
                    e.confidence,
                    stage_seed(e.seed, MC_STAGE),
                    &indicatif::ProgressBar::hidden(),
                );
                start.elapsed().as_secs_f64()
            });
            let one = *base.get_or_insert(seconds);
            outcome.timings.scaling.push(ScalingPoint {
                threads: t,
                seconds,
                speedup: one / seconds,
            });
        }
    }
    outcome.timings.peak_rss_mib = memory::peak_rss_mib();
    let out = e
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("risk-report"));
    report::write_outputs(&out, &outcome.report, &outcome.timings)?;
    let r = &outcome.report;
    let summary = format!(
        "wrote {}/report.json: {}% {}-day VaR {:.2} historical, {:.2} Monte Carlo ({} scenarios); ES {:.2}; \
         {} option(s) worth {:.2}; {} thread(s), {:.2} s, peak {:.0} MiB",
        out.display(),
        percent(r.inputs.confidence),
        r.inputs.horizon_days,
        r.historical.var_amount,
        r.monte_carlo.risk.var_amount,
        r.inputs.scenarios,
        r.monte_carlo.risk.es_amount,
        r.options.positions.len(),
        r.options.total_value,
        threads,
        outcome.timings.total_seconds,
        outcome.timings.peak_rss_mib
    );
    Ok(Done {
        summary,
        quiet: e.quiet,
        out,
    })
}

/// Writes a sample market (`dir/prices/*.csv`, from `finance::market`), a portfolio of
/// quantities (`dir/portfolio.csv`) and an options book of `book` options of every style
/// (`dir/options.csv`). Returns the `run` arguments for them (report in `dir/report`).
///
/// # Errors
/// [`EngineError::Output`] if a file cannot be written.
pub fn write_demo(
    dir: &Path,
    assets: usize,
    days: usize,
    book: usize,
    seed: u64,
) -> Result<(PathBuf, PathBuf, PathBuf), EngineError> {
    let fail = |p: &Path, m: String| EngineError::Output {
        file: p.display().to_string(),
        message: m,
    };
    if assets == 0 || days < 3 {
        return Err(EngineError::Usage(
            "demo needs at least 1 asset and 3 days".into(),
        ));
    }
    let prices = dir.join("prices");
    std::fs::create_dir_all(&prices).map_err(|e| fail(&prices, e.to_string()))?;
    let market = simulate(&MarketConfig::new(assets, days, seed));
    for i in 0..assets {
        let path = prices.join(format!("{}.csv", market.tickers[i]));
        finance::series::write_csv(&market.series(i), &path)
            .map_err(|e| fail(&path, e.to_string()))?;
    }
    let mut pf = String::from("ticker,quantity\n");
    for (i, t) in market.tickers.iter().enumerate() {
        pf.push_str(&format!("{t},{}\n", 100 * (1 + i % 5)));
    }
    let pf_path = dir.join("portfolio.csv");
    std::fs::write(&pf_path, pf).map_err(|e| fail(&pf_path, e.to_string()))?;
    let mut ob = format!("{}\n", portfolio::BOOK_HEADER);
    for i in 0..book {
        let a = i % assets;
        let spot = market.prices[(days - 1, a)];
        let kind = if i % 2 == 0 { "call" } else { "put" };
        let strike = spot * (0.8 + 0.04 * ((i * 7) % 11) as f64);
        let expiry = 0.25 * (1 + i % 8) as f64;
        let quantity = 10.0 * (1 + i % 3) as f64 * if i % 4 == 3 { -1.0 } else { 1.0 };
        let line = match i % 3 {
            0 => format!(
                "{},{kind},{strike:.2},{expiry},{quantity},european,,,\n",
                market.tickers[a]
            ),
            1 => format!(
                "{},{kind},{strike:.2},{expiry},{quantity},asian,,,\n",
                market.tickers[a]
            ),
            _ => format!(
                "{},{kind},{strike:.2},{expiry},{quantity},barrier,down-out,{:.2},0\n",
                market.tickers[a],
                spot * 0.75
            ),
        };
        ob.push_str(&line);
    }
    let ob_path = dir.join("options.csv");
    std::fs::write(&ob_path, ob).map_err(|e| fail(&ob_path, e.to_string()))?;
    Ok((pf_path, ob_path, prices))
}

/// Runs `demo`: [`write_demo`] into `--dir`, then [`execute`] on it.
///
/// # Errors
/// Any [`EngineError`].
pub fn demo(args: &DemoArgs) -> Result<Done, EngineError> {
    let (portfolio, options, prices) = write_demo(
        &args.dir,
        args.assets,
        args.days,
        args.book,
        args.engine.seed,
    )?;
    let mut engine = args.engine.clone();
    engine.out.get_or_insert_with(|| args.dir.join("report"));
    execute(&RunArgs {
        portfolio,
        options: Some(options),
        prices: Some(prices),
        server: None,
        timeout_ms: 5_000,
        normalize: false,
        engine,
    })
}
