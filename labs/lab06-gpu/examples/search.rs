//! Tasks 3 and 5: the nearest-neighbour search on the CPU and the GPU, and the notes' 37 GiB
//! search planned in chunks: `cargo run --release -p lab06 --example search`.

use lab06::search::{self, random_vectors};
use lab06::{GIB, Gpu, wall};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gpu = Gpu::from_env()?;
    println!("{}", gpu.summary());
    let (m, q, dim) = (8192, 2048, 64);
    let existing = random_vectors(m, dim, 1);
    let queries = random_vectors(q, dim, 2);
    let (cpu, t_cpu) = finance::timing::time(|| search::nearest_cpu(&existing, &queries, dim));
    let (gpu_res, t_gpu) =
        finance::timing::time(|| search::nearest_gpu(&gpu, &existing, &queries, dim));
    let (cpu, gpu_res) = (cpu?, gpu_res?);
    let same = cpu
        .iter()
        .zip(&gpu_res)
        .filter(|(a, b)| a.index == b.index)
        .count();
    println!(
        "search {q} x {m} x {dim}: CPU (rayon, {} threads) {:.1} ms, GPU {:.1} ms (upload, kernels, download); {same} of {q} indices equal",
        rayon::current_num_threads(),
        t_cpu.as_secs_f64() * 1e3,
        t_gpu.as_secs_f64() * 1e3
    );
    let p = wall::plan(gpu.max_binding(), 100_000, 100_000, 128, None)?;
    println!(
        "the notes' search, 100000 x 100000 x 128: a {:.2} GiB product; {} chunks of {} queries, {:.3} GiB on the device at a time",
        p.product_bytes as f64 / GIB,
        p.chunks,
        p.rows_per_chunk,
        p.device_bytes as f64 / GIB
    );
    match wall::plan(
        gpu.max_binding(),
        100_000,
        100_000,
        128,
        Some(p.product_bytes),
    ) {
        Err(e) => println!("unchunked: {e}"),
        Ok(_) => println!("unchunked: this device takes the whole product in one buffer"),
    }
    Ok(())
}
