//! Hidden tests, task 2: cpuinfo texts of real machines.

use lab01::{cores, physical_cores_from_cpuinfo};

/// `/proc/cpuinfo` of a laptop with one Intel i7-8550U (4 cores, 8 threads), as Linux 6.x
/// writes it (flags and bugs abridged): processors 0-3 are the first threads of cores 0-3,
/// processors 4-7 their hyper-thread siblings.
fn laptop_with_hyper_threading() -> String {
    let mut text = String::new();
    for processor in 0..8 {
        let core = processor % 4;
        text.push_str(&format!(
            "processor\t: {processor}\n\
             vendor_id\t: GenuineIntel\n\
             cpu family\t: 6\n\
             model\t\t: 142\n\
             model name\t: Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz\n\
             stepping\t: 10\n\
             microcode\t: 0xf4\n\
             cpu MHz\t\t: 800.047\n\
             cache size\t: 8192 KB\n\
             physical id\t: 0\n\
             siblings\t: 8\n\
             core id\t\t: {core}\n\
             cpu cores\t: 4\n\
             apicid\t\t: {}\n\
             initial apicid\t: {}\n\
             fpu\t\t: yes\n\
             fpu_exception\t: yes\n\
             cpuid level\t: 22\n\
             wp\t\t: yes\n\
             flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov ht\n\
             bugs\t\t: cpu_meltdown spectre_v1 spectre_v2\n\
             bogomips\t: 3999.93\n\
             clflush size\t: 64\n\
             cache_alignment\t: 64\n\
             address sizes\t: 39 bits physical, 48 bits virtual\n\
             power management:\n\
             \n",
            2 * core + processor / 4,
            2 * core + processor / 4,
        ));
    }
    text
}

/// Minimal entries for (socket, core) pairs.
fn entries(placement: &[(u32, u32)]) -> String {
    placement
        .iter()
        .enumerate()
        .map(|(i, (s, c))| format!("processor\t: {i}\nphysical id\t: {s}\ncore id\t\t: {c}\n\n"))
        .collect()
}

#[test]
fn hyper_threaded_laptop_has_4_physical_cores_of_8_logical() {
    assert_eq!(
        physical_cores_from_cpuinfo(&laptop_with_hyper_threading()),
        Some(4)
    );
}

#[test]
fn single_core_with_hyper_threading_is_one_physical_core() {
    assert_eq!(
        physical_cores_from_cpuinfo(&entries(&[(0, 0), (0, 0)])),
        Some(1)
    );
}

#[test]
fn two_sockets_with_hyper_threading() {
    // 2 sockets × 2 cores × 2 threads; core ids need not be contiguous (0 and 4 here).
    let text = entries(&[
        (0, 0),
        (0, 4),
        (1, 0),
        (1, 4),
        (0, 0),
        (0, 4),
        (1, 0),
        (1, 4),
    ]);
    assert_eq!(physical_cores_from_cpuinfo(&text), Some(4));
}

#[test]
fn single_processor_without_hyper_threading() {
    assert_eq!(physical_cores_from_cpuinfo(&entries(&[(0, 0)])), Some(1));
}

#[test]
fn entry_missing_its_core_id_makes_the_count_unknown() {
    // A count from some entries only would be a guess: None, and the caller falls back.
    let text = format!("{}processor\t: 1\nphysical id\t: 0\n\n", entries(&[(0, 0)]));
    assert_eq!(physical_cores_from_cpuinfo(&text), None);
}

#[test]
fn garbage_cpuinfo_is_unknown() {
    assert_eq!(physical_cores_from_cpuinfo("no colon here\n\n"), None);
    assert_eq!(
        physical_cores_from_cpuinfo("processor\t: 0\nphysical id\t: zero\ncore id\t: 0\n\n"),
        None
    );
}

#[test]
fn cores_is_consistent_across_calls() {
    let (a, b) = (cores(), cores());
    assert_eq!(a, b);
    assert!(a.physical >= 1 && a.physical <= a.logical);
}
