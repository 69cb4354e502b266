//! Task 1: choosing an adapter, a clear error without one, the summary.

use lab06::device::{self, GpuOptions};
use lab06::{Gpu, GpuError};
use wgpu::{AdapterInfo, Backend, DeviceType};

fn info(name: &str, device_type: DeviceType) -> AdapterInfo {
    AdapterInfo {
        name: name.into(),
        device_type,
        backend: Backend::Vulkan,
        ..lavapipe_like()
    }
}

/// An `AdapterInfo` with every field set (wgpu adds fields over time; tests copy this one).
fn lavapipe_like() -> AdapterInfo {
    Gpu::from_env().expect("these tests need an adapter").info
}

#[test]
fn choose_prefers_discrete_then_integrated_then_virtual_then_software() {
    let all = [
        info("cpu", DeviceType::Cpu),
        info("virtual", DeviceType::VirtualGpu),
        info("integrated", DeviceType::IntegratedGpu),
        info("discrete", DeviceType::DiscreteGpu),
    ];
    assert_eq!(device::choose(&all), Some(3));
    assert_eq!(device::choose(&all[..3]), Some(2));
    assert_eq!(device::choose(&all[..2]), Some(1));
    assert_eq!(device::choose(&all[..1]), Some(0));
    assert_eq!(device::choose(&[]), None);
}

#[test]
fn no_adapter_is_a_clear_error_not_a_panic() {
    let options = GpuOptions {
        name: Some("no adapter is called this".into()),
        ..GpuOptions::from_env()
    };
    match Gpu::open(&options) {
        Err(e @ GpuError::NoAdapter { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("no adapter is called this"), "{msg}");
        }
        Err(e) => panic!("expected NoAdapter, got {e:?}"),
        Ok(gpu) => panic!("found {}", gpu.info.name),
    }
    let none = GpuOptions {
        backends: wgpu::Backends::empty(),
        name: None,
    };
    assert!(matches!(Gpu::open(&none), Err(GpuError::NoAdapter { .. })));
}

#[test]
fn summary_names_the_adapter_its_kind_and_its_limits() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let s = gpu.summary();
    println!("{s}");
    assert!(
        s.starts_with(&format!("adapter: {} (", gpu.info.name)),
        "{s}"
    );
    assert!(s.contains(device::kind(&gpu.info)), "{s}");
    for (name, value) in [
        ("max_buffer_size", gpu.limits.max_buffer_size),
        (
            "max_storage_buffer_binding_size",
            gpu.limits.max_storage_buffer_binding_size,
        ),
        (
            "max_compute_workgroup_storage_size",
            u64::from(gpu.limits.max_compute_workgroup_storage_size),
        ),
    ] {
        assert!(s.contains(&format!("{name} = {value}")), "{name} in {s}");
    }
    // The device was opened with the adapter's own limits, not wgpu's defaults.
    assert_eq!(
        gpu.limits.max_buffer_size,
        gpu.device.limits().max_buffer_size
    );
}
