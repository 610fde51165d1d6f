//! Liu, Liu, Gao, Chen & Han 2020, "Understanding the difficulty of training transformers":
//! with the LayerNorm after the residual sum (post-LN), each layer leans heavily on its branch,
//! so a parameter update of a given size changes the output more the deeper the net (the
//! output change's variance grows like the number of layers N); with the LayerNorm inside the
//! branch (pre-LN) it grows only like log N. This amplification, not gradient vanishing, is
//! what destabilises post-LN training.
//!
//! Here: residual nets h <- LN(h + F(h)) (post-LN) and h <- h + F(LN(h)) with a final LN
//! (pre-LN), α = 1, two-layer ReLU branches, at init; every block weight matrix moves by a
//! random delta of 1% of its norm and the relative change of the output ||df|| / ||f|| is
//! measured (`probes::output_change`), averaged over draws and seeds. Its square is the
//! output change's variance, up to the fixed output scale.

use super::common::{finding, mean, slope, NamedCurve, Summary};
use super::{Job, Size, UnitInfo, UnitResult};
use crate::config::{ActivationKind, BranchScale, InitKind, ModelConfig, NetKind, NormKind, NormPosition};
use crate::error::Result;
use crate::net::Network;
use crate::probes::output_change;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

pub const REL: f64 = 0.01;
const D_IN: usize = 16;
const D_OUT: usize = 8;

struct Scale {
    depths: &'static [usize],
    width: usize,
    batch: usize,
    seeds: usize,
    draws: usize,
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { depths: &[2, 8, 16, 32], width: 32, batch: 32, seeds: 6, draws: 4 },
        Size::Default => Scale { depths: &[1, 2, 4, 8, 16, 32, 64], width: 64, batch: 64, seeds: 8, draws: 8 },
        Size::Full => Scale { depths: &[1, 2, 4, 8, 16, 32, 64, 128, 256], width: 128, batch: 64, seeds: 8, draws: 8 },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    PostLn,
    PreLn,
}

fn points(size: Size) -> Vec<(Variant, usize)> {
    [Variant::PostLn, Variant::PreLn].iter().flat_map(|&v| scale(size).depths.iter().map(move |&d| (v, d))).collect()
}

pub fn model(v: Variant, depth: usize, width: usize) -> ModelConfig {
    ModelConfig {
        kind: NetKind::Residual,
        depth,
        width,
        activation: ActivationKind::Relu,
        norm: NormKind::Layer,
        norm_position: if v == Variant::PostLn { NormPosition::Post } else { NormPosition::Pre },
        final_norm: v == Variant::PreLn,
        init: InitKind::XavierNormal,
        branch_scale: BranchScale::One,
        ..ModelConfig::default()
    }
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    points(size).into_iter().map(|(v, d)| UnitInfo { label: format!("{v:?}, L = {d}"), cost: (2 * d * s.width * s.width * s.batch * s.seeds * (s.draws + 1)) as f64 }).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub variant: Variant,
    pub depth: usize,
    /// ||df|| / ||f|| per seed (mean over the draws).
    pub change: Vec<f64>,
    pub change_mean: f64,
}

pub struct AmplificationJob {
    size: Size,
    out: Point,
}

pub fn start(size: Size, unit: usize) -> Result<AmplificationJob> {
    let (variant, depth) = points(size)[unit];
    Ok(AmplificationJob { size, out: Point { variant, depth, change: Vec::new(), change_mean: f64::NAN } })
}

impl Job for AmplificationJob {
    fn advance(&mut self) -> Result<bool> {
        let s = scale(self.size);
        let seed = self.out.change.len();
        if seed >= s.seeds {
            return Ok(true);
        }
        let mut rng = Rng::new(700 + seed as u64);
        let m = model(self.out.variant, self.out.depth, s.width);
        let mut net = Network::<f32>::new(&m, D_IN, D_OUT, s.batch, &mut rng);
        let x: Vec<f32> = (0..s.batch * D_IN).map(|_| rng.normal() as f32).collect();
        let c = output_change(&mut net, &x, s.batch, REL, s.draws, &mut rng)?;
        self.out.change.push(c);
        self.out.change_mean = mean(self.out.change.iter().copied());
        Ok(self.out.change.len() >= s.seeds)
    }
    fn progress(&self) -> f64 {
        self.out.change.len() as f64 / scale(self.size).seeds as f64
    }
    fn result(&self) -> UnitResult {
        UnitResult::Amplification(self.out.clone())
    }
}

/// Slope of log(change^2) on log(depth): the exponent of the output change's variance.
pub fn exponent(points: &[Point], v: Variant) -> f64 {
    let p: Vec<&Point> = points.iter().filter(|p| p.variant == v).collect();
    let x: Vec<f64> = p.iter().map(|p| (p.depth as f64).ln()).collect();
    let y: Vec<f64> = p.iter().map(|p| 2.0 * p.change_mean.ln()).collect();
    slope(&x, &y)
}

pub fn summarize(size: Size, points: &[Point]) -> Summary {
    let s = scale(size);
    let (lo, hi) = (s.depths[0], *s.depths.last().unwrap());
    let at = |v: Variant, d: usize| points.iter().find(|p| p.variant == v && p.depth == d).map_or(f64::NAN, |p| p.change_mean);
    let curve = |v: Variant, name: &str| {
        let p: Vec<&Point> = points.iter().filter(|p| p.variant == v).collect();
        NamedCurve { name: name.into(), x: p.iter().map(|p| p.depth as f64).collect(), y: p.iter().map(|p| p.change_mean / REL).collect() }
    };
    // Var at the deepest depth over Var at the one before (a doubling at every size): N doubles
    // it, log N multiplies it by ln(hi) / ln(hi / 2).
    let before = s.depths[s.depths.len() - 2];
    let var_ratio = |v: Variant| (at(v, hi) / at(v, before)).powi(2);
    let log_ratio = (hi as f64).ln() / (before as f64).ln();
    Summary {
        findings: vec![
            finding("post_doubling", format!("post-LN: Var(output change) at L = {hi} / at L = {before}"), format!("{:.2} (O(N))", hi as f64 / before as f64), var_ratio(Variant::PostLn)),
            finding("pre_doubling", format!("pre-LN: Var(output change) at L = {hi} / at L = {before}"), format!("{log_ratio:.2} (O(log N))"), var_ratio(Variant::PreLn)),
            finding("post_exponent", "post-LN: exponent k in Var(output change) ∝ Nᵏ", "1 (O(N))", exponent(points, Variant::PostLn)),
            finding("pre_exponent", "pre-LN: exponent k in Var(output change) ∝ Nᵏ", "below 1 (O(log N))", exponent(points, Variant::PreLn)),
            finding("post_growth", format!("post-LN: output change at L = {hi} / at L = {lo}"), "grows with depth", at(Variant::PostLn, hi) / at(Variant::PostLn, lo)),
            finding("pre_growth", format!("pre-LN: output change at L = {hi} / at L = {lo}"), "stays small", at(Variant::PreLn, hi) / at(Variant::PreLn, lo)),
            finding("post_top", format!("post-LN: relative output change / relative weight change at L = {hi}"), "", at(Variant::PostLn, hi) / REL),
            finding("pre_top", format!("pre-LN: relative output change / relative weight change at L = {hi}"), "", at(Variant::PreLn, hi) / REL),
        ],
        curves: vec![curve(Variant::PostLn, "post-LN"), curve(Variant::PreLn, "pre-LN")],
    }
}
