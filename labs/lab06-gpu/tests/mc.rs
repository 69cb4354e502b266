//! Task 4: Philox on both sides, and a European option priced on the GPU.

use finance::bs::{self, Contract};
use finance::philox;
use lab06::Gpu;
use lab06::mc::{self, Launch};

#[test]
fn philox_on_the_gpu_equals_finance_philox_exactly() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let (seed, n) = (0x0123_4567_89ab_cdef_u64, 1000);
    let got = mc::philox_gpu(&gpu, seed, n, &Launch::default()).unwrap();
    let key = philox::key_of(seed);
    let want: Vec<[u32; 4]> = (0..n)
        .map(|i| philox::philox4x32_10([i, 0, 0, 0], key))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn gpu_call_price_agrees_with_black_scholes_within_four_standard_errors() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let c = Contract::call(100.0, 105.0, 0.03, 0.25, 1.0);
    let payoffs = mc::european_payoffs_gpu(&gpu, &c, 1 << 18, 7, &Launch::default()).unwrap();
    let e = mc::estimate(&payoffs).unwrap();
    let exact = bs::price(&c);
    assert!(
        (e.price - exact).abs() < 4.0 * e.std_error,
        "GPU {} ± {} vs Black-Scholes {exact}",
        e.price,
        e.std_error
    );
    let cpu = mc::estimate(&mc::european_payoffs_cpu(&c, 1 << 18, 7).unwrap()).unwrap();
    assert!((cpu.price - exact).abs() < 4.0 * cpu.std_error);
}

#[test]
fn gpu_payoffs_do_not_depend_on_the_workgroup_size_or_the_dispatch_shape() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let c = Contract::put(100.0, 95.0, 0.02, 0.3, 0.5);
    let n = 10_000; // not a multiple of any workgroup size below
    let one = mc::european_payoffs_gpu(&gpu, &c, n, 3, &Launch::default()).unwrap();
    for launch in [
        Launch {
            workgroup_size: 256,
            max_groups_x: 7,
        },
        Launch {
            workgroup_size: 32,
            max_groups_x: 65_535,
        },
    ] {
        let other = mc::european_payoffs_gpu(&gpu, &c, n, 3, &launch).unwrap();
        assert!(
            one.iter()
                .zip(&other)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{launch:?}"
        );
    }
    assert_eq!(
        mc::estimate(&one).unwrap(),
        mc::estimate(&mc::european_payoffs_gpu(&gpu, &c, n, 3, &Launch::default()).unwrap())
            .unwrap()
    );
}
