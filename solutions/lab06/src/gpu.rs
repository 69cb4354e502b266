//! Helpers for the host side of a kernel: buffers, pipelines, dispatches and read-back.
//!
//! A kernel run is always the same five steps: upload the inputs into device buffers, compile
//! the WGSL kernel into a pipeline, bind the buffers to it, dispatch workgroups, and copy the
//! output back into host memory. These helpers do one step each, so that your code says
//! which steps it takes and in what order (and can time each).
//!
//! Every kernel of the lab binds its buffers in order: binding 0, 1, 2, ... of group 0 are
//! the buffers passed to [`Gpu::bind`], in the order given.

use wgpu::util::DeviceExt;
use wgpu::{Buffer, BufferUsages, ComputePipeline};

use crate::{Gpu, GpuError};

/// Bytes of a slice of `f32`, in the device's order (little-endian on every GPU).
pub fn f32_bytes(xs: &[f32]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Bytes of a slice of `u32`, little-endian.
pub fn u32_bytes(xs: &[u32]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

impl Gpu {
    /// A storage buffer holding `data`, which kernels can read and write and which can be
    /// copied from and to. Refuses a buffer larger than [`Gpu::max_binding`].
    pub fn upload(&self, label: &str, data: &[u8]) -> Result<Buffer, GpuError> {
        self.check_size(label, data.len() as u64)?;
        Ok(self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: data,
                usage: BufferUsages::STORAGE | BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            }))
    }

    /// An uninitialised (zeroed) storage buffer of `bytes` bytes.
    pub fn storage(&self, label: &str, bytes: u64) -> Result<Buffer, GpuError> {
        self.check_size(label, bytes)?;
        Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(4),
            usage: BufferUsages::STORAGE | BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        }))
    }

    /// A small uniform buffer of 32-bit words (sizes, seeds, scalars as bits), padded to 16
    /// bytes as WGSL's uniform layout wants.
    pub fn uniform(&self, label: &str, words: &[u32]) -> Buffer {
        let mut words = words.to_vec();
        while words.is_empty() || !words.len().is_multiple_of(4) {
            words.push(0);
        }
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: &u32_bytes(&words),
                usage: BufferUsages::UNIFORM,
            })
    }

    /// Compiles `entry` of the WGSL source `wgsl`, with pipeline-overridable constants
    /// (`override WG: u32 = 64u;` in WGSL, `&[("WG", 256.0)]` here). A kernel that does not
    /// compile or validate is [`GpuError::Shader`] with the compiler's message, not a panic.
    pub fn pipeline(
        &self,
        wgsl: &str,
        entry: &str,
        constants: &[(&str, f64)],
    ) -> Result<ComputePipeline, GpuError> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(entry),
                source: wgpu::ShaderSource::Wgsl(wgsl.into()),
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module: &module,
                entry_point: Some(entry),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants,
                    zero_initialize_workgroup_memory: true,
                },
                cache: None,
            });
        match pollster::block_on(scope.pop()) {
            Some(e) => Err(GpuError::Shader(format!("{entry}: {e}"))),
            None => Ok(pipeline),
        }
    }

    /// Binds `buffers` to bindings 0, 1, 2, ... of group 0 of `pipeline`.
    pub fn bind(&self, pipeline: &ComputePipeline, buffers: &[&Buffer]) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        })
    }

    /// Submits one dispatch of `groups` = (x, y, z) workgroups. Returns at once: the device
    /// runs it in the background; [`Gpu::wait`] blocks until it is done.
    pub fn dispatch(
        &self,
        pipeline: &ComputePipeline,
        bind_group: &wgpu::BindGroup,
        groups: (u32, u32, u32),
    ) -> Result<(), GpuError> {
        let max = self.limits.max_compute_workgroups_per_dimension;
        if groups.0 > max || groups.1 > max || groups.2 > max {
            return Err(GpuError::Input(format!(
                "a dispatch of {groups:?} workgroups: the device allows at most {max} per dimension"
            )));
        }
        let mut encoder = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, bind_group, &[]);
            pass.dispatch_workgroups(groups.0, groups.1, groups.2);
        }
        self.queue.submit([encoder.finish()]);
        Ok(())
    }

    /// Blocks until everything submitted so far has finished on the device.
    pub fn wait(&self) -> Result<(), GpuError> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Device2Host(e.to_string()))
    }

    /// Copies the first `bytes` bytes of `buffer` back to the host (through a mappable staging
    /// buffer) and waits for them.
    pub fn download(&self, buffer: &Buffer, bytes: u64) -> Result<Vec<u8>, GpuError> {
        let size = bytes.max(4).next_multiple_of(4);
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|e| GpuError::Device2Host(e.to_string()))?
            .map_err(|e| GpuError::Device2Host(e.to_string()))?;
        let view = staging
            .get_mapped_range(..)
            .map_err(|e| GpuError::Device2Host(e.to_string()))?;
        let out = view[..bytes as usize].to_vec();
        drop(view);
        staging.unmap();
        Ok(out)
    }

    /// [`Gpu::download`] of `len` values of `f32`.
    pub fn download_f32(&self, buffer: &Buffer, len: usize) -> Result<Vec<f32>, GpuError> {
        let bytes = self.download(buffer, 4 * len as u64)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// [`Gpu::download`] of `len` values of `u32`.
    pub fn download_u32(&self, buffer: &Buffer, len: usize) -> Result<Vec<u32>, GpuError> {
        let bytes = self.download(buffer, 4 * len as u64)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn check_size(&self, label: &str, bytes: u64) -> Result<(), GpuError> {
        let max = self.max_binding();
        if bytes > max {
            return Err(GpuError::TooLarge {
                what: format!("the buffer {label:?}"),
                bytes,
                max,
            });
        }
        Ok(())
    }
}
