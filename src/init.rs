//! Weight initialization schemes. Every draw comes from the trainer's one seeded `Rng`,
//! in f64, layer by layer in forward order.

use crate::config::{ActivationKind, InitKind, ModelConfig};
use crate::rng::Rng;
use nalgebra::DMatrix;

/// Where a Linear layer sits; Fixup treats them differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinearSite {
    Stem,
    Plain,
    /// A residual branch layer that is not the branch's last.
    BranchInner,
    BranchLast,
    Head,
}

/// The gain^2 of orthogonal init: 2 for ReLU-like activations (He's argument), 1 otherwise.
pub fn orthogonal_gain2(act: ActivationKind) -> f64 {
    match act {
        ActivationKind::Relu | ActivationKind::LeakyRelu => 2.0,
        _ => 1.0,
    }
}

/// Fills a weight `[out][in]` row-major and its bias.
pub fn init_linear(m: &ModelConfig, site: LinearSite, fan_in: usize, fan_out: usize, weight: &mut [f64], bias: &mut [f64], rng: &mut Rng) {
    let (fi, fo) = (fan_in as f64, fan_out as f64);
    bias.fill(0.0);
    let normal = |w: &mut [f64], var: f64, rng: &mut Rng| w.iter_mut().for_each(|v| *v = var.sqrt() * rng.normal());
    let uniform = |w: &mut [f64], a: f64, rng: &mut Rng| w.iter_mut().for_each(|v| *v = rng.uniform_in(-a, a));
    match m.init {
        InitKind::XavierUniform => uniform(weight, (6.0 / (fi + fo)).sqrt(), rng),
        InitKind::XavierNormal => normal(weight, 2.0 / (fi + fo), rng),
        InitKind::HeNormal | InitKind::Rezero => normal(weight, 2.0 / fi, rng),
        InitKind::HeUniform => uniform(weight, (6.0 / fi).sqrt(), rng),
        InitKind::LecunNormal => normal(weight, 1.0 / fi, rng),
        InitKind::Orthogonal => orthogonal(weight, fan_out, fan_in, orthogonal_gain2(m.activation).sqrt(), rng),
        InitKind::Custom => {
            normal(weight, m.sigma_w2 / fi, rng);
            normal(bias, m.sigma_b2, rng);
        }
        InitKind::Fixup => match site {
            // Zhang et al. 2019, "Fixup": the last layer of each branch and the head start at 0;
            // the other branch layers are He-initialized and scaled by L^(-1/(2m-2)).
            LinearSite::BranchLast | LinearSite::Head => weight.fill(0.0),
            LinearSite::BranchInner => {
                let m_layers = m.branch_layers as f64;
                let scale = libm::pow(m.depth as f64, -1.0 / (2.0 * m_layers - 2.0));
                normal(weight, 2.0 / fi * scale * scale, rng);
            }
            LinearSite::Stem | LinearSite::Plain => normal(weight, 2.0 / fi, rng),
        },
    }
}

/// gain * a (semi-)orthogonal matrix `rows x cols` by QR of a Gaussian matrix, with the
/// signs of R's diagonal folded into Q so the result is Haar-distributed (Mezzadri 2007).
pub fn orthogonal(weight: &mut [f64], rows: usize, cols: usize, gain: f64, rng: &mut Rng) {
    let (big, small) = (rows.max(cols), rows.min(cols));
    let g = DMatrix::<f64>::from_fn(big, small, |_, _| rng.normal());
    let qr = g.qr();
    let mut q = qr.q(); // big x small, orthonormal columns
    let r = qr.r();
    for j in 0..small {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    // weight is [rows][cols] row-major.
    for i in 0..rows {
        for j in 0..cols {
            let v = if rows >= cols { q[(i, j)] } else { q[(j, i)] };
            weight[i * cols + j] = gain * v;
        }
    }
}
