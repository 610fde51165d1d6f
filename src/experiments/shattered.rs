//! Balduzzi, Frean, Leary, Lewis, Ma & McWilliams 2017, "The shattered gradients problem: if
//! resnets are the answer, then what is the question?": along a line of inputs, the gradient
//! of a deep plain ReLU net looks like white noise (its autocorrelation falls exponentially
//! with depth), while a residual net's stays correlated (it falls sublinearly, and far less
//! with the branches scaled down).
//!
//! Here: fresh nets (W wide, He init, one output) on 256 inputs evenly spaced on the unit
//! circle; g_i = d f / d x at input i (`probes::input_gradients`); the lag-1 autocorrelation
//! r_1 = sum_i g_i . g_{i+1} / sum_i |g_i|^2 (circular), averaged over seeds. For plain ReLU
//! nets the mean-field prediction is r_1 = prod_l (1 - arccos(c_l) / pi), with c_0 = cos(2 pi /
//! 256) and c_{l+1} the ReLU correlation map of c_l (the backward factor of each layer is
//! E[phi'(u_1) phi'(u_2)] / E[phi'^2], `theory::chi_c`, at the pair's correlation c_l).

use super::common::{finding, mean, NamedCurve, Summary};
use super::{Job, Size, UnitInfo, UnitResult};
use crate::config::{ActivationKind, BranchScale, InitKind, ModelConfig, NetKind};
use crate::error::Result;
use crate::net::Network;
use crate::probes::input_gradients;
use crate::rng::Rng;
use crate::theory::{chi_c, correlation_map, Phi};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

pub const POINTS: usize = 256;

struct Scale {
    width: usize,
    /// Depths of the plain nets, and of the residual ones.
    depths: &'static [usize],
    res_depths: &'static [usize],
    seeds: usize,
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { width: 128, depths: &[2, 10, 20, 50], res_depths: &[50], seeds: 4 },
        Size::Default => Scale { width: 200, depths: &[2, 5, 10, 20, 30, 50], res_depths: &[2, 10, 20, 50], seeds: 8 },
        Size::Full => Scale { width: 400, depths: &[2, 5, 10, 20, 30, 50, 75, 100], res_depths: &[2, 10, 20, 50, 100], seeds: 12 },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    Plain,
    /// h + F(h)
    ResidualOne,
    /// h + F(h) / sqrt(L)
    ResidualInvSqrt,
}

const ARCHS: [Arch; 3] = [Arch::Plain, Arch::ResidualOne, Arch::ResidualInvSqrt];

fn cases(size: Size) -> Vec<(Arch, usize)> {
    let s = scale(size);
    ARCHS.iter().flat_map(|&a| (if a == Arch::Plain { s.depths } else { s.res_depths }).iter().map(move |&d| (a, d))).collect()
}

pub fn model(arch: Arch, depth: usize, width: usize) -> ModelConfig {
    ModelConfig {
        kind: if arch == Arch::Plain { NetKind::Plain } else { NetKind::Residual },
        depth,
        width,
        activation: ActivationKind::Relu,
        init: InitKind::HeNormal,
        branch_scale: if arch == Arch::ResidualInvSqrt { BranchScale::InvSqrtDepth } else { BranchScale::One },
        ..ModelConfig::default()
    }
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    cases(size)
        .into_iter()
        .map(|(a, d)| {
            let layers = if a == Arch::Plain { d } else { 2 * d };
            UnitInfo { label: format!("{a:?}, L = {d}"), cost: (layers * s.width * s.width * POINTS * 3 * s.seeds) as f64 }
        })
        .collect()
}

/// One architecture and depth over seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub arch: Arch,
    pub depth: usize,
    pub width: usize,
    /// r_1 of each seed done so far.
    pub r1: Vec<f64>,
    pub r1_mean: f64,
    /// Mean-field r_1 (plain nets only).
    pub predicted: Option<f64>,
    /// The angle of each input (radians) and d f / d x_1 there for the first seed, divided by
    /// its RMS: the gradient along the path, as the paper plots it.
    pub angle: Vec<f64>,
    pub gradient: Vec<f64>,
}

pub fn circle() -> Vec<f32> {
    (0..POINTS).flat_map(|i| {
        let t = 2.0 * PI * i as f64 / POINTS as f64;
        [libm::cos(t) as f32, libm::sin(t) as f32]
    }).collect()
}

/// Lag-1 circular autocorrelation of a sequence of gradient vectors (`[n][d]` row-major).
pub fn lag1(g: &[f32], d: usize) -> f64 {
    let n = g.len() / d;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..n {
        let j = (i + 1) % n;
        for f in 0..d {
            num += g[i * d + f] as f64 * g[j * d + f] as f64;
            den += (g[i * d + f] as f64).powi(2);
        }
    }
    num / den
}

/// Mean-field r_1 of a plain ReLU net of `depth` layers (He init) for input correlation c0.
pub fn predicted_plain(depth: usize, c0: f64) -> f64 {
    let relu = Phi::new(ActivationKind::Relu);
    let mut c = c0;
    let mut r = 1.0;
    for _ in 0..depth {
        r *= chi_c(relu, 2.0, 1.0, c); // s_w^2 E[phi'(u1) phi'(u2)] = 1 - arccos(c)/pi
        c = correlation_map(relu, 2.0, 0.0, 1.0, c);
    }
    r
}

pub struct ShatteredJob {
    size: Size,
    seed: usize,
    out: Config,
    xs: Vec<f32>,
}

pub fn start(size: Size, unit: usize) -> Result<ShatteredJob> {
    let (arch, depth) = cases(size)[unit];
    let s = scale(size);
    let predicted = (arch == Arch::Plain).then(|| predicted_plain(depth, libm::cos(2.0 * PI / POINTS as f64)));
    let out = Config { arch, depth, width: s.width, r1: Vec::new(), r1_mean: f64::NAN, predicted, angle: Vec::new(), gradient: Vec::new() };
    Ok(ShatteredJob { size, seed: 0, out, xs: circle() })
}

impl Job for ShatteredJob {
    fn advance(&mut self) -> Result<bool> {
        let s = scale(self.size);
        if self.seed >= s.seeds {
            return Ok(true);
        }
        let m = model(self.out.arch, self.out.depth, s.width);
        let mut rng = Rng::new(500 + self.seed as u64);
        let mut net = Network::<f32>::new(&m, 2, 1, POINTS, &mut rng);
        let g = input_gradients(&mut net, &self.xs, 0)?;
        self.out.r1.push(lag1(&g, 2));
        self.out.r1_mean = mean(self.out.r1.iter().copied());
        if self.seed == 0 {
            let rms = (g.iter().step_by(2).map(|&v| (v as f64).powi(2)).sum::<f64>() / POINTS as f64).sqrt();
            self.out.angle = (0..POINTS).map(|i| 2.0 * PI * i as f64 / POINTS as f64).collect();
            self.out.gradient = g.iter().step_by(2).map(|&v| v as f64 / rms).collect();
        }
        self.seed += 1;
        Ok(self.seed >= s.seeds)
    }
    fn progress(&self) -> f64 {
        self.seed as f64 / scale(self.size).seeds as f64
    }
    fn result(&self) -> UnitResult {
        UnitResult::Shattered(self.out.clone())
    }
}

pub fn summarize(size: Size, configs: &[Config]) -> Summary {
    let s = scale(size);
    let at = |a: Arch, d: usize| configs.iter().find(|c| c.arch == a && c.depth == d).map_or(f64::NAN, |c| c.r1_mean);
    let top = *s.depths.last().unwrap();
    let mut findings = Vec::new();
    let c0 = libm::cos(2.0 * PI / POINTS as f64);
    for d in [2, 10, 20, 50] {
        if s.depths.contains(&d) {
            let theory = predicted_plain(d, c0);
            findings.push(finding(&format!("plain_{d}"), format!("plain ReLU, L = {d}: r₁"), format!("{theory:.2} (mean field); falls exponentially"), at(Arch::Plain, d)));
            findings.push(finding(&format!("plain_{d}_theory"), format!("plain ReLU, L = {d}: mean-field r₁"), "", theory));
        }
    }
    findings.push(finding(&format!("res1_{top}"), format!("residual, α = 1, L = {top}: r₁"), "falls far more slowly", at(Arch::ResidualOne, top)));
    findings.push(finding(&format!("resinv_{top}"), format!("residual, α = 1/√L, L = {top}: r₁"), "", at(Arch::ResidualInvSqrt, top)));
    let xs: Vec<f64> = (1..=top).map(|d| d as f64).collect();
    Summary {
        findings,
        curves: vec![NamedCurve { name: "plain ReLU, mean field".into(), y: (1..=top).map(|d| predicted_plain(d, c0)).collect(), x: xs }],
    }
}
