//! Lab 06 — The GPU: data-parallel kernels, the cost of moving data, and the memory wall.
//!
//! Compute kernels written in WGSL and run through `wgpu` (Vulkan, Metal or DX12; on a
//! machine without a GPU, Mesa's software Vulkan driver, lavapipe):
//!
//! * [`device`]: find an adapter, open it, report what it is and what it allows (task 1);
//! * [`transfer`]: `y = a·x + y` on the GPU timed in parts, against rayon (task 2);
//! * [`search`]: nearest neighbours by cosine similarity, a tiled matrix product (task 3);
//! * [`mc`]: European options by Monte Carlo with a counter-based generator (task 4);
//! * [`wall`]: a search too large for the device, cut into chunks (task 5);
//! * [`gpu`]: given helpers (buffers, pipelines, dispatches, read-back).

pub mod device;
pub mod gpu;
pub mod mc;
pub mod search;
pub mod transfer;
pub mod wall;

pub use device::{Gpu, GpuOptions};

/// Everything that can go wrong between the host and the device, each naming the problem.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuError {
    /// No adapter matched: none installed, or the options excluded every one.
    NoAdapter {
        /// What was asked for (backends, adapter name).
        asked: String,
        /// The adapters that were found, if any (name and backend).
        found: Vec<String>,
    },
    /// The adapter would not give a device (limits, driver).
    Device(String),
    /// A WGSL kernel did not compile or validate.
    Shader(String),
    /// A request larger than the device allows, found before any work started.
    TooLarge {
        /// What did not fit.
        what: String,
        /// Bytes it needs.
        bytes: u64,
        /// The device's largest buffer (binding) in bytes.
        max: u64,
    },
    /// The input itself is wrong (shapes, sizes).
    Input(String),
    /// Waiting for the device, or mapping a buffer, failed.
    Device2Host(String),
}

impl std::fmt::Display for GpuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GpuError::NoAdapter { asked, found } => {
                write!(f, "no GPU adapter for {asked}")?;
                if found.is_empty() {
                    write!(
                        f,
                        " (none found: install a Vulkan driver; on Linux without a GPU, \
                         Mesa's software driver: `apt-get install mesa-vulkan-drivers`)"
                    )
                } else {
                    write!(f, " (found: {})", found.join("; "))
                }
            }
            GpuError::Device(e) => write!(f, "cannot open the GPU device: {e}"),
            GpuError::Shader(e) => write!(f, "the WGSL kernel does not compile: {e}"),
            GpuError::TooLarge { what, bytes, max } => write!(
                f,
                "{what} needs {bytes} bytes ({:.2} GiB), more than the device's largest buffer \
                 of {max} bytes ({:.2} GiB)",
                *bytes as f64 / GIB,
                *max as f64 / GIB
            ),
            GpuError::Input(e) => write!(f, "invalid input: {e}"),
            GpuError::Device2Host(e) => write!(f, "reading from the device failed: {e}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
