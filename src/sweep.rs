//! Depth sweep at init: the per-layer signal statistics of a config over many seeds, as a
//! geometric mean with a 10-90% band (finite-width nets scatter log-normally around the
//! mean-field prediction, so the geometric mean and quantiles are the right summary).

use crate::config::Config;
use crate::error::Result;
use crate::trainer::Trainer;

/// Geometric mean and 10% / 90% quantiles over seeds, per layer l = 0..=L.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Band {
    pub geo_mean: Vec<f64>,
    pub p10: Vec<f64>,
    pub p90: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct DepthSweep {
    pub seeds: usize,
    /// Second moment of h_l (the stream's q).
    pub act_mean_sq: Band,
    /// RMS of dL/dh_l.
    pub grad_rms: Band,
    /// Seeds whose probe hit a non-finite value (left out of the bands).
    pub diverged: usize,
}

pub const MAX_SWEEP_SEEDS: usize = 256;

/// Probes `seeds` fresh nets (seeds config.seed, config.seed + 1, ...) at init.
pub fn depth_sweep(config: &Config, seeds: usize) -> Result<DepthSweep> {
    if !(1..=MAX_SWEEP_SEEDS).contains(&seeds) {
        return Err(crate::error::LabError::invalid("seeds", format!("{seeds} is out of range; allowed 1 to {MAX_SWEEP_SEEDS}")));
    }
    let depth = config.model.depth;
    let mut q: Vec<Vec<f64>> = vec![Vec::with_capacity(seeds); depth + 1];
    let mut g: Vec<Vec<f64>> = vec![Vec::with_capacity(seeds); depth + 1];
    let mut diverged = 0;
    for s in 0..seeds {
        let mut c = config.clone();
        c.seed = config.seed.wrapping_add(s as u32);
        let mut t = Trainer::new(c)?;
        let r = t.probe();
        if r.diverged.is_some() {
            diverged += 1;
            continue;
        }
        for l in 0..=depth {
            q[l].push(r.layers.act_mean_sq[l] as f64);
            g[l].push(r.layers.grad_rms[l] as f64);
        }
    }
    Ok(DepthSweep { seeds, act_mean_sq: band(&mut q), grad_rms: band(&mut g), diverged })
}

fn band(per_layer: &mut [Vec<f64>]) -> Band {
    let mut b = Band { geo_mean: Vec::new(), p10: Vec::new(), p90: Vec::new() };
    for xs in per_layer.iter_mut() {
        xs.retain(|v| v.is_finite() && *v > 0.0);
        if xs.is_empty() {
            b.geo_mean.push(0.0);
            b.p10.push(0.0);
            b.p90.push(0.0);
            continue;
        }
        xs.sort_unstable_by(f64::total_cmp);
        let n = xs.len();
        b.geo_mean.push((xs.iter().map(|v| v.ln()).sum::<f64>() / n as f64).exp());
        let at = |p: f64| xs[((p * (n - 1) as f64).round() as usize).min(n - 1)];
        b.p10.push(at(0.1));
        b.p90.push(at(0.9));
    }
    b
}
