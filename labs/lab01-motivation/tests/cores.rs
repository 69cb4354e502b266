//! Task 2: logical and physical cores, from the text of `/proc/cpuinfo`.
//!
//! Run: `cargo test -p lab01 --test cores`. The parser is tested on sample texts, so these
//! tests give the same answer on every machine, with or without hyper-threading.

use lab01::{cores, physical_cores_from_cpuinfo};

/// One `/proc/cpuinfo` entry as an x86 Linux kernel writes it (abridged), for logical
/// processor `processor` on socket `socket`, core `core`.
fn entry(processor: usize, socket: u32, core: u32, siblings: usize, cores: usize) -> String {
    format!(
        "processor\t: {processor}\n\
         vendor_id\t: GenuineIntel\n\
         cpu family\t: 6\n\
         model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n\
         cpu MHz\t\t: 2394.454\n\
         cache size\t: 35840 KB\n\
         physical id\t: {socket}\n\
         siblings\t: {siblings}\n\
         core id\t\t: {core}\n\
         cpu cores\t: {cores}\n\
         flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr ht\n\
         address sizes\t: 46 bits physical, 48 bits virtual\n\
         power management:\n\
         \n"
    )
}

/// The whole file for logical processors placed at the given (socket, core) pairs.
fn cpuinfo(placement: &[(u32, u32)], siblings: usize, cores: usize) -> String {
    placement
        .iter()
        .enumerate()
        .map(|(i, &(socket, core))| entry(i, socket, core, siblings, cores))
        .collect()
}

#[test]
fn cpuinfo_without_hyper_threading_counts_every_processor() {
    // One socket, 4 cores, one logical processor per core.
    let text = cpuinfo(&[(0, 0), (0, 1), (0, 2), (0, 3)], 4, 4);
    assert_eq!(physical_cores_from_cpuinfo(&text), Some(4));
}

#[test]
fn cpuinfo_with_hyper_threading_counts_cores_not_processors() {
    // One socket, 4 cores, 2 hyper-threads each: Linux numbers the first thread of every
    // core first (processors 0-3), then the second threads (4-7).
    let text = cpuinfo(
        &[
            (0, 0),
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 0),
            (0, 1),
            (0, 2),
            (0, 3),
        ],
        8,
        4,
    );
    assert_eq!(physical_cores_from_cpuinfo(&text), Some(4));
}

#[test]
fn cpuinfo_core_ids_repeat_on_each_socket() {
    // Two sockets of 2 cores: core ids restart at 0 on socket 1, so they alone undercount.
    let text = cpuinfo(&[(0, 0), (0, 1), (1, 0), (1, 1)], 2, 2);
    assert_eq!(physical_cores_from_cpuinfo(&text), Some(4));
}

#[test]
fn cpuinfo_without_core_ids_is_unknown() {
    // Many ARM kernels list processors without physical or core ids.
    let arm = "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm\n\n\
               processor\t: 1\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm\n\n";
    assert_eq!(physical_cores_from_cpuinfo(arm), None);
    assert_eq!(physical_cores_from_cpuinfo(""), None);
}

#[test]
fn cores_has_at_least_one_physical_and_no_more_than_logical() {
    let c = cores();
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(
        c.logical, available,
        "logical cores are available_parallelism()"
    );
    assert!(
        1 <= c.physical && c.physical <= c.logical,
        "physical {} must lie in 1..={}",
        c.physical,
        c.logical
    );
}
