//! Depth sweep at init: the per-layer signal statistics of a config over many seeds.
//!
//! Which summary: mean-field theory predicts expectations over the random weights, E[q_l]
//! (Poole et al. 2016; for He-initialised ReLU nets E[q_L] = q_0 holds exactly at any width,
//! Hanin & Rolnick 2018). The arithmetic mean over seeds is the statistic to draw against it.
//! A finite-width net scatters about log-normally around it, with Var ln q_L ~ 5L/W for plain
//! ReLU (Hanin & Rolnick 2018), so the geometric mean and the median sit about exp(-5L/(2W))
//! below the mean; they are reported too, with the 10% and 90% quantiles, to show the spread.

use crate::config::Config;
use crate::error::Result;
use crate::trainer::Trainer;

/// Summaries over seeds, per layer l = 0..=L.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Band {
    /// The arithmetic mean over seeds of the second moment (for `act_mean_sq`), or the root of
    /// the mean over seeds of the squared RMS (for `grad_rms`): in both cases the statistic
    /// whose square is an expectation over the weights, the one mean-field theory predicts.
    pub mean: Vec<f64>,
    /// Median over seeds.
    pub median: Vec<f64>,
    /// Geometric mean over seeds (below the mean by about exp(-Var(ln)/2)).
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

/// The per-seed values behind a sweep: `act_mean_sq[l][k]` and `grad_rms[l][k]` for the k-th
/// seed that did not diverge.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSamples {
    pub seeds: usize,
    pub act_mean_sq: Vec<Vec<f64>>,
    pub grad_rms: Vec<Vec<f64>>,
    pub diverged: usize,
}

pub const MAX_SWEEP_SEEDS: usize = 256;

/// Probes `seeds` fresh nets (seeds config.seed, config.seed + 1, ...) at init.
pub fn sweep_samples(config: &Config, seeds: usize) -> Result<SweepSamples> {
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
    Ok(SweepSamples { seeds, act_mean_sq: q, grad_rms: g, diverged })
}

/// [`sweep_samples`] summarised per layer.
pub fn depth_sweep(config: &Config, seeds: usize) -> Result<DepthSweep> {
    let s = sweep_samples(config, seeds)?;
    Ok(DepthSweep { seeds, act_mean_sq: band(&s.act_mean_sq, 1), grad_rms: band(&s.grad_rms, 2), diverged: s.diverged })
}

/// The summaries of each layer's samples; `power` 1 averages the values, 2 their squares
/// (then takes the root).
fn band(per_layer: &[Vec<f64>], power: i32) -> Band {
    let mut b = Band { mean: Vec::new(), median: Vec::new(), geo_mean: Vec::new(), p10: Vec::new(), p90: Vec::new() };
    for samples in per_layer {
        let mut xs: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite() && *v >= 0.0).collect();
        if xs.is_empty() {
            // Every seed diverged at this layer.
            for v in [&mut b.mean, &mut b.median, &mut b.geo_mean, &mut b.p10, &mut b.p90] {
                v.push(0.0);
            }
            continue;
        }
        xs.sort_unstable_by(f64::total_cmp);
        let n = xs.len() as f64;
        let mean_power = xs.iter().map(|v| v.powi(power)).sum::<f64>() / n;
        b.mean.push(if power == 2 { mean_power.sqrt() } else { mean_power });
        b.geo_mean.push((xs.iter().map(|v| v.ln()).sum::<f64>() / n).exp());
        b.median.push(quantile(&xs, 0.5));
        b.p10.push(quantile(&xs, 0.1));
        b.p90.push(quantile(&xs, 0.9));
    }
    b
}

/// The p-quantile of sorted values, interpolated linearly between order statistics (numpy's
/// default; the median of an even count is the mean of the middle two).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let pos = p * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos - pos.floor());
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + frac * (next - sorted[i]),
        None => sorted[i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// numpy.quantile / numpy.mean / scipy.stats.gmean on the same samples.
    #[test]
    fn band_matches_numpy_summaries() {
        let layers = vec![vec![4.0, 1.0, 2.0, 8.0], vec![3.0, f64::NAN, 0.0, 5.0, 1.0]];
        let b = band(&layers, 1);
        assert_eq!(b.mean[0], 3.75);
        assert_eq!(b.median[0], 3.0); // (2 + 4) / 2
        assert!((b.geo_mean[0] - 64f64.powf(0.25)).abs() < 1e-12);
        assert!((b.p10[0] - 1.3).abs() < 1e-12); // np.quantile([1, 2, 4, 8], 0.1)
        assert!((b.p90[0] - 6.8).abs() < 1e-12);
        // Non-finite samples are left out: [0, 1, 3, 5]; a zero makes the geometric mean 0.
        assert_eq!((b.mean[1], b.median[1], b.geo_mean[1]), (2.25, 2.0, 0.0));
        let rms = band(&[vec![3.0, 4.0]], 2);
        assert!((rms.mean[0] - 12.5f64.sqrt()).abs() < 1e-12);
    }
}
