//! Task 1: the wire format. Values to bytes and back, frames on a stream, and errors that
//! say what was wrong.

use finance::bs::Contract;
use finance::mc::Moments;
use lab03::task::{Output, Task};
use lab03::wire::{MAX_FRAME, Wire, WireError, read_frame, take, write_frame};
use std::io::Cursor;

#[test]
fn numbers_are_little_endian_and_fixed_width() {
    assert_eq!(
        0x0102_0304_0506_0708u64.to_bytes(),
        [8, 7, 6, 5, 4, 3, 2, 1]
    );
    assert_eq!((-2i32).to_bytes(), [0xfe, 0xff, 0xff, 0xff]);
    assert_eq!(1.0f64.to_bytes(), 1.0f64.to_le_bytes());
    assert_eq!(true.to_bytes(), [1]);
    assert_eq!(false.to_bytes(), [0]);
    for x in [0.0, -0.0, 1e-310, f64::MAX, f64::INFINITY, -3.25] {
        let back = f64::from_bytes(&x.to_bytes()).unwrap();
        assert_eq!(
            back.to_bits(),
            x.to_bits(),
            "{x} must round-trip bit for bit"
        );
    }
    assert_eq!(u64::from_bytes(&u64::MAX.to_bytes()), Ok(u64::MAX));
    assert_eq!(i32::from_bytes(&i32::MIN.to_bytes()), Ok(i32::MIN));
}

#[test]
fn strings_and_vectors_are_length_prefixed() {
    let s = "héllo".to_string();
    let bytes = s.to_bytes();
    assert_eq!(
        &bytes[..8],
        &6u64.to_le_bytes(),
        "the length counts bytes, not chars"
    );
    assert_eq!(&bytes[8..], "héllo".as_bytes());
    assert_eq!(String::from_bytes(&bytes), Ok(s));

    let v = vec![1u64, 2];
    let bytes = v.to_bytes();
    assert_eq!(bytes.len(), 8 + 16);
    assert_eq!(&bytes[..8], &2u64.to_le_bytes());
    assert_eq!(Vec::<u64>::from_bytes(&bytes), Ok(v));

    let empty: Vec<f64> = Vec::new();
    assert_eq!(empty.to_bytes(), 0u64.to_le_bytes());
    assert_eq!(Vec::<f64>::from_bytes(&empty.to_bytes()), Ok(empty));
}

#[test]
fn decode_reads_from_the_front_and_advances() {
    let mut bytes = 7u64.to_bytes();
    true.encode(&mut bytes);
    "ok".to_string().encode(&mut bytes);
    let mut input = &bytes[..];
    assert_eq!(u64::decode(&mut input), Ok(7));
    assert_eq!(bool::decode(&mut input), Ok(true));
    assert_eq!(String::decode(&mut input), Ok("ok".to_string()));
    assert!(input.is_empty());

    let mut input = &[1u8, 2, 3][..];
    assert_eq!(take(&mut input, 2, "pair"), Ok(&[1u8, 2][..]));
    assert_eq!(input, &[3]);
}

#[test]
fn truncated_values_name_what_was_cut() {
    let err = u64::from_bytes(&[1, 2, 3]).unwrap_err();
    assert_eq!(
        err,
        WireError::Truncated {
            what: "u64",
            needed: 8,
            left: 3
        }
    );
    assert!(err.to_string().contains("u64"), "{err}");
    let mut input = &[9u8][..];
    assert_eq!(
        take(&mut input, 4, "header"),
        Err(WireError::Truncated {
            what: "header",
            needed: 4,
            left: 1
        })
    );
    // A string announcing 10 bytes with 2 present is cut short.
    let mut bytes = 10u64.to_bytes();
    bytes.extend_from_slice(b"ab");
    assert!(String::from_bytes(&bytes).is_err());
}

#[test]
fn unknown_tags_are_errors() {
    assert_eq!(
        bool::from_bytes(&[2]),
        Err(WireError::BadTag {
            what: "bool",
            tag: 2
        })
    );
    assert!(matches!(
        Output::from_bytes(&[99]),
        Err(WireError::BadTag {
            what: "Output",
            tag: 99
        })
    ));
    assert!(matches!(
        Task::from_bytes(&[200]),
        Err(WireError::BadTag {
            what: "Task",
            tag: 200
        })
    ));
    assert!(matches!(
        Result::<Output, String>::from_bytes(&[7]),
        Err(WireError::BadTag { tag: 7, .. })
    ));
}

#[test]
fn corrupt_length_is_caught_before_allocating() {
    // A length of 2^64 - 1 elements: allocating first would abort the process.
    let bytes = u64::MAX.to_bytes();
    let err = Vec::<f64>::from_bytes(&bytes).unwrap_err();
    assert!(
        matches!(err, WireError::BadLength { len: u64::MAX, .. }),
        "{err:?}"
    );
    assert!(String::from_bytes(&bytes).is_err());
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = 5u64.to_bytes();
    bytes.push(0);
    assert_eq!(
        u64::from_bytes(&bytes),
        Err(WireError::TrailingBytes { count: 1 })
    );
}

#[test]
fn tasks_and_outputs_round_trip() {
    let contract = Contract::put(100.0, 110.0, 0.03, 0.25, 0.5);
    let tasks = vec![
        Task::IsPrime(9_999_991),
        Task::McEuropean {
            contract,
            seed: 42,
            paths: 100_000,
            first_block: 3,
            blocks: 2,
            antithetic: true,
        },
        Task::Sleep { micros: 1500 },
        Task::Spin { micros: 7 },
        Task::Mean(vec![1.5, -2.0, f64::MIN_POSITIVE]),
        Task::Allocate { bytes: 1 << 20 },
        Task::DiskWrite {
            dir: "/tmp/x".into(),
            id: 9,
            bytes: 200,
        },
        Task::Pid,
        Task::PeakRss,
        Task::WaitFor {
            path: "/tmp/gate".into(),
        },
        Task::Touch {
            path: "/tmp/gate".into(),
        },
        Task::Fail("boom".into()),
        Task::Exit(-3),
        Task::Abort,
        Task::Hang,
        Task::CrashOnce {
            path: "/tmp/once".into(),
        },
        Task::CountPrimes(vec![2, 3, u64::MAX]),
        Task::PrimesFound,
    ];
    for task in &tasks {
        assert_eq!(Task::from_bytes(&task.to_bytes()).as_ref(), Ok(task));
    }
    assert_eq!(Vec::<Task>::from_bytes(&tasks.to_bytes()), Ok(tasks));

    let m = Moments {
        count: 3,
        sum: 1.25,
        sum_sq: 2.5,
    };
    let outputs = vec![
        Output::Unit,
        Output::Bool(true),
        Output::U64(u64::MAX),
        Output::F64(-0.5),
        Output::Blocks(vec![m, Moments::default()]),
    ];
    for o in &outputs {
        assert_eq!(Output::from_bytes(&o.to_bytes()).as_ref(), Ok(o));
    }
    let results: Vec<Result<Output, String>> = vec![Ok(Output::Bool(false)), Err("no".into())];
    assert_eq!(
        Vec::<Result<Output, String>>::from_bytes(&results.to_bytes()),
        Ok(results)
    );
    assert_eq!(Contract::from_bytes(&contract.to_bytes()), Ok(contract));
    assert_eq!(Moments::from_bytes(&m.to_bytes()), Ok(m));
}

#[test]
fn frames_round_trip_over_a_stream() {
    let mut stream = Vec::new();
    write_frame(&mut stream, b"first").unwrap();
    write_frame(&mut stream, b"").unwrap();
    write_frame(&mut stream, &[7; 300]).unwrap();
    assert_eq!(
        &stream[..4],
        &5u32.to_le_bytes(),
        "a 4-byte little-endian length"
    );
    assert_eq!(stream.len(), 4 + 5 + 4 + 4 + 300);

    let mut r = Cursor::new(stream);
    let mut buf = vec![1, 2, 3];
    assert_eq!(read_frame(&mut r, &mut buf), Ok(true));
    assert_eq!(buf, b"first");
    assert_eq!(read_frame(&mut r, &mut buf), Ok(true));
    assert!(buf.is_empty(), "the buffer holds exactly the payload");
    assert_eq!(read_frame(&mut r, &mut buf), Ok(true));
    assert_eq!(buf, [7; 300]);
    assert_eq!(
        read_frame(&mut r, &mut buf),
        Ok(false),
        "a clean end of stream"
    );
}

#[test]
fn truncated_frames_are_errors() {
    let mut buf = Vec::new();
    let err = read_frame(&mut Cursor::new(vec![3u8, 0]), &mut buf).unwrap_err();
    assert_eq!(err, WireError::TruncatedHeader { got: 2 });
    assert!(err.to_string().contains("truncated"), "{err}");

    let mut stream = 10u32.to_le_bytes().to_vec();
    stream.extend_from_slice(b"abc");
    let err = read_frame(&mut Cursor::new(stream), &mut buf).unwrap_err();
    assert_eq!(
        err,
        WireError::TruncatedFrame {
            expected: 10,
            got: 3
        }
    );
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn oversized_frame_header_is_rejected() {
    let mut buf = Vec::new();
    let stream = u32::MAX.to_le_bytes().to_vec();
    let err = read_frame(&mut Cursor::new(stream), &mut buf).unwrap_err();
    assert_eq!(
        err,
        WireError::FrameTooLarge {
            len: u64::from(u32::MAX)
        }
    );
    assert!(u32::MAX as usize > MAX_FRAME);
}
