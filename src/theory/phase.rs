//! The order/chaos phase diagram in (s_w2, s_b2).

use super::fixed_point::{fixed_point_with, FixedPoint};
use super::phi::Phi;
use super::quadrature::COARSE;
use crate::config::ActivationKind;
use crate::error::{num, LabError, Result};

/// Largest number of points per side of a phase diagram.
pub const MAX_PHASE_GRID: usize = 512;

/// The order/chaos phase diagram over a grid of (s_w2, s_b2) (Poole et al. 2016;
/// Schoenholz et al. 2017, Fig. 1). Grids are row-major: the value at (sw2[ix], sb2[iy]) is at
/// index `iy * nx + ix`. Infinite values (xi_c at the edge of chaos, xi_q where the length map
/// does not contract, q_star when unbounded) serialize as `null` with serde_json.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct PhaseDiagram {
    pub activation: Phi,
    pub nx: usize,
    pub ny: usize,
    /// The nx values of s_w2 (columns), evenly spaced, both ends included.
    pub sw2: Vec<f64>,
    /// The ny values of s_b2 (rows).
    pub sb2: Vec<f64>,
    pub q_star: Vec<f64>,
    /// chi1 at q*: < 1 ordered, > 1 chaotic.
    pub chi1: Vec<f64>,
    pub c_star: Vec<f64>,
    /// The correlation depth scale xi_c (layers).
    pub xi_c: Vec<f64>,
    /// The length depth scale xi_q (layers).
    pub xi_q: Vec<f64>,
}

fn grid_axis(field: &str, range: (f64, f64), n: usize, lowest: f64, open_low: bool) -> Result<Vec<f64>> {
    let (a, b) = range;
    let low_ok = if open_low { a > lowest } else { a >= lowest };
    if !(a.is_finite() && b.is_finite() && low_ok && a <= b && b <= 1e3) {
        let lb = if open_low { "(" } else { "[" };
        return Err(LabError::invalid(
            field,
            format!("({}, {}) is not a range; allowed finite lo <= hi within {lb}{}, 1000]", num(a), num(b), num(lowest)),
        ));
    }
    if n == 0 || n > MAX_PHASE_GRID {
        return Err(LabError::invalid(format!("{field} points"), format!("{n} is out of range; allowed 1 to {MAX_PHASE_GRID}")));
    }
    Ok((0..n).map(|i| if n == 1 { a } else { a + (b - a) * i as f64 / (n - 1) as f64 }).collect())
}

/// The phase diagram of `phi` on an nx x ny grid spanning `sw2_range` x `sb2_range` (both ends
/// included; s_w2 > 0, s_b2 >= 0, at most 1000). Uses [`COARSE_STEP`] and looser Newton
/// tolerances than [`fixed_point`] (q*, chi1 to ~1e-5 relative), and starts each cell's solves
/// from an extrapolation of its left neighbours' fixed points.
pub fn phase_diagram(phi: Phi, sw2_range: (f64, f64), sb2_range: (f64, f64), nx: usize, ny: usize) -> Result<PhaseDiagram> {
    let sw2 = grid_axis("sw2_range", sw2_range, nx, 0.0, true)?;
    let sb2 = grid_axis("sb2_range", sb2_range, ny, 0.0, false)?;
    if phi.kind == ActivationKind::LeakyRelu && !(phi.leaky_slope.is_finite() && (0.0..=1.0).contains(&phi.leaky_slope)) {
        return Err(LabError::invalid("leaky_slope", format!("{} is out of range; allowed [0, 1]", num(phi.leaky_slope))));
    }
    let cells = nx * ny;
    let (mut q_star, mut chi1, mut c_star, mut xi_c, mut xi_q) =
        (Vec::with_capacity(cells), Vec::with_capacity(cells), Vec::with_capacity(cells), Vec::with_capacity(cells), Vec::with_capacity(cells));
    for &bias2 in &sb2 {
        // Warm starts: polynomial extrapolation from the cells to the left (the grid is evenly
        // spaced), so that one or two Newton steps usually suffice.
        let mut prev: Vec<FixedPoint> = Vec::with_capacity(nx);
        for &weight2 in &sw2 {
            let recent = &prev[prev.len().saturating_sub(3)..];
            let q_known: Vec<f64> = recent.iter().map(|p| p.q_star).filter(|q| q.is_finite() && *q > 0.0).collect();
            let c_known: Vec<f64> = recent.iter().map(|p| p.c_star).filter(|&c| c < 1.0).collect();
            let q_guess = if phi.kind == ActivationKind::Gelu || q_known.len() < recent.len() {
                // GELU can have two fixed points and q* is defined from q = 1 (a neighbour's
                // q* could start below the unstable one where q = 1 lies above it).
                1.0
            } else {
                extrapolate(&q_known).max(0.5 * q_known.last().copied().unwrap_or(1.0))
            };
            let c_guess = if c_known.len() == recent.len() && !c_known.is_empty() { extrapolate(&c_known).clamp(0.0, 0.999) } else { 0.5 };
            let fp = fixed_point_with(phi, weight2, bias2, COARSE, q_guess, c_guess);
            prev.push(fp);
            q_star.push(fp.q_star);
            chi1.push(fp.chi1);
            c_star.push(fp.c_star);
            xi_c.push(fp.xi_c);
            xi_q.push(fp.xi_q);
        }
    }
    Ok(PhaseDiagram { activation: phi, nx, ny, sw2, sb2, q_star, chi1, c_star, xi_c, xi_q })
}

/// The next value of an evenly spaced sequence from its last one, two or three values
/// (constant, linear or quadratic extrapolation).
fn extrapolate(values: &[f64]) -> f64 {
    match values {
        [.., a, b, c] => 3.0 * c - 3.0 * b + a,
        [a, b] => 2.0 * b - a,
        [a] => *a,
        [] => 1.0,
    }
}
