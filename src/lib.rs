//! Residual Lab's core: trains small plain and residual networks and measures, layer by layer,
//! how the forward signal and the backward gradient change with depth. Target-agnostic: no
//! wasm-bindgen, JS or DOM here; `wasm.rs` is the one binding file.
//!
//! Batch layout everywhere: activations are `(batch, features)` matrices stored column-major
//! (the batch is the contiguous, fastest-moving dimension). Weights are `[out][in]` row-major,
//! PyTorch's `nn.Linear.weight`, so `y = x W^T + b`.
// The threads build (wasm with shared memory) is built with -Zbuild-std, which already needs
// RUSTC_BOOTSTRAP; its helper thread sleeps in memory.atomic.wait32, not yet stable in Rust.
#![cfg_attr(all(target_arch = "wasm32", target_feature = "atomics"), feature(stdarch_wasm_atomic_wait))]

pub mod activation;
pub mod block;
pub mod config;
pub mod data;
pub mod error;
pub mod float_text;
pub mod init;
pub mod jacobian;
pub mod json;
pub mod linear;
pub mod loss;
pub mod matmul;
pub mod net;
pub mod norm;
pub mod optim;
pub mod params;
pub mod pool;
pub mod rng;
pub mod scalar;
pub mod seq;
pub mod simd;
pub mod stats;
pub mod sweep;
pub mod theory;
pub mod trainer;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::Config;
pub use error::{LabError, Result};
pub use trainer::Trainer;
