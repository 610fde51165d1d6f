//! Residual Lab's core: trains small plain and residual networks and measures, layer by layer,
//! how the forward signal and the backward gradient change with depth. Target-agnostic: no
//! wasm-bindgen, JS or DOM here; `wasm/` is the one binding module.
//!
//! Batch layout everywhere: activations are `(batch, features)` matrices stored column-major
//! (the batch is the contiguous, fastest-moving dimension). Weights are `[out][in]` row-major,
//! PyTorch's `nn.Linear.weight`, so `y = x W^T + b`.

pub mod activation;
pub mod block;
pub mod config;
pub mod data;
pub mod digits;
pub mod error;
pub mod experiments;
pub mod init;
pub mod jacobian;
pub mod lesion;
pub mod linear;
pub mod loss;
pub mod matmul;
pub mod net;
pub mod norm;
pub mod optim;
pub mod params;
pub mod probes;
pub mod rng;
pub mod scalar;
pub mod seq;
pub mod simd;
pub mod state;
pub mod stats;
pub mod sweep;
pub mod theory;
pub mod trainer;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::Config;
pub use error::{LabError, Result};
pub use trainer::Trainer;
