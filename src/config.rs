//! The one config schema: plain data with a default for every field. serde reads and writes
//! it (JSON text through serde_json, JS objects through serde-wasm-bindgen): every field
//! optional, unknown fields rejected, enums by their snake_case names. `Config::validate`
//! checks every range (including the caps that keep a browser tab alive) and names the field.

use crate::error::{num, parse_json, LabError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Caps that keep a browser tab alive.
pub const MAX_DEPTH: usize = 10_000;
pub const MAX_WIDTH: usize = 1024;
pub const MAX_BATCH: usize = 4096;
pub const MAX_DATA: usize = 100_000;
pub const MAX_INPUT_DIM: usize = 1024;
pub const MAX_CLASSES: usize = 64;
pub const MAX_PARAMS: usize = 4_000_000;
/// depth * width * batch_size: the size of the activation caches (each block keeps a few
/// batch x width buffers).
pub const MAX_ACTIVATIONS: usize = 8_388_608;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetKind {
    Plain,
    Residual,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    Relu,
    LeakyRelu,
    Tanh,
    Linear,
    Gelu,
    Sigmoid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormKind {
    None,
    Batch,
    Layer,
    Rms,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormPosition {
    /// Residual: first inside the branch, `h + alpha F(N(h))`.
    Pre,
    /// Residual: after the sum, `N(h + alpha F(h))`.
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitKind {
    XavierUniform,
    XavierNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    Orthogonal,
    Fixup,
    Rezero,
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchScale {
    /// alpha = 1.
    One,
    /// alpha = 1/sqrt(depth).
    InvSqrtDepth,
    /// A learnable scalar per block, initialised to 1 (`init: rezero` starts it at 0).
    Learnable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
    Adamw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetName {
    Spiral,
    Circles,
    Xor,
    Blobs,
    /// 1-D regression: y = sin(3x) + noise.
    Regression,
    /// 8 x 8 handwritten digits (1,797 images, 10 classes; `digits.rs`).
    Digits,
    /// Data supplied by the caller through `Trainer::set_data`.
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Cross-entropy for classification data, mean squared error for regression.
    Auto,
    CrossEntropy,
    Mse,
}

/// Enums print as their serde names (`he_normal`), for messages.
macro_rules! display_as_serde {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.serialize(f)
            }
        }
    )*};
}
display_as_serde!(NetKind, ActivationKind, NormKind, NormPosition, InitKind, BranchScale, OptimizerKind, DatasetName, LossKind);

#[derive(Clone, Debug, PartialEq)]
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    pub kind: NetKind,
    /// Number of blocks L (the stem and the head are extra).
    pub depth: usize,
    /// Width W of the stream.
    pub width: usize,
    pub activation: ActivationKind,
    /// Negative slope of `leaky_relu`.
    pub leaky_slope: f64,
    pub norm: NormKind,
    pub norm_position: NormPosition,
    /// A norm before the head (of the same kind as `norm`, layer norm if `norm` is none).
    pub final_norm: bool,
    pub init: InitKind,
    /// Weight variance times fan_in for `init: custom`.
    pub sigma_w2: f64,
    /// Bias variance for `init: custom`.
    pub sigma_b2: f64,
    /// Linear layers per residual branch: 1 (`W phi(N(h))`) or 2 (`W2 phi(W1 N(h))`).
    pub branch_layers: usize,
    pub branch_scale: BranchScale,
    /// Apply the activation to the stem output too (h_0 = phi(Linear(x))).
    pub stem_activation: bool,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            kind: NetKind::Residual,
            depth: 8,
            width: 32,
            activation: ActivationKind::Relu,
            leaky_slope: 0.01,
            norm: NormKind::None,
            norm_position: NormPosition::Pre,
            final_norm: false,
            init: InitKind::HeNormal,
            sigma_w2: 2.0,
            sigma_b2: 0.0,
            branch_layers: 2,
            branch_scale: BranchScale::InvSqrtDepth,
            stem_activation: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    pub kind: OptimizerKind,
    pub lr: f64,
    pub momentum: f64,
    pub nesterov: bool,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// L2 penalty added to the gradient (sgd, momentum, adam) or decoupled decay (adamw).
    pub weight_decay: f64,
    /// Clip the global gradient norm to this value; 0 turns clipping off.
    pub clip_norm: f64,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig {
            kind: OptimizerKind::Adam,
            lr: 0.003,
            momentum: 0.9,
            nesterov: false,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            clip_norm: 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    pub name: DatasetName,
    /// Number of points (train + test). Digits always have all 1,797.
    pub n: usize,
    /// Noise level (the dataset's own scale; see `data.rs`).
    pub noise: f64,
    /// Fraction of the points held out for the test set.
    pub test_fraction: f64,
    /// Classes: spiral arms or gaussian blobs (circles and xor have 2).
    pub classes: usize,
    /// Reshuffle the training points every epoch (off: batches walk the points in order).
    pub shuffle: bool,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig { name: DatasetName::Spiral, n: 512, noise: 0.1, test_fraction: 0.2, classes: 2, shuffle: true }
    }
}

#[derive(Clone, Debug, PartialEq)]
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub model: ModelConfig,
    pub optimizer: OptimizerConfig,
    pub data: DataConfig,
    pub loss: LossKind,
    pub batch_size: usize,
    /// BatchNorm running-statistics momentum (PyTorch's convention: new = (1-m) old + m batch).
    pub bn_momentum: f64,
    pub seed: u32,
    /// Halt at the first divergence (NaN/Inf), keeping the last finite parameters. `false`
    /// keeps stepping through the NaNs, with `diverged` still in every report: for benchmarks
    /// that time the arithmetic of a diverging net, as the peer libraries do.
    pub stop_on_divergence: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            model: ModelConfig::default(),
            optimizer: OptimizerConfig::default(),
            data: DataConfig::default(),
            loss: LossKind::Auto,
            batch_size: 64,
            bn_momentum: 0.1,
            seed: 42,
            stop_on_divergence: true,
        }
    }
}

fn check_usize(field: &str, v: usize, lo: usize, hi: usize) -> Result<()> {
    if v < lo || v > hi {
        return Err(LabError::invalid(field, format!("{v} is out of range; allowed {lo} to {hi}")));
    }
    Ok(())
}

/// `lo < v <= hi` (open below) or `lo <= v <= hi`.
fn check_f64(field: &str, v: f64, lo: f64, hi: f64, open_low: bool) -> Result<()> {
    let ok = v.is_finite() && if open_low { v > lo } else { v >= lo } && v <= hi;
    if !ok {
        let lb = if open_low { "(" } else { "[" };
        return Err(LabError::invalid(field, format!("{} is out of range; allowed a finite number in {lb}{}, {}]", num(v), num(lo), num(hi))));
    }
    Ok(())
}

impl Config {
    /// Reads JSON text (every field optional, unknown fields rejected) and validates it.
    /// Errors name the field path (`model.depth: ...`).
    pub fn from_json(s: &str) -> Result<Config> {
        let c: Config = parse_json(s).map_err(|(path, message)| {
            // A path that starts at the top (`[0]` when serde reads the struct as a sequence)
            // hangs off "config".
            let field = if path.is_empty() || path.starts_with('[') { format!("config{path}") } else { path };
            LabError::invalid(field, message)
        })?;
        c.validate()?;
        Ok(c)
    }

    pub fn is_classification(&self) -> bool {
        match self.loss {
            LossKind::CrossEntropy => true,
            LossKind::Mse => false,
            LossKind::Auto => self.data.name != DatasetName::Regression,
        }
    }

    /// Number of classes for the built-in datasets (custom data sets it from the labels).
    pub fn builtin_classes(&self) -> usize {
        match self.data.name {
            DatasetName::Spiral | DatasetName::Blobs => self.data.classes,
            DatasetName::Circles | DatasetName::Xor => 2,
            DatasetName::Digits => crate::digits::DIGITS_CLASSES,
            DatasetName::Regression | DatasetName::Custom => 1,
        }
    }

    /// Input dimension of the built-in datasets (custom data: 2, checked again when it is set).
    pub fn builtin_input_dim(&self) -> usize {
        match self.data.name {
            DatasetName::Regression => 1,
            DatasetName::Digits => crate::digits::DIGITS_PIXELS,
            _ => 2,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let m = &self.model;
        check_usize("model.depth", m.depth, 1, MAX_DEPTH)?;
        check_usize("model.width", m.width, 1, MAX_WIDTH)?;
        check_f64("model.leaky_slope", m.leaky_slope, 0.0, 1.0, false)?;
        check_f64("model.sigma_w2", m.sigma_w2, 0.0, 100.0, true)?;
        check_f64("model.sigma_b2", m.sigma_b2, 0.0, 100.0, false)?;
        check_usize("model.branch_layers", m.branch_layers, 1, 2)?;
        if m.kind == NetKind::Plain && matches!(m.init, InitKind::Fixup | InitKind::Rezero) {
            return Err(LabError::invalid(
                "model.init",
                format!("{} needs model.kind = \"residual\" (it initialises residual branches)", m.init),
            ));
        }
        if m.init == InitKind::Fixup && m.norm != NormKind::None {
            return Err(LabError::invalid(
                "model.init",
                "fixup replaces normalization; allowed only with model.norm = \"none\"",
            ));
        }
        let o = &self.optimizer;
        check_f64("optimizer.lr", o.lr, 0.0, 10.0, true)?;
        check_f64("optimizer.momentum", o.momentum, 0.0, 0.9999, false)?;
        check_f64("optimizer.beta1", o.beta1, 0.0, 0.9999, false)?;
        check_f64("optimizer.beta2", o.beta2, 0.0, 0.999999, false)?;
        check_f64("optimizer.eps", o.eps, 0.0, 1.0, true)?;
        check_f64("optimizer.weight_decay", o.weight_decay, 0.0, 1.0, false)?;
        check_f64("optimizer.clip_norm", o.clip_norm, 0.0, 1e6, false)?;
        let d = &self.data;
        check_usize("data.n", d.n, 4, MAX_DATA)?;
        check_f64("data.noise", d.noise, 0.0, 10.0, false)?;
        check_f64("data.test_fraction", d.test_fraction, 0.0, 0.9, false)?;
        check_usize("data.classes", d.classes, 2, MAX_CLASSES)?;
        check_usize("batch_size", self.batch_size, 1, MAX_BATCH)?;
        check_f64("bn_momentum", self.bn_momentum, 0.0, 1.0, true)?;
        if self.is_classification() && d.name == DatasetName::Regression {
            return Err(LabError::invalid("loss", "cross_entropy needs a classification dataset; data.name is regression"));
        }
        if !self.is_classification() && matches!(d.name, DatasetName::Spiral | DatasetName::Circles | DatasetName::Xor | DatasetName::Blobs | DatasetName::Digits) {
            return Err(LabError::invalid("loss", format!("mse needs regression targets; data.name {} has class labels", d.name)));
        }
        let acts = m.depth * m.width * self.batch_size;
        if acts > MAX_ACTIVATIONS {
            return Err(LabError::invalid(
                "model.depth",
                format!(
                    "depth x width x batch_size = {acts} exceeds {MAX_ACTIVATIONS} (the activation memory cap); use a smaller depth, width or batch_size"
                ),
            ));
        }
        // The parameter cap uses the dataset's input and output sizes; custom data is checked
        // again when it is set.
        let params = self.param_count(self.builtin_input_dim(), self.builtin_classes().max(2));
        if params > MAX_PARAMS {
            return Err(LabError::invalid(
                "model.width",
                format!("the net would have {params} parameters, more than the cap of {MAX_PARAMS}; use a smaller width or depth"),
            ));
        }
        Ok(())
    }

    /// Number of trainable parameters for the given input and output sizes.
    pub fn param_count(&self, d_in: usize, d_out: usize) -> usize {
        let m = &self.model;
        let w = m.width;
        let linear = |i: usize, o: usize| i * o + o;
        let norm = if m.norm == NormKind::None { 0 } else { 2 * w };
        let per_block = match m.kind {
            NetKind::Plain => linear(w, w) + norm,
            NetKind::Residual => {
                m.branch_layers * linear(w, w)
                    + norm
                    + usize::from(m.branch_scale == BranchScale::Learnable || matches!(m.init, InitKind::Rezero | InitKind::Fixup))
                    + if m.init == InitKind::Fixup { 2 * m.branch_layers } else { 0 }
            }
        };
        let final_norm = if m.final_norm { 2 * w } else { 0 };
        linear(d_in, w) + m.depth * per_block + final_norm + linear(w, d_out)
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_gives_defaults() {
        assert_eq!(Config::from_json("{}").unwrap(), Config::default());
    }

    /// Each bad config must be rejected with a message that names the field.
    #[test]
    fn bad_configs_name_their_field() {
        let table: &[(&str, &str)] = &[
            (r#"{"model":{"depth":0}}"#, "model.depth"),
            (r#"{"model":{"depth":20000}}"#, "model.depth"),
            (r#"{"model":{"width":1000000}}"#, "model.width"),
            (r#"{"model":{"width":-3}}"#, "model.width"),
            (r#"{"model":{"activation":"swish"}}"#, "model.activation"),
            (r#"{"model":{"norm":"group"}}"#, "model.norm"),
            (r#"{"model":{"init":"he"}}"#, "model.init"),
            (r#"{"model":{"kind":"plain","init":"rezero"}}"#, "model.init"),
            (r#"{"model":{"branch_layers":3}}"#, "model.branch_layers"),
            (r#"{"model":{"sigma_w2":0}}"#, "model.sigma_w2"),
            (r#"{"model":{"colour":"red"}}"#, "model.colour"),
            (r#"{"optimizer":{"lr":-1}}"#, "optimizer.lr"),
            (r#"{"optimizer":{"lr":1e400}}"#, "optimizer.lr"),
            (r#"{"optimizer":{"lr":"fast"}}"#, "optimizer.lr"),
            (r#"{"optimizer":{"kind":"lbfgs"}}"#, "optimizer.kind"),
            (r#"{"optimizer":{"beta2":1.0}}"#, "optimizer.beta2"),
            (r#"{"data":{"n":2}}"#, "data.n"),
            (r#"{"data":{"name":"mnist"}}"#, "data.name"),
            (r#"{"data":{"test_fraction":1.5}}"#, "data.test_fraction"),
            (r#"{"batch_size":0}"#, "batch_size"),
            (r#"{"seed":-1}"#, "seed"),
            (r#"{"seed":1.5}"#, "seed"),
            (r#"{"seed":4294967296}"#, "seed"),
            (r#"{"unknown":1}"#, "unknown"),
            (r#"{"model":{"depth":10000,"width":1024}}"#, "model.depth"),
            (r#"{"data":{"name":"regression"},"loss":"cross_entropy"}"#, "loss"),
            (r#"[1,2]"#, "config"),
            (r#"{} junk"#, "config"),
            (r#"{"model":{}"#, "config"),
            (r#"{"model":{"depth":}}"#, "model.depth"),
        ];
        for (json, field) in table {
            let err = Config::from_json(json).expect_err(json);
            let msg = err.to_string();
            assert!(msg.starts_with(&format!("{field}: ")) || (*field == "config" && msg.starts_with("config[")), "{json}: message {msg:?} should start with {field}");
        }
        let msg = Config::from_json(r#"{"model":{"colour":"red"}}"#).unwrap_err().to_string();
        assert!(msg.contains("unknown field `colour`") && msg.contains("`depth`"), "{msg}");
    }

    #[test]
    fn nan_is_rejected_by_validate() {
        let mut c = Config::default();
        c.optimizer.lr = f64::NAN;
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("optimizer.lr") && msg.contains("NaN"), "{msg}");
    }

    /// Enums read and print by their snake_case names.
    #[test]
    fn enums_use_snake_case_names() {
        let c = Config::from_json(r#"{"model":{"init":"he_normal","branch_scale":"inv_sqrt_depth","activation":"leaky_relu"},"loss":"cross_entropy"}"#).unwrap();
        assert_eq!((c.model.init, c.model.branch_scale, c.loss), (InitKind::HeNormal, BranchScale::InvSqrtDepth, LossKind::CrossEntropy));
        assert_eq!(format!("{} {} {}", c.model.init, c.model.branch_scale, c.model.activation), "he_normal inv_sqrt_depth leaky_relu");
    }
}
