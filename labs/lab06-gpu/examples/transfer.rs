//! Task 2: the transfer curve. `y = a·x + y` at sizes 2^10 .. 2^24 on the CPU (rayon) and the
//! GPU (upload, dispatch, download), the crossover, and the curve as `transfer.svg`:
//! `cargo run --release -p lab06 --example transfer`.

use std::time::Duration;

use lab06::Gpu;
use lab06::search::random_vectors;
use lab06::transfer::{self, Phases, Point};
use plotters::prelude::*;

fn median<T: Copy + Ord>(mut xs: Vec<T>) -> T {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gpu = Gpu::from_env()?;
    println!("{}", gpu.summary());
    let mut points = Vec::new();
    println!("n,cpu_ms,upload_ms,dispatch_ms,download_ms,gpu_total_ms");
    for p in (10..=24).step_by(2) {
        let n = 1usize << p;
        let x = random_vectors(n, 1, 1);
        let y = random_vectors(n, 1, 2);
        let cpu = median(
            (0..5)
                .map(|_| finance::timing::time(|| transfer::scale_add_cpu(2.0, &x, &y)).1)
                .collect(),
        );
        let runs: Vec<Phases> = (0..5)
            .map(|_| transfer::scale_add_gpu(&gpu, 2.0, &x, &y).map(|r| r.1))
            .collect::<Result<_, _>>()?;
        let gpu_phases = *runs.iter().min_by_key(|r| r.total()).expect("five runs");
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{n},{:.3},{:.3},{:.3},{:.3},{:.3}",
            ms(cpu),
            ms(gpu_phases.upload),
            ms(gpu_phases.dispatch),
            ms(gpu_phases.download),
            ms(gpu_phases.total())
        );
        points.push(Point {
            n,
            cpu,
            gpu: gpu_phases,
        });
    }
    match transfer::crossover(&points) {
        Some(n) => println!("the GPU wins from n = {n} on ({})", gpu.info.name),
        None => println!("the GPU never wins here ({})", gpu.info.name),
    }
    plot(&points, &gpu.info.name)?;
    println!("wrote transfer.svg");
    Ok(())
}

/// A curve of the plot: its label, colour, and the time it shows.
type Series = (&'static str, RGBColor, fn(&Point) -> Duration);

fn plot(points: &[Point], adapter: &str) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new("transfer.svg", (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let ms = |d: Duration| (d.as_secs_f64() * 1e3).max(1e-3);
    let top = points
        .iter()
        .map(|p| ms(p.cpu).max(ms(p.gpu.total())))
        .fold(1e-3, f64::max);
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("y = a·x + y, {adapter}"), ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (points[0].n as f64..points[points.len() - 1].n as f64).log_scale(),
            (1e-3..top * 2.0).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("elements")
        .y_desc("ms")
        .draw()?;
    let series: [Series; 4] = [
        ("CPU (rayon)", BLUE, |p| p.cpu),
        ("GPU total", RED, |p| p.gpu.total()),
        ("GPU upload", GREEN, |p| p.gpu.upload),
        ("GPU dispatch", BLACK, |p| p.gpu.dispatch),
    ];
    for (name, color, f) in series {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.n as f64, ms(f(p)))),
                color,
            ))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
    }
    chart.configure_series_labels().border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}
