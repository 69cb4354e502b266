//! The wire format: how a task and its result cross from one process to another.
//!
//! Two processes share no memory, so everything a worker needs must be turned into bytes,
//! written to a pipe, read on the other side and turned back into values. Python calls this
//! pickling; here it is the [`Wire`] trait, written by hand so that you see every byte.
//!
//! * **Values** are encoded little-endian, fixed width: `u64` and `f64` take 8 bytes,
//!   `i32` 4, `u8` and `bool` 1. A `String` or a `Vec` is a `u64` length followed by its
//!   bytes or elements; an enum is a one-byte tag followed by the variant's fields.
//! * **Frames** delimit messages on a byte stream (a pipe has no message boundaries): a
//!   4-byte little-endian length, then that many payload bytes.
//!
//! Decoding never trusts its input. A value cut short, an unknown tag, a length larger than
//! what follows, bytes left over: each is a [`WireError`] that names what was being read, so
//! that a corrupt message is reported, not turned into a wrong number or a panic.

// BEGIN SOLUTION
use finance::bs::{Contract, OptionKind};
// END SOLUTION use finance::bs::Contract;
use finance::mc::Moments;
use std::fmt;
use std::io::{self, Read, Write};

/// The largest frame payload accepted, 1 GiB: a corrupt length header must not make a
/// reader allocate gigabytes.
pub const MAX_FRAME: usize = 1 << 30;

/// Why bytes could not be read as a value or a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The input ended inside a value: reading `what` needed `needed` bytes, `left` remained.
    Truncated {
        /// What was being decoded, e.g. `"u64"`.
        what: &'static str,
        /// Bytes the value needs.
        needed: usize,
        /// Bytes that were left.
        left: usize,
    },
    /// A tag byte (enum variant, `bool`) that means nothing for `what`.
    BadTag {
        /// What was being decoded, e.g. `"Task"`.
        what: &'static str,
        /// The byte found.
        tag: u8,
    },
    /// A length prefix larger than the bytes that follow it.
    BadLength {
        /// What was being decoded, e.g. `"Vec length"`.
        what: &'static str,
        /// The length read.
        len: u64,
        /// Bytes that were left.
        left: usize,
    },
    /// A string whose bytes are not UTF-8.
    BadUtf8 {
        /// What was being decoded.
        what: &'static str,
    },
    /// Bytes left over after a complete value.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The stream ended inside a frame's 4-byte length header.
    TruncatedHeader {
        /// Header bytes received (1 to 3).
        got: usize,
    },
    /// The stream ended inside a frame's payload.
    TruncatedFrame {
        /// Payload bytes the header announced.
        expected: usize,
        /// Payload bytes received.
        got: usize,
    },
    /// A frame header announcing more than [`MAX_FRAME`] bytes.
    FrameTooLarge {
        /// The announced length.
        len: u64,
    },
    /// An I/O error other than the end of the stream.
    Io {
        /// Its kind.
        kind: io::ErrorKind,
        /// Its message.
        message: String,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated { what, needed, left } => write!(
                f,
                "truncated input: {what} needs {needed} bytes but only {left} are left"
            ),
            WireError::BadTag { what, tag } => write!(f, "unknown tag {tag} for {what}"),
            WireError::BadLength { what, len, left } => write!(
                f,
                "corrupt {what}: {len} does not fit in the {left} bytes that follow"
            ),
            WireError::BadUtf8 { what } => write!(f, "{what} is not valid UTF-8"),
            WireError::TrailingBytes { count } => {
                write!(f, "{count} trailing bytes after a complete value")
            }
            WireError::TruncatedHeader { got } => write!(
                f,
                "truncated frame header: the stream ended after {got} of its 4 bytes"
            ),
            WireError::TruncatedFrame { expected, got } => write!(
                f,
                "truncated frame: the header announced {expected} bytes but the stream ended after {got}"
            ),
            WireError::FrameTooLarge { len } => write!(
                f,
                "frame too large: the header announces {len} bytes, the limit is {MAX_FRAME}"
            ),
            WireError::Io { kind, message } => write!(f, "I/O error ({kind:?}): {message}"),
        }
    }
}

impl std::error::Error for WireError {}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        WireError::Io {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

/// A value that can be sent to another process: encoded to bytes, decoded from them.
///
/// `decode` reads one value from the front of `input` and advances `input` past it, so
/// that the fields of a struct are decoded one after another from the same slice.
pub trait Wire: Sized {
    /// Appends the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Decodes one value from the front of `input`, advancing it past the bytes read.
    fn decode(input: &mut &[u8]) -> Result<Self, WireError>;

    /// Appends the encodings of `items`, one after another (no length).
    ///
    /// `Vec<T>` encodes its elements with this. The default encodes each item in turn;
    /// a type whose slices can be copied in bulk (`f64`) overrides it, which makes the
    /// wire format of a `Vec<f64>` run at memory speed.
    fn encode_many(items: &[Self], out: &mut Vec<u8>) {
        for item in items {
            item.encode(out);
        }
    }

    /// Decodes `n` values, one after another; the counterpart of [`Wire::encode_many`].
    fn decode_many(input: &mut &[u8], n: usize) -> Result<Vec<Self>, WireError> {
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(Self::decode(input)?);
        }
        Ok(items)
    }

    /// The encoding of `self` as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Decodes exactly one value: bytes left over are an error, since they mean that the
    /// sender and the receiver disagree about the format.
    fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        let mut input = bytes;
        let value = Self::decode(&mut input)?;
        if input.is_empty() {
            Ok(value)
        } else {
            Err(WireError::TrailingBytes { count: input.len() })
        }
    }
}

/// Splits the first `n` bytes off `input`, or reports that `what` was cut short
/// ([`WireError::Truncated`] with `needed: n` and `left: input.len()`).
///
/// Every `decode` starts here: it is the one place that checks that the bytes are there.
pub fn take<'a>(input: &mut &'a [u8], n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
    // BEGIN SOLUTION
    if input.len() < n {
        return Err(WireError::Truncated {
            what,
            needed: n,
            left: input.len(),
        });
    }
    let (head, tail) = input.split_at(n);
    *input = tail;
    Ok(head)
    // STUB
    // todo!(
    //     "split {n} bytes for {what} off the {} bytes of input (slice::split_at), or return WireError::Truncated",
    //     input.len()
    // )
    // END SOLUTION
}

// BEGIN SOLUTION
/// Reads a length prefix and checks that at least `len * min_elem_size` bytes follow, so
/// that a corrupt length is caught before anything is allocated.
fn read_len(
    input: &mut &[u8],
    min_elem_size: usize,
    what: &'static str,
) -> Result<usize, WireError> {
    let len = u64::decode(input)?;
    let left = input.len();
    match usize::try_from(len) {
        Ok(n) if n.saturating_mul(min_elem_size) <= left => Ok(n),
        _ => Err(WireError::BadLength { what, len, left }),
    }
}
// END SOLUTION

// BEGIN SOLUTION
// One macro implements `u64` and `i32` here; the stub spells out both impls.
/// Implements `Wire` for a fixed-width number through its little-endian bytes.
macro_rules! wire_number {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
                const N: usize = std::mem::size_of::<$t>();
                let bytes = take(input, N, stringify!($t))?;
                // `take` returned exactly N bytes, so the conversion cannot fail.
                Ok(<$t>::from_le_bytes(bytes.try_into().expect("N bytes")))
            }
        }
    )*};
}

wire_number!(u64, i32);
// STUB
// impl Wire for u64 {
//     fn encode(&self, out: &mut Vec<u8>) {
//         let _ = out;
//         todo!("encode({self}): append the 8 little-endian bytes (u64::to_le_bytes)")
//     }
//     fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
//         todo!(
//             "u64::decode({} bytes): take 8 bytes named \"u64\" and convert them (u64::from_le_bytes)",
//             input.len()
//         )
//     }
// }
//
// impl Wire for i32 {
//     fn encode(&self, out: &mut Vec<u8>) {
//         let _ = out;
//         todo!("encode({self}): 4 little-endian bytes")
//     }
//     fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
//         todo!("i32::decode({} bytes): take 4 bytes named \"i32\"", input.len())
//     }
// }
// END SOLUTION

impl Wire for f64 {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        out.extend_from_slice(&self.to_le_bytes());
        // STUB
        // let _ = out;
        // todo!(
        //     "encode({self:?}): 8 little-endian bytes: f64::to_le_bytes keeps every bit, NaNs and -0.0 included"
        // )
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        let bytes = take(input, 8, "f64")?;
        Ok(f64::from_le_bytes(bytes.try_into().expect("8 bytes")))
        // STUB
        // todo!("f64::decode({} bytes): take 8 bytes named \"f64\"", input.len())
        // END SOLUTION
    }
    // BEGIN SOLUTION
    // In bulk: one `resize`, then 8-byte copies the compiler turns into vector moves.
    fn encode_many(items: &[Self], out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(start + 8 * items.len(), 0);
        for (dst, x) in out[start..].chunks_exact_mut(8).zip(items) {
            dst.copy_from_slice(&x.to_le_bytes());
        }
    }
    fn decode_many(input: &mut &[u8], n: usize) -> Result<Vec<Self>, WireError> {
        let bytes = take(input, n.saturating_mul(8), "f64 array")?;
        Ok(bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    }
    // END SOLUTION
}

impl Wire for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        out.push(u8::from(*self));
        // STUB
        // let _ = out;
        // todo!("encode({self}): one byte, 0 or 1")
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        match take(input, 1, "bool")?[0] {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(WireError::BadTag { what: "bool", tag }),
        }
        // STUB
        // todo!(
        //     "bool::decode({} bytes): one byte named \"bool\": 0 is false, 1 is true, anything else WireError::BadTag",
        //     input.len()
        // )
        // END SOLUTION
    }
}

impl Wire for String {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        (self.len() as u64).encode(out);
        out.extend_from_slice(self.as_bytes());
        // STUB
        // let _ = out;
        // todo!("encode({self:?}): the length in bytes as a u64, then the UTF-8 bytes")
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        let len = read_len(input, 1, "String length")?;
        let bytes = take(input, len, "String")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| WireError::BadUtf8 { what: "String" })
        // STUB
        // todo!(
        //     "String::decode({} bytes): a u64 length (BadLength if more than the bytes left), the bytes, BadUtf8 if they are not UTF-8",
        //     input.len()
        // )
        // END SOLUTION
    }
}

/// Encodes a slice as a `Vec` would be: the length as a `u64`, then the elements (with
/// [`Wire::encode_many`]). Lets a sender encode part of a vector (a chunk of tasks) without
/// copying it.
pub fn encode_slice<T: Wire>(items: &[T], out: &mut Vec<u8>) {
    // BEGIN SOLUTION
    (items.len() as u64).encode(out);
    T::encode_many(items, out);
    // STUB
    // let _ = out;
    // todo!(
    //     "the length of the {} items as a u64, then T::encode_many",
    //     items.len()
    // )
    // END SOLUTION
}

impl<T: Wire> Wire for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        encode_slice(self, out);
        // STUB
        // let _ = out;
        // todo!("encode({} items): encode_slice", self.len())
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        // Every value of this crate's types takes at least one byte.
        let len = read_len(input, 1, "Vec length")?;
        T::decode_many(input, len)
        // STUB
        // todo!(
        //     "Vec::decode({} bytes): a u64 length, checked against the bytes left BEFORE allocating (each element takes at least one byte), then T::decode_many",
        //     input.len()
        // )
        // END SOLUTION
    }
}

impl<T: Wire, E: Wire> Wire for Result<T, E> {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        match self {
            Ok(v) => {
                out.push(0);
                v.encode(out);
            }
            Err(e) => {
                out.push(1);
                e.encode(out);
            }
        }
        // STUB
        // let _ = out;
        // todo!("a tag byte, 0 for Ok and 1 for Err, then the value")
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        match take(input, 1, "Result tag")?[0] {
            0 => Ok(Ok(T::decode(input)?)),
            1 => Ok(Err(E::decode(input)?)),
            tag => Err(WireError::BadTag {
                what: "Result",
                tag,
            }),
        }
        // STUB
        // todo!(
        //     "Result::decode({} bytes): the tag (named \"Result tag\"), then T or E; another tag is BadTag {{ what: \"Result\", .. }}",
        //     input.len()
        // )
        // END SOLUTION
    }
}

impl Wire for Contract {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        out.push(match self.kind {
            OptionKind::Call => 0,
            OptionKind::Put => 1,
        });
        for x in [
            self.spot,
            self.strike,
            self.rate,
            self.dividend,
            self.vol,
            self.expiry,
        ] {
            x.encode(out);
        }
        // STUB
        // let _ = out;
        // todo!(
        //     "encode({self:?}): a tag byte for the kind (Call 0, Put 1), then the six f64 fields in declaration order"
        // )
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        let kind = match take(input, 1, "OptionKind")?[0] {
            0 => OptionKind::Call,
            1 => OptionKind::Put,
            tag => {
                return Err(WireError::BadTag {
                    what: "OptionKind",
                    tag,
                });
            }
        };
        Ok(Contract {
            kind,
            spot: f64::decode(input)?,
            strike: f64::decode(input)?,
            rate: f64::decode(input)?,
            dividend: f64::decode(input)?,
            vol: f64::decode(input)?,
            expiry: f64::decode(input)?,
        })
        // STUB
        // todo!(
        //     "Contract::decode({} bytes): the same fields in the same order; a bad kind is BadTag {{ what: \"OptionKind\", .. }}",
        //     input.len()
        // )
        // END SOLUTION
    }
}

impl Wire for Moments {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        self.count.encode(out);
        self.sum.encode(out);
        self.sum_sq.encode(out);
        // STUB
        // let _ = out;
        // todo!("encode({self:?}): count, sum, sum_sq")
        // END SOLUTION
    }
    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        Ok(Moments {
            count: u64::decode(input)?,
            sum: f64::decode(input)?,
            sum_sq: f64::decode(input)?,
        })
        // STUB
        // todo!("Moments::decode({} bytes): count, sum, sum_sq", input.len())
        // END SOLUTION
    }
}

/// Writes one frame: the payload's length as 4 little-endian bytes, then the payload.
///
/// Errors: `InvalidInput` if the payload is larger than [`MAX_FRAME`]; the writer's errors.
pub fn write_frame<W: Write>(w: &mut W, payload: &[u8]) -> io::Result<()> {
    // BEGIN SOLUTION
    if payload.len() > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a frame of {} bytes exceeds MAX_FRAME", payload.len()),
        ));
    }
    w.write_all(&(payload.len() as u32).to_le_bytes())?;
    w.write_all(payload)
    // STUB
    // let _ = w;
    // todo!(
    //     "check the {} bytes against MAX_FRAME, write the u32 length, then the payload",
    //     payload.len()
    // )
    // END SOLUTION
}

/// Reads one frame's payload into `buf` (replacing its contents).
///
/// Returns `Ok(true)` when a frame was read and `Ok(false)` at a clean end of the stream
/// (no byte of a new frame). A stream that ends inside a header
/// ([`WireError::TruncatedHeader`]) or inside a payload ([`WireError::TruncatedFrame`]), or a
/// header announcing more than [`MAX_FRAME`] bytes ([`WireError::FrameTooLarge`], checked
/// before allocating), is an error.
pub fn read_frame<R: Read>(r: &mut R, buf: &mut Vec<u8>) -> Result<bool, WireError> {
    // BEGIN SOLUTION
    let mut header = [0u8; 4];
    let got = read_full(r, &mut header)?;
    match got {
        0 => return Ok(false),
        1..=3 => return Err(WireError::TruncatedHeader { got }),
        _ => {}
    }
    let len = u32::from_le_bytes(header) as usize;
    if len > MAX_FRAME {
        return Err(WireError::FrameTooLarge { len: len as u64 });
    }
    buf.clear();
    buf.reserve(len);
    // `take` stops at the frame's end; `read_to_end` fills the reserved space without first
    // zeroing it.
    let got = r.take(len as u64).read_to_end(buf)?;
    if got < len {
        return Err(WireError::TruncatedFrame { expected: len, got });
    }
    Ok(true)
    // STUB
    // buf.clear(); // the payload replaces the buffer's contents
    // let _ = r;
    // todo!(
    //     "read the 4-byte header, counting the bytes actually read (Read::read may return fewer than asked, or Interrupted), then the payload"
    // )
    // END SOLUTION
}

// BEGIN SOLUTION
/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, WireError> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(got)
}
// END SOLUTION
