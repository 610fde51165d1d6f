//! Veit, Wilber & Belongie 2016, "Residual networks behave like ensembles of relatively
//! shallow networks": deleting one block of a trained residual net at test time costs little
//! (removing a layer of a plain VGG net drops it to chance), deleting k blocks degrades it
//! smoothly, and most of the gradient comes from short paths: of a 54-block ResNet's 2^54
//! paths, whose lengths are Binomial(54, 1/2), the gradient is carried by paths of length
//! about 5 to 17.
//!
//! Here: a residual net (α = 1/√L) and a plain net are trained on a spiral; then each
//! block is deleted in turn (`lesion::forward_without`), then k random blocks at a time; and
//! for the residual net the input gradient through paths of each length k is measured as
//! Veit et al. do (`lesion::path_gradient`: through the branch of k random blocks, the skip
//! of the others) and weighted by the number of such paths, C(L, k).

use super::common::{finding, mean, Curve, Summary, TrainRun};
use super::{Job, Size, UnitInfo, UnitResult};
use crate::config::{BranchScale, Config, DataConfig, DatasetName, InitKind, ModelConfig, NetKind, NormKind, OptimizerConfig};
use crate::error::Result;
use crate::lesion::{metrics_without, path_gradient};
use crate::loss::softmax_cross_entropy;
use crate::norm::Mode;
use crate::rng::Rng;
use crate::trainer::Trainer;
use serde::{Deserialize, Serialize};

struct Scale {
    res_depth: usize,
    plain_depth: usize,
    width: usize,
    steps: usize,
    /// Largest number of blocks deleted at once, and random sets per k.
    k_max: usize,
    sets: usize,
    /// Random branch patterns per path length.
    patterns: usize,
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { res_depth: 24, plain_depth: 8, width: 24, steps: 1200, k_max: 10, sets: 6, patterns: 6 },
        Size::Default => Scale { res_depth: 54, plain_depth: 15, width: 32, steps: 3000, k_max: 20, sets: 10, patterns: 10 },
        Size::Full => Scale { res_depth: 54, plain_depth: 15, width: 64, steps: 6000, k_max: 27, sets: 20, patterns: 20 },
    }
}

fn config(size: Size, residual: bool) -> Config {
    let s = scale(size);
    Config {
        model: ModelConfig {
            kind: if residual { NetKind::Residual } else { NetKind::Plain },
            depth: if residual { s.res_depth } else { s.plain_depth },
            width: s.width,
            norm: NormKind::None,
            init: InitKind::HeNormal,
            branch_scale: BranchScale::InvSqrtDepth,
            ..ModelConfig::default()
        },
        optimizer: OptimizerConfig { lr: 0.003, ..OptimizerConfig::default() },
        data: DataConfig { name: DatasetName::Spiral, classes: 3, n: 1200, noise: 0.05, test_fraction: 0.25, ..DataConfig::default() },
        batch_size: 64,
        seed: 7,
        ..Config::default()
    }
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    vec![
        UnitInfo { label: format!("residual net, {} blocks", s.res_depth), cost: (2 * s.res_depth * s.width * s.width * s.steps) as f64 * 1.3 },
        UnitInfo { label: format!("plain net, {} layers", s.plain_depth), cost: (s.plain_depth * s.width * s.width * s.steps) as f64 },
    ]
}

/// One trained net and its lesions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetLesions {
    pub residual: bool,
    pub depth: usize,
    pub curve: Curve,
    /// Test accuracy of the intact net.
    pub test_accuracy: f64,
    pub chance: f64,
    /// Test accuracy with block l (l = 1..=L) deleted, in order; filled as they are measured.
    pub single: Vec<f64>,
    /// k = 1..=k_max blocks deleted at random: mean, lowest and highest test accuracy over the
    /// random sets.
    pub k: Vec<f64>,
    pub k_mean: Vec<f64>,
    pub k_min: Vec<f64>,
    pub k_max: Vec<f64>,
    /// Residual only, per path length k = 0..=L: the Frobenius norm of dL/dh_0 through one
    /// path pattern with k branches (mean over random patterns), the fraction of paths with
    /// that length (C(L, k) / 2^L) and the share of the total gradient magnitude they carry
    /// (C(L, k) times the norm, normalised to sum to 1).
    pub path_length: Vec<f64>,
    pub path_grad: Vec<f64>,
    pub path_fraction: Vec<f64>,
    pub path_weighted: Vec<f64>,
}

enum Phase {
    Train,
    Single(usize),
    Random(usize),
    Paths(usize),
    Done,
}

pub struct LesionJob {
    size: Size,
    run: TrainRun,
    out: NetLesions,
    phase: Phase,
    rng: Rng,
}

pub fn start(size: Size, unit: usize) -> Result<LesionJob> {
    let residual = unit == 0;
    let cfg = config(size, residual);
    let chance = 1.0 / cfg.builtin_classes() as f64;
    let depth = cfg.model.depth;
    let run = TrainRun::new(cfg, scale(size).steps, 100)?;
    let out = NetLesions { residual, depth, chance, ..NetLesions::default() };
    Ok(LesionJob { size, run, out, phase: Phase::Train, rng: Rng::new(99 + unit as u64) })
}

/// Test accuracy with the blocks `removed` deleted.
fn test_accuracy(t: &mut Trainer, removed: &[bool]) -> Result<f64> {
    let (n_train, n) = (t.data.n_train, t.data.n());
    Ok(metrics_without(t, removed, n_train, n)?.accuracy.unwrap_or(f64::NAN))
}

/// k distinct indices below n, at random.
fn choose(rng: &mut Rng, n: usize, k: usize) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    let mut mask = vec![false; n];
    for &i in &idx[..k] {
        mask[i] = true;
    }
    mask
}

fn binomial_fraction(n: usize, k: usize) -> f64 {
    // C(n, k) / 2^n in logs (n up to a few hundred).
    let ln_c: f64 = (0..k).map(|i| ((n - i) as f64).ln() - ((i + 1) as f64).ln()).sum();
    (ln_c - n as f64 * std::f64::consts::LN_2).exp()
}

impl LesionJob {
    /// The path-gradient norms for length k, one forward pass on the first training batch.
    fn paths_at(&mut self, k: usize) -> Result<f64> {
        let s = scale(self.size);
        let t = &mut self.run.trainer;
        let (d_in, d_out, b, w) = (t.data.d_in, t.data.d_out, t.config.batch_size.min(t.data.n_train), t.net.width());
        let mut x = vec![0.0f32; b * d_in];
        let mut labels = vec![0u32; b];
        for s in 0..b {
            for f in 0..d_in {
                x[s + f * b] = t.data.x[s * d_in + f];
            }
            labels[s] = t.data.y[s] as u32;
        }
        let out = t.net.forward(&x, b, Mode::Eval, 0.1).to_vec();
        let mut d_logits = vec![0.0f32; b * d_out];
        softmax_cross_entropy(&out, &labels, d_out, b, &mut d_logits);
        let mut d_h0 = vec![0.0f32; b * w];
        let depth = t.net.blocks.len();
        let patterns = if k == 0 || k == depth { 1 } else { s.patterns };
        let mut norms = Vec::with_capacity(patterns);
        for _ in 0..patterns {
            let mask = choose(&mut self.rng, depth, k);
            path_gradient(&mut t.net, &d_logits, b, &mask, &mut d_h0)?;
            norms.push(d_h0.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>().sqrt());
        }
        Ok(mean(norms))
    }
}

impl Job for LesionJob {
    fn advance(&mut self) -> Result<bool> {
        let depth = self.out.depth;
        let s = scale(self.size);
        match self.phase {
            Phase::Train => {
                let done = self.run.advance()?;
                self.out.curve = self.run.curve.clone();
                if done {
                    self.out.test_accuracy = test_accuracy(&mut self.run.trainer, &vec![false; depth])?;
                    self.phase = Phase::Single(0);
                }
            }
            Phase::Single(l) => {
                // a few blocks per slice
                let end = (l + 8).min(depth);
                for b in l..end {
                    let mut mask = vec![false; depth];
                    mask[b] = true;
                    let acc = test_accuracy(&mut self.run.trainer, &mask)?;
                    self.out.single.push(acc);
                }
                self.phase = if end == depth { Phase::Random(1) } else { Phase::Single(end) };
            }
            Phase::Random(k) => {
                let k_top = s.k_max.min(depth);
                let accs: Vec<f64> = (0..s.sets)
                    .map(|_| {
                        let mask = choose(&mut self.rng, depth, k);
                        test_accuracy(&mut self.run.trainer, &mask)
                    })
                    .collect::<Result<_>>()?;
                self.out.k.push(k as f64);
                self.out.k_mean.push(mean(accs.iter().copied()));
                self.out.k_min.push(accs.iter().cloned().fold(f64::INFINITY, f64::min));
                self.out.k_max.push(accs.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
                self.phase = if k < k_top { Phase::Random(k + 1) } else if self.out.residual { Phase::Paths(0) } else { Phase::Done };
            }
            Phase::Paths(k) => {
                let end = (k + 6).min(depth + 1);
                for kk in k..end {
                    let g = self.paths_at(kk)?;
                    self.out.path_length.push(kk as f64);
                    self.out.path_grad.push(g);
                    self.out.path_fraction.push(binomial_fraction(depth, kk));
                }
                if end == depth + 1 {
                    let total: Vec<f64> = self.out.path_grad.iter().zip(&self.out.path_fraction).map(|(g, f)| g * f).collect();
                    let sum: f64 = total.iter().sum();
                    self.out.path_weighted = total.iter().map(|v| v / sum).collect();
                    self.phase = Phase::Done;
                } else {
                    self.phase = Phase::Paths(end);
                }
            }
            Phase::Done => {}
        }
        Ok(matches!(self.phase, Phase::Done))
    }

    fn progress(&self) -> f64 {
        // training is most of the cost; lesions and paths the last tenth
        let depth = self.out.depth as f64;
        match self.phase {
            Phase::Train => 0.9 * self.run.progress(),
            Phase::Single(l) => 0.9 + 0.03 * l as f64 / depth,
            Phase::Random(k) => 0.93 + 0.04 * k as f64 / scale(self.size).k_max as f64,
            Phase::Paths(k) => 0.97 + 0.03 * k as f64 / (depth + 1.0),
            Phase::Done => 1.0,
        }
    }

    fn result(&self) -> UnitResult {
        UnitResult::Lesions(self.out.clone())
    }
}

/// The smallest window of path lengths that carries `mass` of the gradient-weighted
/// distribution: (shortest, longest).
pub fn bulk(lengths: &[f64], weights: &[f64], mass: f64) -> (f64, f64) {
    let n = weights.len().min(lengths.len());
    let mut best = (0usize, n.saturating_sub(1));
    for i in 0..n {
        let mut acc = 0.0;
        for j in i..n {
            acc += weights[j];
            if acc >= mass {
                if j - i < best.1 - best.0 {
                    best = (i, j);
                }
                break;
            }
        }
    }
    if n == 0 { (f64::NAN, f64::NAN) } else { (lengths[best.0], lengths[best.1]) }
}

pub fn summarize(_size: Size, nets: &[NetLesions]) -> Summary {
    let res = &nets[0];
    let plain = &nets[1];
    let drop = |n: &NetLesions| mean(n.single.iter().map(|a| n.test_accuracy - a));
    let worst = |n: &NetLesions| n.single.iter().map(|a| n.test_accuracy - a).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = bulk(&res.path_length, &res.path_weighted, 0.9);
    let mode = res.path_weighted.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).and_then(|(i, _)| res.path_length.get(i).copied()).unwrap_or(f64::NAN);
    let at_k = |n: &NetLesions, k: f64| n.k.iter().position(|&v| v == k).and_then(|i| n.k_mean.get(i).copied()).unwrap_or(f64::NAN);
    Summary {
        findings: vec![
            finding("res_test_accuracy", "residual net: test accuracy intact", "", res.test_accuracy),
            finding("res_single_drop", "residual net: mean test-accuracy drop when one block is deleted", "small, except at downsampling blocks", drop(res)),
            finding("res_single_worst", "residual net: largest drop over the blocks", "", worst(res)),
            finding("plain_test_accuracy", "plain net: test accuracy intact", "", plain.test_accuracy),
            finding("plain_single_drop", "plain net: mean test-accuracy drop when one layer is deleted", "", drop(plain)),
            finding("plain_single_mean", "plain net: mean test accuracy with one layer deleted", "chance (VGG)", mean(plain.single.iter().copied())),
            finding("chance", "chance accuracy", "", res.chance),
            finding("res_k5", "residual net: mean test accuracy with 5 random blocks deleted", "degrades smoothly", at_k(res, 5.0)),
            finding("res_k10", "residual net: mean test accuracy with 10 random blocks deleted", "degrades smoothly", at_k(res, 10.0)),
            finding("path_mode", "most gradient-carrying path length", "", mode),
            finding("path_bulk_lo", "shortest path length of the 90% gradient window", "5 (of 54)", lo),
            finding("path_bulk_hi", "longest path length of the 90% gradient window", "17 (of 54)", hi),
            finding("path_mean_length", "mean path length (paths counted, Binomial(L, 1/2))", "27 (of 54)", res.depth as f64 / 2.0),
        ],
        curves: vec![],
    }
}
