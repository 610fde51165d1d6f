//! Deep kernel shaping (Martens, Ballard, Desjardins, Swirszcz, Dalibard, Sohl-Dickstein &
//! Schoenholz 2021) and tailored activation transformation (Zhang, Botev & Martens 2022, "Deep
//! learning without shortcuts"): a deep plain net without skips or normalisation trains about
//! as well as a residual net if its activation is chosen so that the whole net's kernel stays
//! well-behaved. TAT for leaky ReLU: phi(x) = sqrt(2 / (1 + a^2)) leaky_relu_a(x) (so q is
//! preserved) with the negative slope a chosen so that the net's composed correlation map
//! sends c = 0 to eta (the paper's eta = 0.9 here), instead of towards 1 as ReLU's does.
//!
//! Here: three nets of depth L trained alike: a plain leaky-ReLU net with TAT's slope and
//! s_w^2 = 2 / (1 + a^2), orthogonal weights; a residual He-ReLU net with α = 1/√L;
//! a plain ReLU net with orthogonal weights at the edge of chaos (s_w^2 = 2).

use super::common::{finding, orthogonal_blocks, tail, Curve, RunJob, Summary, TrainRun};
use super::{Size, UnitInfo, UnitResult};
use crate::config::{ActivationKind, BranchScale, Config, DataConfig, DatasetName, InitKind, ModelConfig, NetKind, OptimizerConfig};
use crate::error::Result;
use crate::theory::{correlation_map, Phi};
use crate::trainer::Trainer;
use serde::{Deserialize, Serialize};

pub const ETA: f64 = 0.9;

struct Scale {
    depth: usize,
    width: usize,
    steps: usize,
    /// Adam learning rates (divided by 10 at half and three quarters of the steps); each
    /// net is reported at its best.
    lrs: &'static [f64],
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { depth: 30, width: 32, steps: 800, lrs: &[3e-4, 1e-3] },
        Size::Default => Scale { depth: 50, width: 48, steps: 1500, lrs: &[3e-4, 1e-3] },
        Size::Full => Scale { depth: 100, width: 64, steps: 3000, lrs: &[3e-4, 1e-3] },
    }
}

/// c_L(0) of L leaky-ReLU layers of slope a with s_w^2 = 2 / (1 + a^2).
pub fn composed_c0(depth: usize, slope: f64) -> f64 {
    let phi = Phi { kind: ActivationKind::LeakyRelu, leaky_slope: slope };
    let sw2 = 2.0 / (1.0 + slope * slope);
    (0..depth).fold(0.0, |c, _| correlation_map(phi, sw2, 0.0, 1.0, c))
}

/// TAT's negative slope for depth L: the a in (0, 1) with c_L(0) = eta (bisection; c_L(0)
/// falls from ReLU's value at a = 0 to 0 at a = 1, the linear net).
pub fn tat_slope(depth: usize, eta: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if composed_c0(depth, mid) > eta {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

const NETS: [&str; 3] = ["plain, TAT leaky ReLU", "residual, α = 1/√L", "plain, ReLU (edge of chaos)"];

/// Units: every net at every learning rate, net-major.
fn runs(size: Size) -> Vec<(usize, f64)> {
    (0..NETS.len()).flat_map(|n| scale(size).lrs.iter().map(move |&lr| (n, lr))).collect()
}

pub fn config(size: Size, net: usize, lr: f64) -> Config {
    let s = scale(size);
    let base = ModelConfig { depth: s.depth, width: s.width, ..ModelConfig::default() };
    let model = match net {
        0 => {
            let a = tat_slope(s.depth, ETA);
            ModelConfig { kind: NetKind::Plain, activation: ActivationKind::LeakyRelu, leaky_slope: a, init: InitKind::Custom, sigma_w2: 2.0 / (1.0 + a * a), sigma_b2: 0.0, ..base }
        }
        1 => ModelConfig { kind: NetKind::Residual, activation: ActivationKind::Relu, init: InitKind::HeNormal, branch_scale: BranchScale::InvSqrtDepth, branch_layers: 1, ..base },
        _ => ModelConfig { kind: NetKind::Plain, activation: ActivationKind::Relu, init: InitKind::Custom, sigma_w2: 2.0, sigma_b2: 0.0, ..base },
    };
    Config {
        model,
        optimizer: OptimizerConfig { lr, ..OptimizerConfig::default() },
        data: DataConfig { name: DatasetName::Spiral, classes: 3, n: 900, noise: 0.05, ..DataConfig::default() },
        batch_size: 64,
        seed: 11,
        ..Config::default()
    }
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    runs(size).into_iter().map(|(n, lr)| UnitInfo { label: format!("{}, lr {lr}", NETS[n]), cost: ((1 + (n == 1) as usize) * s.depth * s.width * s.width * s.steps) as f64 }).collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Net {
    pub label: String,
    pub lr: f64,
    pub depth: usize,
    pub slope: Option<f64>,
    pub sw2: f64,
    pub curve: Curve,
    pub diverged: bool,
}

pub fn start(size: Size, unit: usize) -> Result<RunJob<Net>> {
    let s = scale(size);
    let (net, lr) = runs(size)[unit];
    let cfg = config(size, net, lr);
    let m = cfg.model.clone();
    let mut trainer = Trainer::new(cfg)?;
    if m.kind == NetKind::Plain {
        orthogonal_blocks(&mut trainer, m.sigma_w2, 0.0, 41);
    }
    let out = Net {
        label: NETS[net].into(),
        lr,
        depth: s.depth,
        slope: (m.activation == ActivationKind::LeakyRelu).then_some(m.leaky_slope),
        sw2: if m.init == InitKind::Custom { m.sigma_w2 } else { 2.0 },
        ..Net::default()
    };
    let mut run = TrainRun::from_trainer(trainer, s.steps, 50);
    run.lr_drops = true;
    Ok(RunJob::new(run, out, fill, UnitResult::Tat))
}

fn fill(run: &TrainRun, out: &mut Net) {
    out.curve = run.curve.clone();
    out.diverged = run.diverged;
}

fn final_loss(n: &Net) -> f64 {
    n.curve.final_loss(n.diverged)
}

/// The run with the lowest final training loss among a net's learning rates (a run that
/// diverged or has no curve, NaN, counts as the worst). `runs` is never empty: `summarize`
/// checked the count.
pub fn best(runs: &[Net]) -> &Net {
    let key = |n: &Net| { let l = final_loss(n); if l.is_nan() { f64::INFINITY } else { l } };
    runs.iter().min_by(|a, b| key(a).total_cmp(&key(b))).unwrap_or(&runs[0])
}

pub fn summarize(size: Size, nets: &[Net]) -> Summary {
    let s = scale(size);
    let per = s.lrs.len();
    let (tat, res, relu) = (best(&nets[..per]), best(&nets[per..2 * per]), best(&nets[2 * per..]));
    let loss = |n: &Net| final_loss(n);
    let acc = |n: &Net| if n.diverged { f64::NAN } else { tail(&n.curve.accuracy) };
    let at_lr = |k: usize, lr: f64| nets[k * per..(k + 1) * per].iter().find(|n| n.lr == lr).map_or(f64::NAN, final_loss);
    let common = s.lrs[s.lrs.len() - 1];
    let a = tat_slope(s.depth, ETA);
    Summary {
        findings: vec![
            finding("slope", format!("TAT slope a for L = {}, eta = 0.9", s.depth), "TAT's rule", a),
            finding("sw2", "TAT σ_w² = 2/(1 + a²)", "TAT's rule", 2.0 / (1.0 + a * a)),
            finding("relu_c0", format!("plain ReLU net: its correlation map sends 0 to (L = {})", s.depth), "near 1 (TAT: 0.9)", composed_c0(s.depth, 0.0)),
            finding("tat_loss", "TAT plain net: final training loss (best learning rate)", "about the residual net's (K-FAC, ImageNet)", loss(tat)),
            finding("res_loss", "residual net: final training loss (best learning rate)", "", loss(res)),
            finding("relu_loss", "plain ReLU net: final training loss (best learning rate)", "higher", loss(relu)),
            finding("tat_acc", "TAT plain net: final training accuracy", "", acc(tat)),
            finding("res_acc", "residual net: final training accuracy", "", acc(res)),
            finding("relu_acc", "plain ReLU net: final training accuracy", "", acc(relu)),
            finding("tat_lr", "TAT plain net: best learning rate", "", tat.lr),
            finding("res_lr", "residual net: best learning rate", "", res.lr),
            finding("relu_lr", "plain ReLU net: best learning rate", "", relu.lr),
            finding("tat_loss_common", format!("TAT plain net: final training loss at lr {common}"), "", at_lr(0, common)),
            finding("res_loss_common", format!("residual net: final training loss at lr {common}"), "", at_lr(1, common)),
            finding("relu_loss_common", format!("plain ReLU net: final training loss at lr {common}"), "", at_lr(2, common)),
        ],
        curves: vec![],
    }
}
