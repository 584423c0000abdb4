//! The one place where the global allocator of this workspace's native binaries is chosen.
//!
//! A binding crate links it with `use hashkit_alloc as _;`. mimalloc is faster than the
//! system allocators, and much faster than musl's. Its Linux build uses local-dynamic TLS
//! (see `Cargo.toml`): with initial-exec TLS, musl refuses to `dlopen` the `.node` file with
//! "initial-exec TLS resolves to dynamic definition".

/// mimalloc, compiled with the TLS model `Cargo.toml` selects for the target. Not on
/// WebAssembly, where Rust's std allocates with wasi-libc's malloc (see `Cargo.toml`).
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
