//! Saved state: everything needed to continue a run bit for bit, as JSON (serde_json with
//! `float_roundtrip`, so every float comes back with the same bits), and the checks that a
//! state read back fits its own config before a trainer is rebuilt from it.

use crate::config::{Config, DatasetName};
use crate::data::Dataset;
use crate::error::{parse_json, LabError, Result};
use crate::optim::Optimizer;
use crate::rng::Rng;
use crate::stats::Divergence;
use crate::trainer::Trainer;
use serde::{Deserialize, Serialize};

pub const STATE_FORMAT: &str = "residual-lab-state/1";

/// Everything needed to continue a run bit for bit. Every field is required but `data` and
/// `halted` (absent or null: none); unknown fields are rejected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainerState {
    pub format: String,
    pub config: Config,
    pub params: Vec<f32>,
    /// BatchNorm running mean and variance of every norm, in forward order.
    pub running_stats: Vec<f64>,
    pub optimizer: Optimizer,
    pub rng: Rng,
    /// Training-set indices in this epoch's order.
    pub order: Vec<u32>,
    /// Position of the next batch in `order`.
    pub cursor: usize,
    pub step: u64,
    /// Present only for caller-supplied data (built-in data is regenerated from the seed).
    #[serde(default)]
    pub data: Option<Dataset>,
    #[serde(default)]
    pub halted: Option<Divergence>,
}

impl Trainer {
    pub fn state(&self) -> Result<TrainerState> {
        if let Some(k) = self.param_sq.iter().position(|sq| !sq.is_finite()) {
            let info = &self.net.infos[k];
            return Err(LabError::State(format!("cannot save: parameter {} is not finite (the run diverged)", info.name)));
        }
        let mut running = Vec::new();
        for n in self.net.norms() {
            running.extend_from_slice(&n.running_mean);
            running.extend_from_slice(&n.running_var);
        }
        Ok(TrainerState {
            format: STATE_FORMAT.into(),
            config: self.config.clone(),
            params: self.net.params.clone(),
            running_stats: running,
            optimizer: self.optimizer.clone(),
            rng: self.rng.clone(),
            order: self.order.clone(),
            cursor: self.cursor,
            step: self.step,
            data: (self.config.data.name == DatasetName::Custom).then(|| self.data.clone()),
            halted: self.halted.clone(),
        })
    }

    /// The state as JSON text (serde_json: shortest round-trip digits for every float).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.state()?).map_err(|e| LabError::State(e.to_string()))
    }

    /// Restores a state saved by `to_json`; errors name the path in the state that is wrong.
    pub fn from_json(s: &str) -> Result<Trainer> {
        let st: TrainerState = parse_json(s).map_err(|(path, e)| {
            let path = if path.is_empty() { "." } else { &path };
            LabError::State(format!("{path}: {e}"))
        })?;
        Self::from_state(st)
    }

    pub fn from_state(st: TrainerState) -> Result<Trainer> {
        if st.format != STATE_FORMAT {
            return Err(LabError::State(format!("format {:?} is not {STATE_FORMAT:?}", st.format)));
        }
        st.config.validate()?;
        let mut t = match (&st.data, st.config.data.name) {
            (Some(d), DatasetName::Custom) => {
                let data = Dataset::custom(d.x.clone(), d.y.clone(), d.d_in, d.classification, st.config.data.test_fraction)
                    .map_err(|e| LabError::State(format!("data: {e}")))?;
                if data.n_train != d.n_train || data.d_out != d.d_out {
                    return Err(LabError::State("data: split or output size does not match".into()));
                }
                let rng = Rng::new(st.config.seed as u64);
                Self::build(st.config.clone(), data, rng)
            }
            (None, DatasetName::Custom) => return Err(LabError::State("config says custom data but the state has none".into())),
            _ => Trainer::new(st.config.clone())?,
        };
        let bad = |what: &str| LabError::State(format!("{what} does not match the config"));
        if st.params.len() != t.net.params.len() {
            return Err(bad("params length"));
        }
        if st.params.iter().any(|v| !v.is_finite()) {
            return Err(LabError::State("params contain non-finite values".into()));
        }
        let running_len: usize = t.net.norms().iter().map(|n| n.running_mean.len() * 2).sum();
        if st.running_stats.len() != running_len {
            return Err(bad("running_stats length"));
        }
        if st.optimizer.cfg != st.config.optimizer || st.optimizer.m.len() != t.optimizer.m.len() || st.optimizer.v.len() != t.optimizer.v.len() {
            return Err(bad("optimizer state"));
        }
        let mut check = vec![false; t.data.n_train];
        for &i in &st.order {
            if (i as usize) >= check.len() || std::mem::replace(&mut check[i as usize], true) {
                return Err(bad("order (not a permutation of the training points)"));
            }
        }
        if st.order.len() != t.data.n_train || st.cursor > st.order.len() {
            return Err(bad("order length or cursor"));
        }
        // Steps are reported to JS as numbers: keep them exact there.
        const MAX_STEP: u64 = 1 << 53;
        if st.step > MAX_STEP || st.optimizer.t > MAX_STEP {
            return Err(LabError::State(format!("step {} is out of range; allowed 0 to {MAX_STEP}", st.step)));
        }
        if let Some(d) = &st.halted {
            if d.layer > st.config.model.depth + 1 || d.step > st.step + 1 {
                return Err(LabError::State(format!("halted: {d:?} is not a divergence of this run")));
            }
        }
        t.net.params = st.params;
        let mut k = 0;
        for n in t.net.norms_mut() {
            let w = n.running_mean.len();
            n.running_mean.copy_from_slice(&st.running_stats[k..k + w]);
            n.running_var.copy_from_slice(&st.running_stats[k + w..k + 2 * w]);
            k += 2 * w;
        }
        t.optimizer = st.optimizer;
        t.rng = st.rng;
        t.order = st.order;
        t.cursor = st.cursor;
        t.step = st.step;
        t.halted = st.halted.clone();
        t.report.step = st.step;
        t.report.diverged = st.halted;
        t.refresh_param_sq();
        t.fill_weight_norms();
        Ok(t)
    }
}
