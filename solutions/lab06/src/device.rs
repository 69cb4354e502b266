//! Task 1: find the device. List the adapters, choose one, open it, and say what it is.
//!
//! An *adapter* is one GPU (or software renderer) seen through one backend: the same card may
//! appear twice, through Vulkan and through OpenGL. Opening it gives a `Device` (to create
//! buffers and kernels) and a `Queue` (to submit work to it).

use wgpu::{AdapterInfo, Backends, DeviceType};

use crate::GpuError;

/// Which adapters to consider.
#[derive(Clone, Debug)]
pub struct GpuOptions {
    /// Backends to look on (Vulkan, Metal, DX12). `Backends::empty()` finds nothing.
    pub backends: Backends,
    /// Only adapters whose name contains this text (case-insensitive), if set.
    pub name: Option<String>,
}

impl Default for GpuOptions {
    /// Every primary backend (Vulkan, Metal, DX12), any name.
    fn default() -> Self {
        GpuOptions {
            backends: Backends::PRIMARY,
            name: None,
        }
    }
}

impl GpuOptions {
    /// The defaults, overridden by wgpu's own variables: `WGPU_BACKEND` (`vulkan`, `metal`,
    /// `dx12`, comma-separated) and `WGPU_ADAPTER_NAME` (part of an adapter's name).
    pub fn from_env() -> Self {
        GpuOptions {
            backends: Backends::from_env().unwrap_or(Backends::PRIMARY),
            name: std::env::var("WGPU_ADAPTER_NAME")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }
}

/// An open device: what every kernel of this lab runs on.
pub struct Gpu {
    /// The adapter's name, type, backend and driver.
    pub info: AdapterInfo,
    /// The limits the device was opened with: the adapter's own (the most it allows).
    pub limits: wgpu::Limits,
    /// Creates buffers, kernels and command encoders.
    pub device: wgpu::Device,
    /// Takes work to the device.
    pub queue: wgpu::Queue,
}

/// True for a real GPU (discrete, integrated or virtualised), false for a renderer that runs
/// on the CPU (lavapipe, llvmpipe, WARP) or an unknown type.
pub fn is_hardware(info: &AdapterInfo) -> bool {
    matches!(
        info.device_type,
        DeviceType::DiscreteGpu | DeviceType::IntegratedGpu | DeviceType::VirtualGpu
    )
}

/// `"hardware"` or `"software"`, as every output of the lab prints it.
pub fn kind(info: &AdapterInfo) -> &'static str {
    if is_hardware(info) {
        "hardware"
    } else {
        "software"
    }
}

/// The index of the adapter to use, or `None` if `infos` is empty: the first discrete GPU,
/// else the first integrated, else the first virtual, else the first of any other type (a
/// software renderer). Among equals the first in the list wins.
pub fn choose(infos: &[AdapterInfo]) -> Option<usize> {
    // BEGIN SOLUTION
    let rank = |t: DeviceType| match t {
        DeviceType::DiscreteGpu => 0,
        DeviceType::IntegratedGpu => 1,
        DeviceType::VirtualGpu => 2,
        _ => 3,
    };
    (0..infos.len()).min_by_key(|&i| (rank(infos[i].device_type), i))
    // END SOLUTION todo!("choose among {} adapters: discrete, then integrated, then virtual, then any; the first among equals", infos.len())
}

/// Every adapter on `options.backends` whose name matches `options.name`.
pub fn list_adapters(options: &GpuOptions) -> Vec<AdapterInfo> {
    adapters(options)
        .into_iter()
        .map(|a| a.get_info())
        .collect()
}

fn instance(options: &GpuOptions) -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = options.backends;
    wgpu::Instance::new(desc)
}

fn adapters(options: &GpuOptions) -> Vec<wgpu::Adapter> {
    let all = pollster::block_on(instance(options).enumerate_adapters(options.backends));
    all.into_iter()
        .filter(|a| {
            options
                .name
                .as_ref()
                .is_none_or(|n| a.get_info().name.to_lowercase().contains(&n.to_lowercase()))
        })
        .collect()
}

impl Gpu {
    /// Opens the adapter that [`choose`] picks among [`list_adapters`], with the adapter's
    /// own limits (not wgpu's conservative defaults: the largest buffer is the hardware's).
    ///
    /// No adapter is [`GpuError::NoAdapter`], naming what was asked for and what was found;
    /// a device the adapter refuses is [`GpuError::Device`]. Never a panic.
    pub fn open(options: &GpuOptions) -> Result<Gpu, GpuError> {
        // BEGIN SOLUTION
        let adapters = adapters(options);
        let infos: Vec<AdapterInfo> = adapters.iter().map(|a| a.get_info()).collect();
        let Some(i) = choose(&infos) else {
            let everything = list_adapters(&GpuOptions {
                name: None,
                ..options.clone()
            });
            return Err(GpuError::NoAdapter {
                asked: format!(
                    "backends {:?}{}",
                    options.backends,
                    options
                        .name
                        .as_ref()
                        .map(|n| format!(" named like {n:?}"))
                        .unwrap_or_default()
                ),
                found: everything
                    .iter()
                    .map(|a| format!("{} ({:?})", a.name, a.backend))
                    .collect(),
            });
        };
        let adapter = &adapters[i];
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("lab06"),
            required_features: wgpu::Features::empty(),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::Device(format!("{}: {e}", infos[i].name)))?;
        Ok(Gpu {
            info: infos[i].clone(),
            limits,
            device,
            queue,
        })
        // END SOLUTION todo!("open a device: list the adapters, choose one, request a device with the adapter's own limits; {options:?}")
    }

    /// Opens a device with [`GpuOptions::from_env`].
    pub fn from_env() -> Result<Gpu, GpuError> {
        Gpu::open(&GpuOptions::from_env())
    }

    /// The largest buffer a kernel can bind as storage: the smaller of the device's largest
    /// buffer and its largest storage binding, in bytes.
    pub fn max_binding(&self) -> u64 {
        self.limits
            .max_buffer_size
            .min(self.limits.max_storage_buffer_binding_size)
    }

    /// One line, and the limits this lab depends on: name, hardware or software, device
    /// type, backend, driver; the largest buffer and storage binding (bytes and GiB), the
    /// largest workgroup (x and invocations) and its shared memory, the most workgroups per
    /// dimension. Every example prints it first.
    ///
    /// It starts `adapter: <name> (<hardware|software>, ...)` and names each limit by its
    /// wgpu field name (`max_buffer_size = 268435456`, ...).
    pub fn summary(&self) -> String {
        // BEGIN SOLUTION
        let i = &self.info;
        let l = &self.limits;
        let gib = |b: u64| b as f64 / crate::GIB;
        format!(
            "adapter: {} ({}, {:?}, {:?}, driver {} {})\n\
             max_buffer_size = {} ({:.2} GiB)\n\
             max_storage_buffer_binding_size = {} ({:.2} GiB)\n\
             max_compute_workgroup_size_x = {}\n\
             max_compute_invocations_per_workgroup = {}\n\
             max_compute_workgroup_storage_size = {}\n\
             max_compute_workgroups_per_dimension = {}",
            i.name,
            kind(i),
            i.device_type,
            i.backend,
            i.driver,
            i.driver_info,
            l.max_buffer_size,
            gib(l.max_buffer_size),
            l.max_storage_buffer_binding_size,
            gib(l.max_storage_buffer_binding_size),
            l.max_compute_workgroup_size_x,
            l.max_compute_invocations_per_workgroup,
            l.max_compute_workgroup_storage_size,
            l.max_compute_workgroups_per_dimension,
        )
        // END SOLUTION todo!("describe the adapter ({}) and its limits", self.info.name)
    }
}
