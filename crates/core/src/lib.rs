//! xxHash digests of byte slices and byte streams.
//!
//! This crate knows nothing about Node.js: the binding in `crates/node` converts JavaScript
//! values into the types here and maps [`Error`] to JavaScript errors. Keeping the two apart
//! means this code is tested with plain `cargo test` and can be reused from any Rust program.

use std::fmt;
use std::str::FromStr;

use xxhash_rust::{xxh3, xxh32, xxh64};

/// The hash functions on offer. All are non-cryptographic: fast checksums and hash-table
/// keys, never passwords or signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// XXH3 with a 64-bit result: the fastest, and the default.
    #[default]
    Xxh3,
    /// XXH3 with a 128-bit result, for fewer collisions across very many keys.
    Xxh3_128,
    /// The classic XXH64.
    Xxh64,
    /// The classic XXH32; its seed is 32 bits wide.
    Xxh32,
}

impl Algorithm {
    /// Every algorithm, in the order the documentation lists them.
    pub const ALL: [Algorithm; 4] = [
        Algorithm::Xxh3,
        Algorithm::Xxh3_128,
        Algorithm::Xxh64,
        Algorithm::Xxh32,
    ];

    /// The name used in options and error messages, for example `"xxh3-128"`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Xxh3 => "xxh3",
            Algorithm::Xxh3_128 => "xxh3-128",
            Algorithm::Xxh64 => "xxh64",
            Algorithm::Xxh32 => "xxh32",
        }
    }

    /// The largest seed the algorithm accepts.
    pub const fn max_seed(self) -> u64 {
        match self {
            Algorithm::Xxh32 => u32::MAX as u64,
            _ => u64::MAX,
        }
    }

    /// `Ok` when `seed` fits the algorithm, otherwise [`Error::SeedOutOfRange`].
    pub fn check_seed(self, seed: u64) -> Result<(), Error> {
        if seed > self.max_seed() {
            return Err(Error::SeedOutOfRange {
                algorithm: self,
                seed,
            });
        }
        Ok(())
    }

    /// The digest length in bytes.
    #[inline]
    pub const fn digest_len(self) -> usize {
        match self {
            Algorithm::Xxh3_128 => 16,
            Algorithm::Xxh3 | Algorithm::Xxh64 => 8,
            Algorithm::Xxh32 => 4,
        }
    }

    /// Names of every algorithm, joined for messages: `"xxh3", "xxh3-128", …`.
    pub fn names_for_message() -> String {
        Algorithm::ALL
            .iter()
            .map(|a| format!("\"{}\"", a.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| Error::UnknownAlgorithm(name.to_owned()))
    }
}

/// What can go wrong in this crate. The binding maps each variant to one JavaScript error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The algorithm name is not one of [`Algorithm::ALL`].
    UnknownAlgorithm(String),
    /// The seed does not fit the algorithm ([`Algorithm::max_seed`]).
    SeedOutOfRange {
        /// The algorithm that was asked for.
        algorithm: Algorithm,
        /// The seed that was given.
        seed: u64,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownAlgorithm(name) => write!(
                f,
                "Unknown algorithm \"{name}\": use one of {}",
                Algorithm::names_for_message()
            ),
            Error::SeedOutOfRange { algorithm, seed } => write!(
                f,
                "Seed {seed} is too large for {algorithm}: it takes a seed from 0 to {}",
                algorithm.max_seed()
            ),
        }
    }
}

impl std::error::Error for Error {}

/// An algorithm with a seed it accepts. The seed is checked once, here; hashing with a
/// `Params` cannot fail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Params {
    algorithm: Algorithm,
    seed: u64,
}

impl Params {
    /// `algorithm` with seed 0, which every algorithm accepts.
    pub const fn seedless(algorithm: Algorithm) -> Self {
        Params { algorithm, seed: 0 }
    }

    /// `algorithm` with `seed`, or [`Error::SeedOutOfRange`] when the seed does not fit.
    pub fn new(algorithm: Algorithm, seed: u64) -> Result<Self, Error> {
        algorithm.check_seed(seed)?;
        Ok(Params { algorithm, seed })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The seed, known to fit the algorithm.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// A finished digest. Its text form is lowercase hex in the canonical (big-endian) byte
/// order, the same string `xxhsum` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    value: u128,
}

impl Digest {
    /// The algorithm that produced this digest.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The digest as an integer (the low 32 or 64 bits are used by the shorter algorithms).
    pub fn as_u128(&self) -> u128 {
        self.value
    }

    /// The canonical big-endian bytes, as many as [`Algorithm::digest_len`] says.
    pub fn to_bytes(&self) -> Vec<u8> {
        let all = self.value.to_be_bytes();
        all[all.len() - self.algorithm.digest_len()..].to_vec()
    }

    /// Lowercase hex of [`Digest::to_bytes`], without allocating: sixteen digits at once
    /// (see [`hex16`]), not a table look-up per digit.
    #[inline]
    pub fn hex(&self) -> Hex {
        let mut buf = [0u8; 32];
        let digest_len = self.algorithm.digest_len();
        match digest_len {
            16 => {
                buf[..16].copy_from_slice(&hex16((self.value >> 64) as u64));
                buf[16..].copy_from_slice(&hex16(self.value as u64));
            }
            8 => buf[..16].copy_from_slice(&hex16(self.value as u64)),
            // The low 16 of the 16 digits of a 32-bit value's u64 are its 8.
            _ => buf[..8].copy_from_slice(&hex16(self.value as u64)[8..]),
        }
        Hex {
            buf,
            len: digest_len * 2,
        }
    }

    /// Lowercase hex of [`Digest::to_bytes`], as a `String`.
    pub fn to_hex(&self) -> String {
        self.hex().as_str().to_owned()
    }
}

/// The sixteen lowercase hex digits of `word`, most significant first, computed in one u128:
/// each nibble is spread into a byte of its own, then turned into its ASCII digit by adding
/// `'0'`, plus `'a' - '0' - 10` where the nibble is 10 or more.
#[inline]
const fn hex16(word: u64) -> [u8; 16] {
    // `byte` in each of the 16 bytes; a `const` item, so it is computed at compile time.
    const fn repeat(byte: u8) -> u128 {
        u128::from_ne_bytes([byte; 16])
    }
    const NIBBLES: u128 = repeat(0x0f);
    const SIX: u128 = repeat(6);
    const ONES: u128 = repeat(1);
    const ZERO: u128 = repeat(b'0');
    let mut v = word as u128;
    v = (v | (v << 32)) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    v = (v | (v << 16)) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    v = (v | (v << 4)) & NIBBLES;
    // 1 in each byte whose nibble is 10 or more (adding 6 carries it into the high nibble).
    let letters = ((v + SIX) >> 4) & ONES;
    (v + ZERO + letters * (b'a' - b'0' - 10) as u128).to_be_bytes()
}

/// A digest's hex text on the stack (at most 32 ASCII digits); see [`Digest::hex`].
#[derive(Clone, Copy, Debug)]
pub struct Hex {
    buf: [u8; 32],
    len: usize,
}

impl Hex {
    /// The hex digits as bytes (ASCII, so also valid Latin-1 and UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The hex digits as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into `buf`.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Hashes `data` in one call.
///
/// ```
/// use hashkit_core::{hash, Algorithm, Params};
/// let params = Params::new(Algorithm::Xxh64, 0).unwrap();
/// assert_eq!(hash(params, b"").to_hex(), "ef46db3751d8e999");
/// ```
pub fn hash(params: Params, data: &[u8]) -> Digest {
    let Params { algorithm, seed } = params;
    let value = match algorithm {
        Algorithm::Xxh3 => u128::from(xxh3::xxh3_64_with_seed(data, seed)),
        Algorithm::Xxh3_128 => xxh3::xxh3_128_with_seed(data, seed),
        Algorithm::Xxh64 => u128::from(xxh64::xxh64(data, seed)),
        // `Params::new` has proven the seed fits in 32 bits.
        Algorithm::Xxh32 => u128::from(xxh32::xxh32(data, seed as u32)),
    };
    Digest { algorithm, value }
}

enum State {
    Xxh3(Box<xxh3::Xxh3>),
    Xxh64(xxh64::Xxh64),
    Xxh32(xxh32::Xxh32),
}

/// A streaming hasher: feed it chunks with [`Hasher::update`], read the digest of everything
/// so far with [`Hasher::digest`] (which does not end the stream), start again with
/// [`Hasher::reset`]. The digest equals [`hash`] of the concatenated chunks.
pub struct Hasher {
    algorithm: Algorithm,
    seed: u64,
    state: State,
    bytes: u64,
}

impl Hasher {
    /// An empty stream hashed with `params`.
    pub fn new(params: Params) -> Self {
        let Params { algorithm, seed } = params;
        let state = match algorithm {
            Algorithm::Xxh3 | Algorithm::Xxh3_128 => {
                State::Xxh3(Box::new(xxh3::Xxh3::with_seed(seed)))
            }
            Algorithm::Xxh64 => State::Xxh64(xxh64::Xxh64::new(seed)),
            Algorithm::Xxh32 => State::Xxh32(xxh32::Xxh32::new(seed as u32)),
        };
        Hasher {
            algorithm,
            seed,
            state,
            bytes: 0,
        }
    }

    /// The algorithm chosen at construction.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The seed chosen at construction.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many bytes have been fed since construction or the last reset.
    pub fn bytes_hashed(&self) -> u64 {
        self.bytes
    }

    /// Feeds one more chunk.
    pub fn update(&mut self, chunk: &[u8]) {
        match &mut self.state {
            State::Xxh3(state) => state.update(chunk),
            State::Xxh64(state) => state.update(chunk),
            State::Xxh32(state) => state.update(chunk),
        }
        self.bytes = self.bytes.saturating_add(chunk.len() as u64);
    }

    /// The digest of every chunk fed so far. The hasher stays usable.
    pub fn digest(&self) -> Digest {
        let value = match (&self.state, self.algorithm) {
            (State::Xxh3(state), Algorithm::Xxh3_128) => state.digest128(),
            (State::Xxh3(state), _) => u128::from(state.digest()),
            (State::Xxh64(state), _) => u128::from(state.digest()),
            (State::Xxh32(state), _) => u128::from(state.digest()),
        };
        Digest {
            algorithm: self.algorithm,
            value,
        }
    }

    /// Forgets every chunk, keeping algorithm and seed.
    pub fn reset(&mut self) {
        match &mut self.state {
            State::Xxh3(state) => state.reset(),
            State::Xxh64(state) => state.reset(self.seed),
            State::Xxh32(state) => state.reset(self.seed as u32),
        }
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use super::*;

    fn p(algorithm: Algorithm, seed: u64) -> Params {
        Params::new(algorithm, seed).unwrap()
    }

    // Reference values from the xxHash project's own sanity checks (empty input, seed 0),
    // also what `xxhsum -H0/-H1/-H2/-H3` prints for an empty file.
    #[test]
    fn empty_input_matches_reference_digests() {
        let expect = [
            (Algorithm::Xxh32, "02cc5d05"),
            (Algorithm::Xxh64, "ef46db3751d8e999"),
            (Algorithm::Xxh3, "2d06800538d394c2"),
            (Algorithm::Xxh3_128, "99aa06d3014798d86001c324468d497f"),
        ];
        for (algorithm, hex) in expect {
            assert_eq!(hash(p(algorithm, 0), b"").to_hex(), hex, "{algorithm}");
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for algorithm in Algorithm::ALL {
            assert_eq!(algorithm.name().parse::<Algorithm>().unwrap(), algorithm);
        }
        let err = "md5".parse::<Algorithm>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unknown algorithm \"md5\": use one of \"xxh3\", \"xxh3-128\", \"xxh64\", \"xxh32\""
        );
    }

    #[test]
    fn seed_changes_the_digest_and_is_range_checked() {
        assert_ne!(
            hash(p(Algorithm::Xxh3, 0), b"abc"),
            hash(p(Algorithm::Xxh3, 1), b"abc")
        );
        let err = Params::new(Algorithm::Xxh32, 1 << 32).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Seed 4294967296 is too large for xxh32: it takes a seed from 0 to 4294967295"
        );
        assert!(Params::new(Algorithm::Xxh32, u64::from(u32::MAX)).is_ok());
        assert!(Params::new(Algorithm::Xxh64, u64::MAX).is_ok());
    }

    #[test]
    fn streaming_equals_one_shot_for_every_algorithm_and_split() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 251) as u8).collect();
        for algorithm in Algorithm::ALL {
            let whole = hash(p(algorithm, 7), &data);
            for split in [0, 1, 3, 16, 240, 241, 1024, 4999, 5000] {
                let mut hasher = Hasher::new(p(algorithm, 7));
                hasher.update(&data[..split]);
                hasher.update(&data[split..]);
                assert_eq!(hasher.digest(), whole, "{algorithm} split at {split}");
                assert_eq!(hasher.bytes_hashed(), 5000);
            }
        }
    }

    #[test]
    fn digest_does_not_end_the_stream_and_reset_starts_over() {
        let params = p(Algorithm::Xxh3_128, 42);
        let mut hasher = Hasher::new(params);
        hasher.update(b"hello ");
        assert_eq!(hasher.digest(), hash(params, b"hello "));
        hasher.update(b"world");
        assert_eq!(hasher.digest(), hash(params, b"hello world"));
        hasher.reset();
        assert_eq!(hasher.bytes_hashed(), 0);
        assert_eq!(hasher.digest(), hash(params, b""));
    }

    #[test]
    fn hex_matches_the_formatted_integer() {
        let data = b"hex";
        for algorithm in Algorithm::ALL {
            let d = hash(p(algorithm, 3), data);
            let width = algorithm.digest_len() * 2;
            assert_eq!(
                d.to_hex(),
                format!("{:0width$x}", d.as_u128()),
                "{algorithm}"
            );
        }
    }

    #[test]
    fn hex16_matches_the_formatted_word_for_every_digit() {
        let words = [
            0,
            1,
            9,
            10,
            15,
            16,
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
            0xa0a0_a0a0_0909_0909,
            u64::MAX,
        ];
        for word in words {
            assert_eq!(hex16(word), format!("{word:016x}").as_bytes(), "{word:#x}");
        }
    }

    #[test]
    fn hex_and_bytes_are_big_endian_and_full_width() {
        let d = hash(p(Algorithm::Xxh32, 0), b"");
        assert_eq!(d.to_bytes(), vec![0x02, 0xcc, 0x5d, 0x05]);
        assert_eq!(d.to_hex().len(), 8);
        for algorithm in Algorithm::ALL {
            let d = hash(p(algorithm, 0), b"x");
            assert_eq!(d.to_hex().len(), algorithm.digest_len() * 2);
            assert_eq!(d.to_bytes().len(), algorithm.digest_len());
        }
    }
}
