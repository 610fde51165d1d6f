//! Mean-field signal-propagation theory: what an infinitely wide network of the configured
//! shape should do at initialisation, to draw next to what the trainer measures.
//!
//! Everything here is f64 and deterministic (transcendentals through `libm`, as in `scalar.rs`).
//!
//! * Gaussian expectations E over z ~ N(0,1): [`gauss_expect`] uses a cached Gauss–Hermite
//!   rule for the probabilists' weight (Golub & Welsch 1969), right for integrands smooth on
//!   the scale of 1. Expectations of an activation at variance q, E[f(sqrt(q) z)], use a
//!   sinh-mapped trapezoid rule instead, whose accuracy (~1e-10) does not degrade as q grows;
//!   Gauss–Hermite's does (see [`Quadrature::gauss_hermite`]). ReLU, leaky ReLU and linear
//!   use closed forms throughout.
//! * Single-layer maps of a fully connected layer `z = W y + b`, `y = phi(z_prev)`, with
//!   `Var W_ij = s_w2 / fan_in`, `Var b_i = s_b2`:
//!   - length map (Poole et al. 2016, eq. 3): `q' = s_w2 E[phi(sqrt(q) z)^2] + s_b2`;
//!   - correlation map (Poole et al. 2016; Schoenholz et al. 2017):
//!     `c' = (s_w2 E[phi(u1) phi(u2)] + s_b2) / q'`, `u1 = sqrt(q) z1`,
//!     `u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2)`;
//!   - `chi1 = s_w2 E[phi'(sqrt(q*) z)^2]` (Schoenholz et al. 2017, eq. 5): the slope of the
//!     correlation map at c = 1, and the per-layer factor of the backward mean square;
//!   - `chi_c = s_w2 E[phi'(u1) phi'(u2)]` at the fixed point (q*, c*) and the correlation
//!     depth scale `xi_c = -1 / ln(chi_c)` (Schoenholz et al. 2017, eq. 9), infinite at chi_c = 1;
//!   - the length depth scale `xi_q = -1 / ln(chi1 + s_w2 E[phi''(u) phi(u)])` at q*
//!     (Schoenholz et al. 2017, sec. 3): the length map's slope at its fixed point.
//! * [`predict_profile`]: the depth profile of the stream's second moment and of the relative
//!   mean square of dL/dh_l for plain and residual nets (Yang & Schoenholz 2017 for residual
//!   nets; De & Smith 2020 for normalised branches; Zhang et al. 2019 Fixup; Bachlechner et
//!   al. 2020 ReZero). Configurations the theory here does not cover say so (`supported:
//!   false` with a reason) instead of guessing.
//! * [`phase_diagram`] and [`critical_sw2`]: the order/chaos phase diagram in (s_w2, s_b2).
//!
//! Backward quantities use the gradient-independence assumption of Schoenholz et al. 2017
//! (weights in the backward pass treated as independent of the forward ones), exact at
//! infinite width for these architectures.

mod fixed_point;
mod maps;
mod phase;
mod phi;
mod profile;
mod quadrature;
#[cfg(test)]
mod tests_maps;
#[cfg(test)]
mod tests_profile;

pub use fixed_point::*;
pub use maps::*;
pub use phase::*;
pub use phi::*;
pub use profile::*;
pub use quadrature::*;
