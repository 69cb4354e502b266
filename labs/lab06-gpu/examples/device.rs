//! Task 1: every adapter wgpu finds, the one the lab chooses, and its limits.
//! `cargo run -p lab06 --example device` (`WGPU_BACKEND=vulkan`, `WGPU_ADAPTER_NAME=...` to choose).

use lab06::Gpu;
use lab06::device::{self, GpuOptions};

fn main() {
    let options = GpuOptions::from_env();
    for info in device::list_adapters(&options) {
        println!(
            "found: {} ({}, {:?}, {:?})",
            info.name,
            device::kind(&info),
            info.device_type,
            info.backend
        );
    }
    match Gpu::open(&options) {
        Ok(gpu) => println!("{}", gpu.summary()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
