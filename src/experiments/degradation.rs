//! He, Zhang, Ren & Sun 2016, "Deep residual learning for image recognition", Fig. 1 and 4:
//! the degradation problem. A deeper plain net, with BatchNorm so that its forward and
//! backward signals do not vanish, reaches a *higher training* error than a shallower one
//! (not overfitting: an optimisation difficulty); residual nets of the same depths do not
//! degrade, the deeper one training at least as well.
//!
//! Here: plain nets h <- ReLU(BN(W h + b)) and residual nets h <- h + W2 ReLU(W1 BN(h)) with a
//! final BatchNorm (the pre-activation ResNet's, He et al. 2016b) at two depths, trained alike
//! with SGD and momentum, warm-up and two learning-rate drops; the training loss is the
//! training split's mean loss with BatchNorm on running statistics.

use super::common::{finding, Curve, RunJob, Summary, TrainRun};
use super::{Size, UnitInfo, UnitResult};
use crate::config::{BranchScale, Config, DataConfig, DatasetName, InitKind, ModelConfig, NetKind, NormKind, NormPosition, OptimizerConfig, OptimizerKind};
use crate::error::Result;
use serde::{Deserialize, Serialize};

struct Scale {
    depths: [usize; 2],
    width: usize,
    steps: usize,
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { depths: [6, 24], width: 24, steps: 1000 },
        Size::Default => Scale { depths: [10, 40], width: 32, steps: 2500 },
        Size::Full => Scale { depths: [20, 80], width: 64, steps: 6000 },
    }
}

/// Units: (residual, depth) in the order plain shallow, plain deep, residual shallow, residual deep.
fn nets(size: Size) -> [(bool, usize); 4] {
    let [a, b] = scale(size).depths;
    [(false, a), (false, b), (true, a), (true, b)]
}

pub fn config(size: Size, residual: bool, depth: usize) -> Config {
    let s = scale(size);
    Config {
        model: ModelConfig {
            kind: if residual { NetKind::Residual } else { NetKind::Plain },
            depth,
            width: s.width,
            norm: NormKind::Batch,
            norm_position: NormPosition::Pre,
            // a BatchNorm before the head, as the pre-activation ResNet has (He et al. 2016b);
            // the plain net's last layer is normalised already
            final_norm: residual,
            init: InitKind::HeNormal,
            branch_scale: BranchScale::One,
            ..ModelConfig::default()
        },
        optimizer: OptimizerConfig { kind: OptimizerKind::Momentum, lr: 0.02, momentum: 0.9, ..OptimizerConfig::default() },
        data: DataConfig { name: DatasetName::Spiral, classes: 3, n: 900, noise: 0.05, ..DataConfig::default() },
        batch_size: 64,
        seed: 17,
        ..Config::default()
    }
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    nets(size)
        .iter()
        .map(|&(r, d)| UnitInfo {
            label: format!("{}, {d} {}", if r { "residual" } else { "plain" }, if r { "blocks" } else { "layers" }),
            cost: ((1 + r as usize) * d * s.width * s.width * s.steps) as f64,
        })
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Net {
    pub residual: bool,
    pub depth: usize,
    pub curve: Curve,
    pub diverged: bool,
}

pub fn start(size: Size, unit: usize) -> Result<RunJob<Net>> {
    let s = scale(size);
    let (residual, depth) = nets(size)[unit];
    let mut run = TrainRun::new(config(size, residual, depth), s.steps, 50)?;
    run.lr_drops = true;
    run.warmup = s.steps / 20;
    Ok(RunJob::new(run, Net { residual, depth, ..Net::default() }, fill, UnitResult::Degradation))
}

fn fill(run: &TrainRun, out: &mut Net) {
    out.curve = run.curve.clone();
    out.diverged = run.diverged;
}

fn final_loss(n: &Net) -> f64 {
    n.curve.final_loss(n.diverged)
}

pub fn summarize(size: Size, nets: &[Net]) -> Summary {
    let [a, b] = scale(size).depths;
    let (ps, pd, rs, rd) = (final_loss(&nets[0]), final_loss(&nets[1]), final_loss(&nets[2]), final_loss(&nets[3]));
    Summary {
        findings: vec![
            finding("plain_shallow", format!("plain, {a} layers: final training loss"), "", ps),
            finding("plain_deep", format!("plain, {b} layers: final training loss"), "higher than the shallow net's", pd),
            finding("res_shallow", format!("residual, {a} blocks: final training loss"), "", rs),
            finding("res_deep", format!("residual, {b} blocks: final training loss"), "lower than the shallow net's", rd),
            finding("plain_ratio", "plain: deep / shallow training loss", "> 1", pd / ps),
            finding("res_ratio", "residual: deep / shallow training loss", "< 1", rd / rs),
        ],
        curves: vec![],
    }
}
