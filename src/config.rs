//! The one config schema: serde with a default for every field and no unknown fields.
//! JSON, the JS API and the page's URL hash all use it. `Config::validate` checks every
//! range (including the caps that keep a browser tab alive) and names the field.

use crate::error::{LabError, Result};
use serde::{Deserialize, Serialize};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetKind {
    Plain,
    Residual,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    Relu,
    LeakyRelu,
    Tanh,
    Linear,
    Gelu,
    Sigmoid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormKind {
    None,
    Batch,
    Layer,
    Rms,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormPosition {
    /// Residual: first inside the branch, `h + alpha F(N(h))`.
    Pre,
    /// Residual: after the sum, `N(h + alpha F(h))`.
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchScale {
    /// alpha = 1.
    One,
    /// alpha = 1/sqrt(depth).
    InvSqrtDepth,
    /// A learnable scalar per block, initialised to 1 (`init: rezero` starts it at 0).
    Learnable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
    Adamw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetName {
    Spiral,
    Circles,
    Xor,
    Blobs,
    /// 1-D regression: y = sin(3x) + noise.
    Regression,
    /// Data supplied by the caller through `Trainer::set_data`.
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Cross-entropy for classification data, mean squared error for regression.
    Auto,
    CrossEntropy,
    Mse,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    pub name: DatasetName,
    /// Number of points (train + test).
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// Deserializes JSON text; an error comes with the field path where it happened (`model.depth`,
/// `params[3]`; empty at the top level). Plain serde_json, with the path worked out from the
/// error's position only when there is an error: `serde_path_to_error`'s wrappers around every
/// field cost about 70 KB of wasm.
pub fn from_json_text<T: serde::de::DeserializeOwned>(s: &str) -> std::result::Result<T, (String, serde_json::Error)> {
    let de = &mut serde_json::Deserializer::from_str(s);
    T::deserialize(de).map_err(|e| (json_path_at(s, &e), e))
}

/// The field path at the position of a serde_json error in `s`: a small scan of the text up to
/// there, tracking the open objects (with their current key) and arrays (with the index of the
/// element being read).
pub fn json_path_at(s: &str, e: &serde_json::Error) -> String {
    let b = s.as_bytes();
    // serde_json: line is 1-based, column the byte offset from the line's start.
    let mut start = 0;
    for _ in 1..e.line() {
        match b[start..].iter().position(|&c| c == b'\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let end = (start + e.column()).min(b.len());
    // (key, expecting a key) for objects; (index, element started) for arrays.
    enum Frame {
        Obj(Option<String>, bool),
        Arr(usize, bool),
    }
    let mut stack: Vec<Frame> = Vec::new();
    // Whether the last token read was an object key.
    let mut after_key = false;
    let mut i = 0;
    while i < end {
        let c = b[i];
        i += 1;
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b':') {
            after_key = false;
        }
        match c {
            b'"' => {
                let from = i;
                while i < end && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let text = String::from_utf8_lossy(&b[from..i.min(end)]).into_owned();
                i += 1;
                match stack.last_mut() {
                    Some(Frame::Obj(key, expect @ true)) => {
                        *key = Some(text);
                        *expect = false;
                        after_key = true;
                    }
                    Some(Frame::Arr(_, started)) => *started = true,
                    _ => {}
                }
            }
            b'{' | b'[' => {
                if let Some(Frame::Arr(_, started)) = stack.last_mut() {
                    *started = true;
                }
                stack.push(if c == b'{' { Frame::Obj(None, true) } else { Frame::Arr(0, false) });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Obj(key, expect)) => {
                    *key = None;
                    *expect = true;
                }
                Some(Frame::Arr(n, started)) => {
                    *n += 1;
                    *started = false;
                }
                None => {}
            },
            b' ' | b'\t' | b'\n' | b'\r' | b':' => {}
            _ => {
                if let Some(Frame::Arr(_, started)) = stack.last_mut() {
                    *started = true;
                }
            }
        }
    }
    // A missing field is reported at its object's closing brace, an unknown enum variant given
    // as a map (`{"relu": ..}`) right after its key: the path is the object's.
    let m = e.to_string();
    if m.starts_with("missing field") || (after_key && m.starts_with("unknown variant")) {
        if let Some(Frame::Obj(key, _)) = stack.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for f in &stack {
        match f {
            Frame::Obj(Some(k), _) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Arr(n, true) => {
                path.push('[');
                path.push_str(&n.to_string());
                path.push(']');
            }
            _ => {}
        }
    }
    path
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
        return Err(LabError::invalid(
            field,
            format!("{v} is out of range; allowed a finite number in {lb}{lo}, {hi}]"),
        ));
    }
    Ok(())
}

impl Config {
    /// Parses JSON (every field optional) and validates it.
    pub fn from_json(s: &str) -> Result<Config> {
        if !s.trim_start().starts_with('{') {
            let head: String = s.trim_start().chars().take(20).collect();
            return Err(LabError::invalid("config", format!("expected a JSON object, got {head:?}")));
        }
        let c = Config::deserialize_json(s)?;
        c.validate()?;
        Ok(c)
    }

    /// Parses JSON (every field optional) without validating the ranges; errors name the
    /// field path. The one deserializer of `Config` for JSON text (the JS API writes its
    /// config objects out as JSON and comes here too).
    pub fn deserialize_json(s: &str) -> Result<Config> {
        from_json_text(s).map_err(|(path, e)| {
            let field = if path.is_empty() { "config".to_string() } else { path };
            LabError::invalid(field, e.to_string())
        })
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
            DatasetName::Regression | DatasetName::Custom => 1,
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
                format!("{:?} needs model.kind = \"residual\" (it initialises residual branches)", m.init)
                    .to_ascii_lowercase(),
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
        if !self.is_classification() && matches!(d.name, DatasetName::Spiral | DatasetName::Circles | DatasetName::Xor | DatasetName::Blobs) {
            return Err(LabError::invalid("loss", format!("mse needs regression targets; data.name {:?} has class labels", d.name).to_ascii_lowercase()));
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
        // The parameter cap uses the widest input and output the built-in datasets have;
        // custom data is checked again when it is set.
        let params = self.param_count(2, self.builtin_classes().max(2));
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
            (r#"{"unknown":1}"#, "unknown"),
            (r#"{"model":{"depth":10000,"width":1024}}"#, "model.depth"),
            (r#"{"data":{"name":"regression"},"loss":"cross_entropy"}"#, "loss"),
            (r#"[1,2]"#, "config"),
        ];
        for (json, field) in table {
            let err = Config::from_json(json).expect_err(json);
            let msg = err.to_string();
            assert!(msg.starts_with(field), "{json}: message {msg:?} should start with {field}");
        }
    }

    #[test]
    fn nan_is_rejected_by_validate() {
        let mut c = Config::default();
        c.optimizer.lr = f64::NAN;
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("optimizer.lr") && msg.contains("NaN"), "{msg}");
    }
}
