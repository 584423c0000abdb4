//! Sets the linker arguments a Node-API addon needs on each platform (for example
//! `-undefined dynamic_lookup` on macOS) through napi-build, and records the target triple
//! for `buildInfo()`.

fn main() {
    napi_build::setup();
    // Cargo gives build scripts the target triple; rustc does not expose it to the crate.
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=HASHKIT_TARGET={target}");
}
