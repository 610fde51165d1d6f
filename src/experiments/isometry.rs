//! Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep learning through
//! dynamical isometry": at the edge of chaos (chi_1 = 1) the mean squared singular value of the
//! input-output Jacobian J is 1 at any depth, but its spread is not: by free probability the
//! variance of the spectrum of J J^T grows linearly with depth,
//!   sigma^2_{JJ^T} = L (mu_2 / mu_1^2 - 1)        orthogonal weights,
//!   sigma^2_{JJ^T} = L (mu_2 / mu_1^2)            Gaussian weights,
//! with mu_k = E[(s_w^2 phi'(h)^2)^k], h ~ N(0, q*). For ReLU mu_2/mu_1^2 = 2 at any q*, so
//! ReLU nets cannot be isometric; for tanh it tends to 1 as q* -> 0, so orthogonal tanh nets
//! near q* = 0 are (dynamical isometry), and they trained much faster.
//!
//! Here: four plain nets of depth L and width W at the edge of chaos: tanh at a small q* with
//! orthogonal or Gaussian weights, ReLU (s_w^2 = 2) with orthogonal or Gaussian weights. For
//! each, the singular values of J = dh_L/dh_0 at init (`jacobian::stream_jacobian`), and the
//! steps of training to 90% training accuracy.

use super::common::{finding, mean, orthogonal_blocks, Curve, NamedCurve, RunJob, Summary, TrainRun};
use super::{Size, UnitInfo, UnitResult};
use crate::config::{ActivationKind, Config, DataConfig, DatasetName, InitKind, ModelConfig, NetKind, OptimizerConfig, OptimizerKind};
use crate::error::Result;
use crate::jacobian::{stream_jacobian, Spectrum};
use crate::theory::{fixed_point, gauss_expect, gaussian_dphi2, gaussian_phi2, Phi};
use crate::trainer::Trainer;
use serde::{Deserialize, Serialize};

/// The fixed point q* of the critical tanh nets (Pennington et al. 2017 train at q* from 1/64
/// up; the smaller q*, the closer to isometry).
pub const TANH_Q_STAR: f64 = 1.0 / 64.0;

struct Scale {
    depth: usize,
    /// Width of the nets whose Jacobian is measured.
    width: usize,
    /// Width of the nets that are trained (narrower, for time).
    train_width: usize,
    /// Training steps at most (a run stops at 90% training accuracy).
    steps: usize,
    /// Learning rates of SGD with momentum 0.9; each net's best one is reported.
    lrs: &'static [f64],
    /// Inputs at which J is taken (its spectrum is averaged over them).
    inputs: usize,
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { depth: 30, width: 64, train_width: 64, steps: 300, lrs: &[0.003, 0.01], inputs: 2 },
        Size::Default => Scale { depth: 50, width: 128, train_width: 128, steps: 300, lrs: &[0.003, 0.01], inputs: 4 },
        Size::Full => Scale { depth: 100, width: 128, train_width: 128, steps: 1000, lrs: &[0.001, 0.003, 0.01], inputs: 8 },
    }
}

/// (s_w^2, s_b^2) of tanh at the edge of chaos with fixed point q: chi_1 = s_w^2 E[phi'^2] = 1
/// and q = s_w^2 E[phi^2] + s_b^2.
pub fn critical_tanh(q: f64) -> (f64, f64) {
    let phi = Phi::new(ActivationKind::Tanh);
    let sw2 = 1.0 / gaussian_dphi2(phi, q);
    (sw2, q - sw2 * gaussian_phi2(phi, q))
}

/// (label, activation, orthogonal weights)
const NETS: [(&str, ActivationKind, bool); 4] = [
    ("tanh, orthogonal", ActivationKind::Tanh, true),
    ("tanh, Gaussian", ActivationKind::Tanh, false),
    ("ReLU, orthogonal", ActivationKind::Relu, true),
    ("ReLU, Gaussian", ActivationKind::Relu, false),
];

fn weights(act: ActivationKind) -> (f64, f64) {
    if act == ActivationKind::Tanh { critical_tanh(TANH_Q_STAR) } else { (2.0, 0.0) }
}

pub fn config(size: Size, act: ActivationKind, width: usize, lr: f64) -> Config {
    let s = scale(size);
    let (sw2, sb2) = weights(act);
    Config {
        model: ModelConfig { kind: NetKind::Plain, depth: s.depth, width, activation: act, init: InitKind::Custom, sigma_w2: sw2, sigma_b2: sb2, ..ModelConfig::default() },
        optimizer: OptimizerConfig { kind: OptimizerKind::Momentum, lr, ..OptimizerConfig::default() },
        data: DataConfig { name: DatasetName::Spiral, n: 512, noise: 0.05, ..DataConfig::default() },
        batch_size: 64,
        seed: 5,
        ..Config::default()
    }
}

/// sigma^2_{JJ^T} / L from free probability (Pennington et al. 2017): mu_2/mu_1^2 - 1 for
/// orthogonal weights, mu_2/mu_1^2 for Gaussian ones, mu_k = E[(s_w^2 phi'(h)^2)^k],
/// h ~ N(0, q*).
pub fn variance_per_layer(act: ActivationKind, orthogonal: bool) -> f64 {
    let ratio = match act {
        ActivationKind::Relu => 2.0,
        _ => {
            let (sw2, sb2) = weights(act);
            let phi = Phi::new(act);
            let q = fixed_point(phi, sw2, sb2).q_star;
            let d2 = |z: f64| {
                let d = phi.deriv(q.sqrt() * z);
                d * d
            };
            gauss_expect(|z| d2(z) * d2(z)) / gauss_expect(d2).powi(2)
        }
    };
    if orthogonal { ratio - 1.0 } else { ratio }
}

/// Units: every net at every learning rate, net-major.
fn runs(size: Size) -> Vec<(usize, f64)> {
    (0..NETS.len()).flat_map(|n| scale(size).lrs.iter().map(move |&lr| (n, lr))).collect()
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    runs(size).into_iter().map(|(n, lr)| UnitInfo { label: format!("{}, lr {lr}", NETS[n].0), cost: (s.depth * s.width * s.width * s.steps) as f64 }).collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Net {
    pub label: String,
    pub lr: f64,
    pub orthogonal: bool,
    pub sw2: f64,
    pub sb2: f64,
    pub depth: usize,
    /// Width of the net whose Jacobian was measured, and of the one trained.
    pub width: usize,
    pub train_width: usize,
    /// Var(s^2) / mean(s^2)^2 of J's singular values s at init, mean over the inputs (NaN in
    /// the runs after a net's first learning rate: the spectrum is measured once per net).
    pub normalized_var: f64,
    /// Mean squared singular value at init (1 at the edge of chaos in the wide limit).
    pub mean_sq: f64,
    /// The free-probability prediction L (mu_2/mu_1^2 - [orthogonal]).
    pub predicted_var: f64,
    /// J's singular values at the first input, largest first.
    pub singular_values: Vec<f64>,
    pub curve: Curve,
    /// Steps until the training accuracy first reached 90% (null: not within the budget).
    pub steps_to_90: Option<usize>,
}

pub fn start(size: Size, unit: usize) -> Result<RunJob<Net>> {
    start_with(size, unit, |_| {})
}

pub fn start_with(size: Size, unit: usize, tweak: impl Fn(&mut Config)) -> Result<RunJob<Net>> {
    let tweak_ref = &tweak;
    let s = scale(size);
    let (net, lr) = runs(size)[unit];
    let (label, act, orthogonal) = NETS[net];
    let (sw2, sb2) = weights(act);
    let build = |width: usize| -> Result<Trainer> {
        let mut cfg = config(size, act, width, lr);
        tweak_ref(&mut cfg);
        let mut trainer = Trainer::new(cfg)?;
        if orthogonal {
            orthogonal_blocks(&mut trainer, sw2, sb2, 77);
        }
        Ok(trainer)
    };
    let nan = f64::NAN;
    let mut out = Net { label: label.into(), lr, orthogonal, sw2, sb2, depth: s.depth, width: s.width, train_width: s.train_width, normalized_var: nan, mean_sq: nan, predicted_var: nan, ..Net::default() };
    // The spectrum depends on the net, not on the learning rate: the first run of each net
    // measures it.
    if lr == s.lrs[0] {
        measure_spectrum(&mut build(s.width)?, &mut out, act, s.inputs);
    }
    let mut run = TrainRun::from_trainer(build(s.train_width)?, s.steps, 25);
    run.stop_at_accuracy = Some(0.9);
    Ok(RunJob::new(run, out, fill, UnitResult::Isometry))
}

fn fill(run: &TrainRun, out: &mut Net) {
    out.curve = run.curve.clone();
    out.steps_to_90 = run.reached_at;
}

fn measure_spectrum(trainer: &mut Trainer, out: &mut Net, act: ActivationKind, inputs: usize) {
    let (sw2, sb2) = (out.sw2, out.sb2);
    // J at inputs on the circle whose stem output h_0 has second moment q* (in expectation
    // over the stem's weights, E|h_0|^2/W = s_w^2 |x|^2 / d_in + s_b^2): the fixed point the
    // free-probability result assumes. ReLU nets are homogeneous (any radius will do).
    let q0 = if act == ActivationKind::Tanh { TANH_Q_STAR } else { 1.0 };
    let radius = (2.0 * (q0 - sb2) / sw2).sqrt();
    let mut spectra = Vec::new();
    for i in 0..inputs {
        let t = 2.0 * std::f64::consts::PI * (i as f64 + 0.5) / inputs as f64;
        let x = [(radius * libm::cos(t)) as f32, (radius * libm::sin(t)) as f32];
        spectra.push(Spectrum::of(&stream_jacobian(&mut trainer.net, &x)));
    }
    out.normalized_var = mean(spectra.iter().map(|p| p.normalized_var));
    out.mean_sq = mean(spectra.iter().map(|p| p.mean_sq));
    out.predicted_var = out.depth as f64 * variance_per_layer(act, out.orthogonal);
    out.singular_values = spectra[0].singular_values.clone();
}

/// A net's fewest steps to 90% training accuracy over the learning rates (infinite if none
/// got there), and that learning rate.
pub fn best_steps(runs: &[&Net]) -> (f64, f64) {
    runs.iter().map(|n| (n.steps_to_90.map_or(f64::INFINITY, |s| s as f64), n.lr)).fold((f64::INFINITY, f64::NAN), |a, b| if b.0 < a.0 { b } else { a })
}

pub fn summarize(size: Size, nets: &[Net]) -> Summary {
    let per_net = scale(size).lrs.len();
    let mut findings = Vec::new();
    let keys = ["tanh_orth", "tanh_gauss", "relu_orth", "relu_gauss"];
    for (runs, key) in nets.chunks(per_net).zip(keys) {
        let n = &runs[0];
        findings.push(finding(&format!("{key}_var"), format!("{}: normalised variance of s² at init", n.label), format!("{:.2} (free probability, wide limit)", n.predicted_var), n.normalized_var));
    }
    for (runs, key) in nets.chunks(per_net).zip(keys) {
        let (steps, lr) = best_steps(&runs.iter().collect::<Vec<_>>());
        findings.push(finding(&format!("{key}_steps"), format!("{}: fewest steps to 90% training accuracy (best learning rate)", runs[0].label), if key == "tanh_orth" { "fewest" } else { "more" }, steps));
        findings.push(finding(&format!("{key}_lr"), format!("{}: that learning rate", runs[0].label), "", lr));
    }
    let (sw2, sb2) = critical_tanh(TANH_Q_STAR);
    findings.push(finding("tanh_sw2", "critical tanh: σ_w²", "", sw2));
    findings.push(finding("tanh_sb2", "critical tanh: σ_b²", "", sb2));
    Summary { findings, curves: Vec::<NamedCurve>::new() }
}
