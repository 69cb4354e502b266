//! The timing program of lab 06, compiled by `cargo xtask grade` in release mode against the
//! student's code and against the reference solution (docs/AUTHORING.md).
//!
//! Workload `search`: nearest neighbours of 1 024 queries among 4 096 vectors of 64
//! components. `seq` is the CPU reference on a rayon pool of 1 thread, `par` the GPU search
//! (upload, tiled product, argmax, download; the kernels compiled once, before timing).
//! Workload `adapter` prints `PARLAB-ADAPTER <hardware|software> <name>` and times nothing:
//! the grader asks the reference program for it and grades the GPU checks only on a hardware
//! adapter. Try it: `cd solutions && cargo run --release -p lab06 --example lab06-timing --
//! search par 2 3`.

use std::hint::black_box;

use lab06::search::{self, GpuSearch, random_vectors};
use lab06::{Gpu, device};
use parlab_harness::{Request, Workload};

fn prepare(req: &Request) -> Option<Workload> {
    let gpu = match Gpu::from_env() {
        Ok(gpu) => gpu,
        Err(e) => {
            println!("PARLAB-ADAPTER none {e}");
            return None;
        }
    };
    match req.workload.as_str() {
        "adapter" => {
            println!(
                "PARLAB-ADAPTER {} {}",
                device::kind(&gpu.info),
                gpu.info.name
            );
            Some(Box::new(|| {}))
        }
        "search" => {
            let (m, q, dim) = (4096, 1024, 64);
            let existing = random_vectors(m, dim, 1);
            let queries = random_vectors(q, dim, 2);
            if req.is_sequential() {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("cannot build a rayon thread pool");
                Some(Box::new(move || {
                    pool.install(|| {
                        black_box(search::nearest_cpu(&existing, &queries, dim).ok());
                    })
                }))
            } else {
                let s = GpuSearch::new(&gpu, &existing, dim).ok()?;
                Some(Box::new(move || {
                    black_box(s.chunk(&gpu, &queries).ok());
                }))
            }
        }
        _ => None,
    }
}

fn main() {
    parlab_harness::main(prepare);
}
