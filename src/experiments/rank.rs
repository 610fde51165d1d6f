//! Rank collapse (Daneshmand, Kohler, Bach, Hofmann & Lucchi 2020, "Batch normalization
//! provably avoids rank collapse for randomly initialised deep networks"; Noci et al. 2022,
//! "Signal propagation in transformers"): in a deep plain net at init the representations of
//! different inputs align, so the batch's representation matrix tends to rank one; BatchNorm
//! keeps its rank high, and residual branches slow the collapse.
//!
//! Here: a batch of orthonormal inputs (x_a = e_a) through fresh nets of depth L; at every
//! stream position the mean pairwise cosine between samples and the stable rank of the
//! (batch, W) matrix (`probes::representation`, BatchNorm on batch statistics), averaged over
//! seeds. For plain He-ReLU nets the mean-field cosine after l layers is the ReLU correlation
//! map (Cho & Saul's arc-cosine kernel) applied l times to 0 (`theory::correlation_map`).

use super::common::{finding, NamedCurve, Summary};
use super::{Job, Size, UnitInfo, UnitResult};
use crate::config::{ActivationKind, BranchScale, InitKind, ModelConfig, NetKind, NormKind, NormPosition};
use crate::error::Result;
use crate::net::Network;
use crate::norm::Mode;
use crate::probes::representation;
use crate::rng::Rng;
use crate::theory::{correlation_map, Phi};
use serde::{Deserialize, Serialize};

struct Scale {
    depth: usize,
    width: usize,
    batch: usize,
    seeds: usize,
}

fn scale(size: Size) -> Scale {
    match size {
        Size::Reduced => Scale { depth: 50, width: 96, batch: 24, seeds: 3 },
        Size::Default => Scale { depth: 50, width: 128, batch: 32, seeds: 10 },
        Size::Full => Scale { depth: 100, width: 256, batch: 64, seeds: 20 },
    }
}

const VARIANTS: [&str; 4] = ["plain, He ReLU", "plain, ReLU + BatchNorm", "residual, α = 1/√L", "residual, α = 1"];

pub fn model(variant: usize, depth: usize, width: usize) -> ModelConfig {
    let base = ModelConfig { depth, width, activation: ActivationKind::Relu, init: InitKind::HeNormal, ..ModelConfig::default() };
    match variant {
        0 => ModelConfig { kind: NetKind::Plain, ..base },
        1 => ModelConfig { kind: NetKind::Plain, norm: NormKind::Batch, ..base },
        2 => ModelConfig { kind: NetKind::Residual, branch_scale: BranchScale::InvSqrtDepth, norm_position: NormPosition::Pre, ..base },
        _ => ModelConfig { kind: NetKind::Residual, branch_scale: BranchScale::One, ..base },
    }
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let s = scale(size);
    VARIANTS.iter().enumerate().map(|(v, l)| UnitInfo { label: (*l).into(), cost: ((1 + (v >= 2) as usize) * s.depth * s.width * s.width * s.batch * s.seeds) as f64 }).collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub label: String,
    pub depth: usize,
    pub width: usize,
    pub batch: usize,
    /// Per stream position l = 0..=L, mean over the seeds done so far.
    pub mean_cosine: Vec<f64>,
    pub stable_rank: Vec<f64>,
    pub seeds: usize,
}

/// The mean-field cosine after l = 0..=depth ReLU layers (He init) from orthogonal inputs.
pub fn predicted_cosine(depth: usize) -> Vec<f64> {
    let relu = Phi::new(ActivationKind::Relu);
    let mut c = 0.0;
    let mut out = vec![c];
    for _ in 0..depth {
        c = correlation_map(relu, 2.0, 0.0, 1.0, c);
        out.push(c);
    }
    out
}

pub struct RankJob {
    size: Size,
    variant: usize,
    out: Variant,
    sums: (Vec<f64>, Vec<f64>),
}

pub fn start(size: Size, unit: usize) -> Result<RankJob> {
    let s = scale(size);
    let out = Variant { label: VARIANTS[unit].into(), depth: s.depth, width: s.width, batch: s.batch, ..Variant::default() };
    Ok(RankJob { size, variant: unit, out, sums: (vec![0.0; s.depth + 1], vec![0.0; s.depth + 1]) })
}

impl Job for RankJob {
    fn advance(&mut self) -> Result<bool> {
        let s = scale(self.size);
        if self.out.seeds >= s.seeds {
            return Ok(true);
        }
        let m = model(self.variant, s.depth, s.width);
        let mut rng = Rng::new(300 + self.out.seeds as u64);
        let b = s.batch;
        // d_in = batch: sample a is the basis vector e_a, stored (batch, d_in) column-major.
        let mut net = Network::<f32>::new(&m, b, 1, b, &mut rng);
        let mut x = vec![0.0f32; b * b];
        for a in 0..b {
            x[a + a * b] = 1.0;
        }
        let r = representation(&mut net, &x, b, Mode::Probe)?;
        for l in 0..=s.depth {
            self.sums.0[l] += r.mean_cosine[l];
            self.sums.1[l] += r.stable_rank[l];
        }
        self.out.seeds += 1;
        let n = self.out.seeds as f64;
        self.out.mean_cosine = self.sums.0.iter().map(|v| v / n).collect();
        self.out.stable_rank = self.sums.1.iter().map(|v| v / n).collect();
        Ok(self.out.seeds >= s.seeds)
    }
    fn progress(&self) -> f64 {
        self.out.seeds as f64 / scale(self.size).seeds as f64
    }
    fn result(&self) -> UnitResult {
        UnitResult::RankCollapse(self.out.clone())
    }
}

pub fn summarize(size: Size, variants: &[Variant]) -> Summary {
    let s = scale(size);
    let theory = predicted_cosine(s.depth);
    let plain = &variants[0];
    let mut findings = Vec::new();
    for l in [10, 20, 50] {
        if l <= s.depth {
            findings.push(finding(&format!("cos_{l}"), format!("plain He-ReLU: mean cosine at l = {l}"), format!("{:.3} (mean-field c-map)", theory[l]), plain.mean_cosine.get(l).copied().unwrap_or(f64::NAN)));
        }
    }
    let keys = ["plain", "bn", "res_inv", "res_one"];
    for (v, key) in variants.iter().zip(keys) {
        let paper = match key {
            "plain" => "tends to 1",
            "bn" => "stays well above 1",
            "res_inv" => "collapses more slowly",
            _ => "",
        };
        findings.push(finding(&format!("srank_{key}"), format!("{}: stable rank at l = {}", v.label, s.depth), paper, *v.stable_rank.last().unwrap_or(&f64::NAN)));
        findings.push(finding(&format!("cos_{key}"), format!("{}: mean cosine at l = {}", v.label, s.depth), "", *v.mean_cosine.last().unwrap_or(&f64::NAN)));
    }
    Summary {
        findings,
        curves: vec![NamedCurve { name: "plain He-ReLU, mean field".into(), x: (0..=s.depth).map(|l| l as f64).collect(), y: theory }],
    }
}
