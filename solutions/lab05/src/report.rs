//! The outputs: `report.json` (the schema below), `report.md`, `timings.json` and the SVG
//! plots. **Given code.**
//!
//! `report.json` holds results only, never timings or paths that change between runs, so
//! that the same inputs and seed give a byte-identical file for every thread count; the
//! timings go to `timings.json`. Every file is first written under a temporary name and
//! renamed when all are written, `report.json` last: a failed run leaves no report.json.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde::Serialize;

use crate::error::EngineError;

/// The schema's name and version, the first field of report.json.
pub const SCHEMA: &str = "parlab.risk-engine.report/1";

/// `report.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// What was asked.
    pub inputs: Inputs,
    /// The portfolio at the last date.
    pub portfolio: PortfolioSection,
    /// Statistics of the daily log returns.
    pub returns: ReturnsSection,
    /// Historical VaR and ES.
    pub historical: RiskSection,
    /// Parametric (normal, zero-mean) VaR and ES, a cross-check from `finance::risk`.
    pub parametric: RiskSection,
    /// Monte Carlo VaR and ES.
    pub monte_carlo: MonteCarloSection,
    /// The options book (empty without `--options`).
    pub options: OptionsSection,
    /// Bootstrap interval of the Sharpe ratio.
    pub sharpe: SharpeSection,
}

/// `inputs`: the settings that determine the results.
#[derive(Clone, Debug, Serialize)]
pub struct Inputs {
    /// The portfolio file's name (without its folder).
    pub portfolio_file: String,
    /// The book file's name, if any.
    pub options_file: Option<String>,
    /// `"folder"` or `"server"`.
    pub source: &'static str,
    /// First and last date of the history, `yyyy-mm-dd`.
    pub first_date: String,
    /// Last date.
    pub last_date: String,
    /// Number of dates.
    pub days: usize,
    /// Master seed.
    pub seed: u64,
    /// Confidence of VaR and ES.
    pub confidence: f64,
    /// Horizon, trading days.
    pub horizon_days: u32,
    /// Monte Carlo scenarios.
    pub scenarios: u64,
    /// Bootstrap resamples asked for.
    pub bootstrap_resamples: usize,
    /// Monte Carlo paths per Asian option.
    pub option_paths: u64,
    /// Risk-free rate.
    pub rate: f64,
}

/// `portfolio`.
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioSection {
    /// Value at the last date.
    pub value: f64,
    /// The positions, in file order.
    pub positions: Vec<PositionRow>,
}

/// One position.
#[derive(Clone, Debug, Serialize)]
pub struct PositionRow {
    /// Ticker.
    pub ticker: String,
    /// Weight (fractions summing to 1).
    pub weight: f64,
    /// Close at the last date.
    pub last_price: f64,
    /// Annualised volatility of its log returns.
    pub annual_vol: f64,
}

/// `returns`.
#[derive(Clone, Debug, Serialize)]
pub struct ReturnsSection {
    /// Number of daily returns (days - 1).
    pub observations: usize,
    /// Mean daily log return per ticker.
    pub mean_daily: Vec<f64>,
    /// Covariance of the daily log returns, row by row, tickers in portfolio order.
    pub covariance: Vec<Vec<f64>>,
    /// Correlation matrix.
    pub correlation: Vec<Vec<f64>>,
}

/// VaR and ES as fractions of the value and as amounts.
#[derive(Clone, Debug, Serialize)]
pub struct RiskSection {
    /// VaR, fraction of the value (positive = a loss).
    pub var: f64,
    /// ES, fraction of the value.
    pub es: f64,
    /// VaR × value.
    pub var_amount: f64,
    /// ES × value.
    pub es_amount: f64,
}

/// `monte_carlo`.
#[derive(Clone, Debug, Serialize)]
pub struct MonteCarloSection {
    /// VaR and ES.
    #[serde(flatten)]
    pub risk: RiskSection,
    /// Mean P&L fraction over the horizon.
    pub mean: f64,
    /// Its standard deviation.
    pub std_dev: f64,
    /// Worst scenario.
    pub min: f64,
    /// Best scenario.
    pub max: f64,
    /// Bound on the quantile's error (0: exact).
    pub quantile_error_bound: f64,
    /// Passes over the scenarios (counting and collecting).
    pub passes: u32,
    /// A coarse histogram of the P&L fractions.
    pub histogram: HistogramSection,
}

/// A histogram: `counts.len()` equal bins from `lo` to `hi`.
#[derive(Clone, Debug, Serialize)]
pub struct HistogramSection {
    /// Left edge.
    pub lo: f64,
    /// Right edge.
    pub hi: f64,
    /// Counts.
    pub counts: Vec<u64>,
}

/// `options`.
#[derive(Clone, Debug, Serialize)]
pub struct OptionsSection {
    /// Σ value.
    pub total_value: f64,
    /// One row per option, in book order.
    pub positions: Vec<OptionRow>,
}

/// One option.
#[derive(Clone, Debug, Serialize)]
pub struct OptionRow {
    /// Position in the book, from 0.
    pub index: usize,
    /// Underlying.
    pub ticker: String,
    /// `"european"`, `"asian"`, `"barrier"`.
    pub style: &'static str,
    /// `"closed-form"` or `"monte-carlo"`.
    pub method: &'static str,
    /// Unit price.
    pub price: f64,
    /// Standard error (0 for closed forms).
    pub std_error: f64,
    /// Quantity held.
    pub quantity: f64,
    /// price × quantity.
    pub value: f64,
}

/// `sharpe`.
#[derive(Clone, Debug, Serialize)]
pub struct SharpeSection {
    /// Annualised Sharpe ratio of the daily portfolio returns.
    pub estimate: f64,
    /// Lower end of the percentile interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Coverage.
    pub level: f64,
    /// Resamples used.
    pub resamples: usize,
}

/// `timings.json`: how long each stage took (not part of report.json: it changes every run).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    /// Threads of the run.
    pub threads: usize,
    /// Stages in order.
    pub stages: Vec<Stage>,
    /// Sum of the stages.
    pub total_seconds: f64,
    /// Peak resident memory of the process so far, MiB (`VmHWM`).
    pub peak_rss_mib: f64,
    /// The memory estimate checked against `--max-memory`, MiB.
    pub estimated_mib: u64,
    /// `--scaling`: the Monte Carlo stage on 1..=threads threads.
    pub scaling: Vec<ScalingPoint>,
}

/// One timed stage, with what bounds it, measured: the CPU time the process used during the
/// stage against the CPU time its threads could have used (lab02's task 7).
#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    /// Its name.
    pub name: &'static str,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// CPU seconds the whole process used during the stage (every thread, user and kernel).
    pub cpu_seconds: f64,
    /// The threads the engine gave the stage (1 for a stage on the calling thread).
    pub threads: usize,
    /// `cpu_seconds / (seconds × threads)`: the fraction of its threads' time spent on a CPU.
    pub busy: f64,
    /// What bounds it ([`bound_of`]): `"io"`, `"mixed"`, `"cpu"`, or `"short"`
    /// when the stage took less than [`MIN_CLASSIFIED_SECONDS`].
    pub bound: &'static str,
}

/// Below this wall time a stage is `"short"`: a thread's first page faults or one
/// scheduler tick then decide its label, not the stage's work.
pub const MIN_CLASSIFIED_SECONDS: f64 = 1e-3;

impl Stage {
    /// The stage `name` that took `wall` and `cpu` on `threads` threads (0 counts as 1),
    /// classified by [`bound_of`].
    pub fn measured(
        name: &'static str,
        wall: std::time::Duration,
        cpu: std::time::Duration,
        threads: usize,
    ) -> Self {
        let threads = threads.max(1);
        let seconds = wall.as_secs_f64();
        let cpu_seconds = cpu.as_secs_f64();
        let busy = if seconds > 0.0 {
            cpu_seconds / (seconds * threads as f64)
        } else {
            0.0
        };
        Self {
            name,
            seconds,
            cpu_seconds,
            threads,
            busy,
            bound: bound_of(wall, cpu, threads),
        }
    }
}

/// What bounds a stage that took `wall` and `cpu` on `threads` threads, by the rule of
/// lab02's `classify`, compared exactly in nanoseconds: with `busy = cpu / (wall × threads)`,
/// `"io"` below 1/4 (the threads mostly wait), `"cpu"` from 3/4 (they mostly compute),
/// `"mixed"` between: partly waiting, or using only some of its threads (a sequential part),
/// or CPU-bound threads queued for cores on a busy machine. `"short"` below
/// [`MIN_CLASSIFIED_SECONDS`].
pub fn bound_of(
    wall: std::time::Duration,
    cpu: std::time::Duration,
    threads: usize,
) -> &'static str {
    if wall.as_secs_f64() < MIN_CLASSIFIED_SECONDS {
        return "short";
    }
    let cpu4 = 4 * cpu.as_nanos();
    let capacity = wall.as_nanos().saturating_mul(threads.max(1) as u128);
    if cpu4 < capacity {
        "io"
    } else if cpu4 >= capacity.saturating_mul(3) {
        "cpu"
    } else {
        "mixed"
    }
}

/// One point of the scaling curve.
#[derive(Clone, Debug, Serialize)]
pub struct ScalingPoint {
    /// Threads.
    pub threads: usize,
    /// Seconds.
    pub seconds: f64,
    /// Speedup over 1 thread.
    pub speedup: f64,
}

fn output_error(file: &Path, e: impl std::fmt::Display) -> EngineError {
    EngineError::Output {
        file: file.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes the outputs into `dir` (created if needed): report.json, report.md, timings.json,
/// pnl.svg and, with a scaling curve, scaling.svg. Temporary names first, then renames,
/// report.json last. Returns the paths written.
///
/// # Errors
/// [`EngineError::Output`] if a file cannot be written.
pub fn write_outputs(
    dir: &Path,
    report: &Report,
    timings: &Timings,
) -> Result<Vec<PathBuf>, EngineError> {
    std::fs::create_dir_all(dir).map_err(|e| output_error(dir, e))?;
    let tmp = |name: &str| dir.join(format!(".{name}.tmp"));
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let stage = |staged: &mut Vec<(PathBuf, PathBuf)>,
                 name: &str,
                 bytes: Vec<u8>|
     -> Result<(), EngineError> {
        let t = tmp(name);
        std::fs::write(&t, bytes).map_err(|e| output_error(&t, e))?;
        staged.push((t, dir.join(name)));
        Ok(())
    };
    let json = |v: &dyn erased::Json| v.to_pretty();
    stage(
        &mut staged,
        "report.md",
        markdown(report, timings).into_bytes(),
    )?;
    stage(&mut staged, "timings.json", json(timings))?;
    let pnl = tmp("pnl.svg");
    plot_pnl(report, &pnl).map_err(|e| output_error(&pnl, e))?;
    staged.push((pnl, dir.join("pnl.svg")));
    if !timings.scaling.is_empty() {
        let s = tmp("scaling.svg");
        plot_scaling(&timings.scaling, &s).map_err(|e| output_error(&s, e))?;
        staged.push((s, dir.join("scaling.svg")));
    }
    // report.json last: its presence says that the run completed.
    stage(&mut staged, "report.json", json(report))?;
    let mut written = Vec::new();
    for (from, to) in staged {
        std::fs::rename(&from, &to).map_err(|e| output_error(&to, e))?;
        written.push(to);
    }
    Ok(written)
}

/// serde_json to pretty bytes with a final newline, for any of the two documents.
mod erased {
    pub trait Json {
        fn to_pretty(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_pretty(&self) -> Vec<u8> {
            // Serialising these plain structs cannot fail (no maps with non-string keys).
            let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
            v.push(b'\n');
            v
        }
    }
}

/// report.md: the report for people.
pub fn markdown(r: &Report, t: &Timings) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let pct = |x: f64| format!("{:.3}%", 100.0 * x);
    let money = |x: f64| format!("{x:.2}");
    let i = &r.inputs;
    let _ = writeln!(s, "# Risk report\n");
    let _ = writeln!(
        s,
        "Portfolio `{}` of {} positions worth **{}**, history {} to {} ({} days). \
         Confidence {}, horizon {} day(s), seed {}.\n",
        i.portfolio_file,
        r.portfolio.positions.len(),
        money(r.portfolio.value),
        i.first_date,
        i.last_date,
        i.days,
        i.confidence,
        i.horizon_days,
        i.seed
    );
    let _ = writeln!(s, "## Value at risk and expected shortfall\n");
    let _ = writeln!(
        s,
        "| method | VaR | ES | VaR amount | ES amount |\n|---|---:|---:|---:|---:|"
    );
    for (name, x) in [
        ("historical", &r.historical),
        ("parametric (normal)", &r.parametric),
        ("Monte Carlo", &r.monte_carlo.risk),
    ] {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} |",
            pct(x.var),
            pct(x.es),
            money(x.var_amount),
            money(x.es_amount)
        );
    }
    let mc = &r.monte_carlo;
    let _ = writeln!(
        s,
        "\nMonte Carlo: {} scenarios in {} passes, P&L mean {} and standard deviation {}, \
         worst {}; quantile error bound {} (0 = exact). The P&L distribution is in `pnl.svg`.\n",
        i.scenarios,
        mc.passes,
        pct(mc.mean),
        pct(mc.std_dev),
        pct(mc.min),
        mc.quantile_error_bound
    );
    let _ = writeln!(
        s,
        "## Positions\n\n| ticker | weight | last price | annual vol |\n|---|---:|---:|---:|"
    );
    for p in &r.portfolio.positions {
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {} |",
            p.ticker,
            pct(p.weight),
            p.last_price,
            pct(p.annual_vol)
        );
    }
    let o = &r.options;
    let _ = writeln!(s, "\n## Options book\n");
    if o.positions.is_empty() {
        let _ = writeln!(s, "No options book.");
    } else {
        let count = |m: &str| o.positions.iter().filter(|p| p.method == m).count();
        let _ = writeln!(
            s,
            "{} options worth **{}**: {} in closed form, {} by Monte Carlo.",
            o.positions.len(),
            money(o.total_value),
            count("closed-form"),
            count("monte-carlo")
        );
    }
    let sh = &r.sharpe;
    let _ = writeln!(
        s,
        "\n## Sharpe ratio\n\nAnnualised {:.3}, {:.0}% bootstrap interval [{:.3}, {:.3}] ({} resamples).",
        sh.estimate,
        100.0 * sh.level,
        sh.lo,
        sh.hi,
        sh.resamples
    );
    let _ = writeln!(
        s,
        "\n## Run\n\n{} thread(s), {:.3} s, peak memory {:.1} MiB.\n\n| stage | bound (measured) | threads | busy | CPU seconds | seconds |\n|---|---|---:|---:|---:|---:|",
        t.threads, t.total_seconds, t.peak_rss_mib
    );
    for st in &t.stages {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {:.4} | {:.4} |",
            st.name, st.bound, st.threads, st.busy, st.cpu_seconds, st.seconds
        );
    }
    s
}

/// pnl.svg: the coarse P&L histogram with the Monte Carlo VaR and ES marked.
fn plot_pnl(r: &Report, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let h = &r.monte_carlo.histogram;
    let n = h.counts.len().max(1);
    let width = (h.hi - h.lo) / n as f64;
    let top = h.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let var_x = -r.monte_carlo.risk.var;
    let es_x = -r.monte_carlo.risk.es;
    let x_lo = h.lo.min(es_x) - width;
    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Monte Carlo P&L over the horizon (fraction of value)",
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x_lo..h.hi, 0.0..top * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("P&L")
        .y_desc("scenarios")
        .draw()?;
    chart.draw_series(h.counts.iter().enumerate().map(|(i, &c)| {
        let x0 = h.lo + i as f64 * width;
        Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], BLUE.mix(0.5).filled())
    }))?;
    for (x, color, label) in [(var_x, RED, "VaR"), (es_x, BLACK, "ES")] {
        chart
            .draw_series(LineSeries::new(
                [(x, 0.0), (x, top * 1.05)],
                color.stroke_width(2),
            ))?
            .label(format!("-{label} = {x:.4}"))
            .legend(move |(a, b)| PathElement::new([(a, b), (a + 20, b)], color));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}

/// scaling.svg: measured speedup against threads, with the ideal line.
fn plot_scaling(points: &[ScalingPoint], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let max_t = points.iter().map(|p| p.threads).max().unwrap_or(1) as f64;
    let max_s = points.iter().map(|p| p.speedup).fold(max_t, f64::max);
    let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Monte Carlo stage: speedup", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.5..max_t + 0.5, 0.0..max_s * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("threads")
        .y_desc("speedup")
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            [(1.0, 1.0), (max_t, max_t)],
            BLACK.stroke_width(1),
        ))?
        .label("ideal")
        .legend(|(a, b)| PathElement::new([(a, b), (a + 20, b)], BLACK));
    let pts: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.threads as f64, p.speedup))
        .collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), RED.stroke_width(2)))?
        .label("measured")
        .legend(|(a, b)| PathElement::new([(a, b), (a + 20, b)], RED));
    chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, RED.filled())))?;
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_stage_is_labelled_by_the_share_of_its_threads_time_on_a_cpu() {
        let ms = Duration::from_millis;
        // 2 threads for 100 ms could use 200 ms of CPU.
        assert_eq!(Stage::measured("wait", ms(100), ms(49), 2).bound, "io");
        assert_eq!(Stage::measured("half", ms(100), ms(50), 2).bound, "mixed");
        assert_eq!(Stage::measured("half", ms(100), ms(149), 2).bound, "mixed");
        assert_eq!(Stage::measured("work", ms(100), ms(150), 2).bound, "cpu");
        let s = Stage::measured("work", ms(100), ms(190), 2);
        assert!((s.busy - 0.95).abs() < 1e-12, "{}", s.busy);
        assert_eq!((s.threads, s.cpu_seconds), (2, 0.19));
        // 0 threads counts as 1; a stage too short to tell is "short" whatever its CPU.
        assert_eq!(Stage::measured("one", ms(10), ms(10), 0).threads, 1);
        assert_eq!(
            Stage::measured("tiny", Duration::from_micros(400), ms(0), 1).bound,
            "short"
        );
        assert_eq!(
            Stage::measured("none", Duration::ZERO, Duration::ZERO, 1).busy,
            0.0
        );
    }
}
