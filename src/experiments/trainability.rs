//! Schoenholz, Gilmer, Ganguli & Sohl-Dickstein 2017, "Deep information propagation": a tanh
//! net trains only when its depth is below a few times the correlation depth scale xi_c of
//! its (s_w^2, s_b^2) (the paper's Fig. 5 overlays 6 xi_c on the trainable region), and xi_c
//! diverges at the order-to-chaos transition.
//!
//! Here: plain tanh nets with s_b^2 = 0.05 on a grid of depth x s_w^2, each trained a fixed
//! number of SGD steps; a cell is trainable when its training accuracy ends at least halfway
//! from chance to 1. The fitted boundary is the c for which "trainable if and only if L ≤ c·ξ_c" agrees
//! with the most cells; xi_c comes from the mean-field theory (`theory::fixed_point`).

use super::common::{finding, mean, NamedCurve, RunJob, Summary, TrainRun};
use super::{Size, UnitInfo, UnitResult};
use crate::config::{ActivationKind, Config, DatasetName, InitKind, ModelConfig, NetKind, OptimizerConfig, OptimizerKind};
use crate::error::Result;
use crate::theory::{fixed_point, Phi};
use serde::{Deserialize, Serialize};

pub const SB2: f64 = 0.05;

struct Grid {
    sw2: &'static [f64],
    depths: &'static [usize],
    width: usize,
    steps: usize,
}

fn grid(size: Size) -> Grid {
    match size {
        Size::Reduced => Grid { sw2: &[1.1, 1.5, 1.76, 2.5, 3.5], depths: &[4, 10, 25, 60], width: 32, steps: 200 },
        Size::Default => Grid { sw2: &[1.0, 1.25, 1.5, 1.76, 2.0, 2.5, 3.0, 3.5, 4.0], depths: &[4, 8, 12, 16, 24, 32, 48, 64, 96], width: 32, steps: 300 },
        Size::Full => Grid {
            sw2: &[1.0, 1.15, 1.3, 1.45, 1.6, 1.76, 1.9, 2.1, 2.4, 2.7, 3.0, 3.5, 4.0],
            depths: &[4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160],
            width: 64,
            steps: 600,
        },
    }
}

/// Cells in unit order: s_w^2-major.
fn cells(size: Size) -> Vec<(f64, usize)> {
    let g = grid(size);
    g.sw2.iter().flat_map(|&s| g.depths.iter().map(move |&d| (s, d))).collect()
}

pub fn config(size: Size, sw2: f64, depth: usize, seed: u32) -> Config {
    let g = grid(size);
    Config {
        model: ModelConfig {
            kind: NetKind::Plain,
            depth,
            width: g.width,
            activation: ActivationKind::Tanh,
            init: InitKind::Custom,
            sigma_w2: sw2,
            sigma_b2: SB2,
            ..ModelConfig::default()
        },
        optimizer: OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.002, ..OptimizerConfig::default() },
        data: crate::config::DataConfig { name: DatasetName::Blobs, classes: 4, n: 512, noise: 0.25, ..Default::default() },
        batch_size: 32,
        seed,
        ..Config::default()
    }
}

/// The correlation depth scale xi_c of tanh at (sw2, s_b^2 = 0.05) (Schoenholz et al. 2017,
/// eq. 9); infinite at the order-to-chaos transition.
pub fn xi_c(sw2: f64) -> f64 {
    fixed_point(Phi::new(ActivationKind::Tanh), sw2, SB2).xi_c
}

pub fn units(size: Size) -> Vec<UnitInfo> {
    let g = grid(size);
    cells(size).into_iter().map(|(s, d)| UnitInfo { label: format!("σ_w² = {s}, L = {d}"), cost: (d * g.width * g.width * g.steps) as f64 }).collect()
}

/// One grid cell: a plain tanh net of depth L at s_w^2, after training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub sw2: f64,
    pub depth: usize,
    pub xi_c: f64,
    /// Training-split accuracy after the steps done (chance = 1/classes).
    pub accuracy: f64,
    pub loss: f64,
    pub diverged: bool,
    pub steps: usize,
    pub chance: f64,
}

pub fn start(size: Size, unit: usize) -> Result<RunJob<Cell>> {
    let (sw2, depth) = cells(size)[unit];
    let cfg = config(size, sw2, depth, 1000 + unit as u32);
    let chance = 1.0 / cfg.builtin_classes() as f64;
    let g = grid(size);
    let run = TrainRun::new(cfg, g.steps, 50)?;
    let nan = f64::NAN;
    let cell = Cell { sw2, depth, xi_c: xi_c(sw2), accuracy: nan, loss: nan, diverged: false, steps: 0, chance };
    Ok(RunJob::new(run, cell, fill, UnitResult::Trainability))
}

fn fill(run: &TrainRun, cell: &mut Cell) {
    cell.accuracy = if run.diverged { cell.chance } else { run.last_accuracy() };
    cell.loss = run.last_loss();
    cell.diverged = run.diverged;
    cell.steps = run.steps_done();
}

/// Trainable: the training accuracy ended at least halfway from chance to 1.
pub fn trainable(c: &Cell) -> bool {
    !c.diverged && c.accuracy >= 0.5 * (1.0 + c.chance)
}

/// Fraction of cells where "trainable if and only if L ≤ c·ξ_c" holds.
pub fn agreement(cells: &[Cell], c: f64) -> f64 {
    let ok = cells.iter().filter(|x| trainable(x) == (x.depth as f64 <= c * x.xi_c)).count();
    ok as f64 / cells.len().max(1) as f64
}

/// The c that maximises the agreement, over a log grid from 0.5 to 50; among equally good c,
/// the geometric middle of the best run.
pub fn fit_c(cells: &[Cell]) -> (f64, f64) {
    let grid: Vec<f64> = (0..=400).map(|i| 0.5 * 100f64.powf(i as f64 / 400.0)).collect();
    let scores: Vec<f64> = grid.iter().map(|&c| agreement(cells, c)).collect();
    let best = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    // the longest run of grid points at the best score
    let (mut run_start, mut best_run) = (None, (0, 0));
    for (i, &s) in scores.iter().enumerate() {
        if s == best {
            let st = *run_start.get_or_insert(i);
            if i - st >= best_run.1 - best_run.0 {
                best_run = (st, i);
            }
        } else {
            run_start = None;
        }
    }
    ((grid[best_run.0] * grid[best_run.1]).sqrt(), best)
}

pub fn summarize(size: Size, cells: &[Cell]) -> Summary {
    let (c, agree) = fit_c(cells);
    let g = grid(size);
    let (lo, hi) = (g.sw2[0], g.sw2[g.sw2.len() - 1]);
    let xs: Vec<f64> = (0..=80).map(|i| lo + (hi - lo) * i as f64 / 80.0).collect();
    let xis: Vec<f64> = xs.iter().map(|&s| xi_c(s)).collect();
    let trainable_frac = mean(cells.iter().map(|x| if trainable(x) { 1.0 } else { 0.0 }));
    Summary {
        findings: vec![
            finding("c", "fitted c in: trainable if and only if L ≤ c·ξ_c", "6 (the paper's 6ξ_c)", c),
            finding("agreement", "fraction of cells on the correct side of c·ξ_c", "", agree),
            finding("agreement_6", "fraction of cells on the correct side of 6ξ_c", "", agreement(cells, 6.0)),
            finding("xi_c_1.5", "ξ_c at σ_w² = 1.5", "15.8 (mean field)", xi_c(1.5)),
            finding("xi_c_2.5", "ξ_c at σ_w² = 2.5", "11.8 (mean field)", xi_c(2.5)),
            finding("trainable", "fraction of cells trainable", "", trainable_frac),
        ],
        curves: vec![
            NamedCurve { name: "6 xi_c".into(), x: xs.clone(), y: xis.iter().map(|v| 6.0 * v).collect() },
            NamedCurve { name: "fitted c xi_c".into(), x: xs, y: xis.iter().map(|v| c * v).collect() },
        ],
    }
}
