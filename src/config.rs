//! The one config schema: a default for every field and no unknown fields, read and written
//! by hand (json.rs) with serde's rules and messages.
//! JSON, the JS API and the page's URL hash all use it. `Config::validate` checks every
//! range (including the caps that keep a browser tab alive) and names the field.

use crate::error::{LabError, Result};
use crate::float_text::Disp;
use crate::json::{self, J};

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
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum NetKind {
    Plain,
    Residual,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum ActivationKind {
    Relu,
    LeakyRelu,
    Tanh,
    Linear,
    Gelu,
    Sigmoid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum NormKind {
    None,
    Batch,
    Layer,
    Rms,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum NormPosition {
    /// Residual: first inside the branch, `h + alpha F(N(h))`.
    Pre,
    /// Residual: after the sum, `N(h + alpha F(h))`.
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
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
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum BranchScale {
    /// alpha = 1.
    One,
    /// alpha = 1/sqrt(depth).
    InvSqrtDepth,
    /// A learnable scalar per block, initialised to 1 (`init: rezero` starts it at 0).
    Learnable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// optim.rs derives serde for Optimizer, which holds this.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
    Adamw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum LossKind {
    /// Cross-entropy for classification data, mean squared error for regression.
    Auto,
    CrossEntropy,
    Mse,
}

/// The JSON names of a unit enum's variants (serde's `snake_case` names), for the hand-written
/// reader (json.rs) and messages.
macro_rules! names {
    ($($t:ident { $($v:ident = $s:literal),* $(,)? })*) => {$(
        impl $t {
            pub const NAMES: &'static [&'static str] = &[$($s),*];
            pub const ALL: &'static [$t] = &[$($t::$v),*];
            pub fn name(self) -> &'static str {
                match self { $($t::$v => $s),* }
            }
        }
    )*};
}

names! {
    NetKind { Plain = "plain", Residual = "residual" }
    ActivationKind { Relu = "relu", LeakyRelu = "leaky_relu", Tanh = "tanh", Linear = "linear", Gelu = "gelu", Sigmoid = "sigmoid" }
    NormKind { None = "none", Batch = "batch", Layer = "layer", Rms = "rms" }
    NormPosition { Pre = "pre", Post = "post" }
    InitKind {
        XavierUniform = "xavier_uniform", XavierNormal = "xavier_normal", HeNormal = "he_normal", HeUniform = "he_uniform",
        LecunNormal = "lecun_normal", Orthogonal = "orthogonal", Fixup = "fixup", Rezero = "rezero", Custom = "custom",
    }
    BranchScale { One = "one", InvSqrtDepth = "inv_sqrt_depth", Learnable = "learnable" }
    OptimizerKind { Sgd = "sgd", Momentum = "momentum", Adam = "adam", Adamw = "adamw" }
    DatasetName { Spiral = "spiral", Circles = "circles", Xor = "xor", Blobs = "blobs", Regression = "regression", Custom = "custom" }
    LossKind { Auto = "auto", CrossEntropy = "cross_entropy", Mse = "mse" }
}

/// A unit enum from JSON.
fn kind<T: Copy + Named>(path: &str, j: &J) -> json::Res<T> {
    json::enum_of(path, j, T::names(), T::all())
}

/// The names table of an enum, for `kind`.
pub trait Named: Sized + 'static {
    fn names() -> &'static [&'static str];
    fn all() -> &'static [Self];
}
macro_rules! named {
    ($($t:ident)*) => {$(
        impl Named for $t {
            fn names() -> &'static [&'static str] { $t::NAMES }
            fn all() -> &'static [Self] { $t::ALL }
        }
    )*};
}
named!(NetKind ActivationKind NormKind NormPosition InitKind BranchScale OptimizerKind DatasetName LossKind);

impl ModelConfig {
    const FIELDS: &'static [&'static str] = &[
        "kind", "depth", "width", "activation", "leaky_slope", "norm", "norm_position", "final_norm", "init", "sigma_w2",
        "sigma_b2", "branch_layers", "branch_scale", "stem_activation",
    ];
    /// Reads the JSON form (missing fields take their defaults; unknown ones are an error).
    pub fn from_j(path: &str, j: &J) -> json::Res<ModelConfig> {
        let mut m = ModelConfig::default();
        json::fields(path, j, "struct ModelConfig", Self::FIELDS, true, false, |k, p, v| {
            match k {
                0 => m.kind = kind(p, v)?,
                1 => m.depth = json::usize_of(p, v)?,
                2 => m.width = json::usize_of(p, v)?,
                3 => m.activation = kind(p, v)?,
                4 => m.leaky_slope = json::f64_of(p, v)?,
                5 => m.norm = kind(p, v)?,
                6 => m.norm_position = kind(p, v)?,
                7 => m.final_norm = json::bool_of(p, v)?,
                8 => m.init = kind(p, v)?,
                9 => m.sigma_w2 = json::f64_of(p, v)?,
                10 => m.sigma_b2 = json::f64_of(p, v)?,
                11 => m.branch_layers = json::usize_of(p, v)?,
                12 => m.branch_scale = kind(p, v)?,
                _ => m.stem_activation = json::bool_of(p, v)?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl OptimizerConfig {
    const FIELDS: &'static [&'static str] = &["kind", "lr", "momentum", "nesterov", "beta1", "beta2", "eps", "weight_decay", "clip_norm"];
    pub fn from_j(path: &str, j: &J) -> json::Res<OptimizerConfig> {
        let mut o = OptimizerConfig::default();
        json::fields(path, j, "struct OptimizerConfig", Self::FIELDS, true, false, |k, p, v| {
            match k {
                0 => o.kind = kind(p, v)?,
                3 => o.nesterov = json::bool_of(p, v)?,
                _ => {
                    let x = json::f64_of(p, v)?;
                    *match k {
                        1 => &mut o.lr,
                        2 => &mut o.momentum,
                        4 => &mut o.beta1,
                        5 => &mut o.beta2,
                        6 => &mut o.eps,
                        7 => &mut o.weight_decay,
                        _ => &mut o.clip_norm,
                    } = x;
                }
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl DataConfig {
    const FIELDS: &'static [&'static str] = &["name", "n", "noise", "test_fraction", "classes", "shuffle"];
    pub fn from_j(path: &str, j: &J) -> json::Res<DataConfig> {
        let mut d = DataConfig::default();
        json::fields(path, j, "struct DataConfig", Self::FIELDS, true, false, |k, p, v| {
            match k {
                0 => d.name = kind(p, v)?,
                1 => d.n = json::usize_of(p, v)?,
                2 => d.noise = json::f64_of(p, v)?,
                3 => d.test_fraction = json::f64_of(p, v)?,
                4 => d.classes = json::usize_of(p, v)?,
                _ => d.shuffle = json::bool_of(p, v)?,
            }
            Ok(())
        })?;
        Ok(d)
    }
}

impl Config {
    const FIELDS: &'static [&'static str] = &["model", "optimizer", "data", "loss", "batch_size", "bn_momentum", "seed", "stop_on_divergence"];
    /// Reads the JSON form (every field optional, unknown fields rejected) without validating
    /// the ranges; errors name the field path below `path`.
    pub fn from_j(path: &str, j: &J) -> json::Res<Config> {
        let mut c = Config::default();
        json::fields(path, j, "struct Config", Self::FIELDS, true, false, |k, p, v| {
            match k {
                0 => c.model = ModelConfig::from_j(p, v)?,
                1 => c.optimizer = OptimizerConfig::from_j(p, v)?,
                2 => c.data = DataConfig::from_j(p, v)?,
                3 => c.loss = kind(p, v)?,
                4 => c.batch_size = json::usize_of(p, v)?,
                5 => c.bn_momentum = json::f64_of(p, v)?,
                6 => c.seed = json::uint_of(p, v, u32::MAX as u64, "u32")? as u32,
                _ => c.stop_on_divergence = json::bool_of(p, v)?,
            }
            Ok(())
        })?;
        Ok(c)
    }
}

/// JSON as serde_json wrote the derived form: every field, in declaration order.
impl Config {
    pub fn write_json(&self, w: &mut json::W) {
        let m = &self.model;
        w.open();
        w.key("model");
        w.open();
        w.field("kind", m.kind.name());
        w.field("depth", m.depth as u64);
        w.field("width", m.width as u64);
        w.field("activation", m.activation.name());
        w.field("leaky_slope", m.leaky_slope);
        w.field("norm", m.norm.name());
        w.field("norm_position", m.norm_position.name());
        w.field("final_norm", m.final_norm);
        w.field("init", m.init.name());
        w.field("sigma_w2", m.sigma_w2);
        w.field("sigma_b2", m.sigma_b2);
        w.field("branch_layers", m.branch_layers as u64);
        w.field("branch_scale", m.branch_scale.name());
        w.field("stem_activation", m.stem_activation);
        w.end();
        w.key("optimizer");
        self.optimizer.write_json(w);
        let d = &self.data;
        w.key("data");
        w.open();
        w.field("name", d.name.name());
        w.field("n", d.n as u64);
        w.field("noise", d.noise);
        w.field("test_fraction", d.test_fraction);
        w.field("classes", d.classes as u64);
        w.field("shuffle", d.shuffle);
        w.end();
        w.field("loss", self.loss.name());
        w.field("batch_size", self.batch_size as u64);
        w.field("bn_momentum", self.bn_momentum);
        w.field("seed", self.seed as u64);
        w.field("stop_on_divergence", self.stop_on_divergence);
        w.end();
    }

    /// The default config as a JSON tree: the JS API's template of which fields exist and what
    /// each takes (floats are `J::F`, integers `J::U`, enums `J::Str`).
    pub fn template() -> J {
        let mut w = json::W::default();
        Config::default().write_json(&mut w);
        json::parse(&w.0).unwrap_or(J::Null)
    }
}

impl OptimizerConfig {
    pub fn write_json(&self, w: &mut json::W) {
        w.open();
        w.field("kind", self.kind.name());
        w.field("lr", self.lr);
        w.field("momentum", self.momentum);
        w.field("nesterov", self.nesterov);
        w.field("beta1", self.beta1);
        w.field("beta2", self.beta2);
        w.field("eps", self.eps);
        w.field("weight_decay", self.weight_decay);
        w.field("clip_norm", self.clip_norm);
        w.end();
    }
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(default, deny_unknown_fields))]
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
// optim.rs derives serde for Optimizer, which holds this.
#[derive(serde::Serialize, serde::Deserialize)]
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
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(default, deny_unknown_fields))]
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

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(default, deny_unknown_fields))]
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

/// The field path at byte offset `end` of `s` (where a syntax error was found): a small scan
/// of the text up to there, tracking the open objects (with their current key) and arrays
/// (with the index of the element being read).
pub fn json_path_at(s: &str, end: usize) -> String {
    let b = s.as_bytes();
    let end = end.min(b.len());
    // (key, expecting a key) for objects; (index, element started) for arrays.
    enum Frame {
        Obj(Option<String>, bool),
        Arr(usize, bool),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        let c = b[i];
        i += 1;
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
            format!("{} is out of range; allowed a finite number in {lb}{}, {}]", Disp(v), Disp(lo), Disp(hi)),
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
        json::parse(s).and_then(|j| Config::from_j("", &j)).map_err(|(path, e)| {
            let field = if path.is_empty() { "config".to_string() } else { path };
            LabError::invalid(field, e)
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
                format!("{} needs model.kind = \"residual\" (it initialises residual branches)", m.init.name()),
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
            return Err(LabError::invalid("loss", format!("mse needs regression targets; data.name {} has class labels", d.name.name())));
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

    /// The hand-written reader (json.rs) accepts and rejects what serde's derived reader does,
    /// with the same values and the same messages (less serde_json's position).
    #[test]
    fn reader_matches_serde_derive() {
        let schema = serde_json::to_value(Config::default()).unwrap();
        let values = [
            "0", "1", "2", "-1", "1.5", "2.0", "-0.0", "1e300", "1e-300", "4294967295", "4294967296", "18446744073709551615",
            "18446744073709551616", "-9223372036854775809", "\"x\"", "\"\"", "true", "false", "null", "[]", "{}", "[1]",
            "{\"a\":1}", "[[]]", "\"a\\\"b\"", "0.1", "100",
        ];
        let mut texts: Vec<String> = vec!["{}".into(), r#"{"model":{},"model":{}}"#.into(), r#"{"model":{"depth":1,"depth":2}}"#.into()];
        for (section, fields) in schema.as_object().unwrap() {
            let mut leaf_values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            match fields {
                serde_json::Value::Object(fields) => {
                    for (field, def) in fields {
                        let mut vs = leaf_values.clone();
                        if let serde_json::Value::String(d) = def {
                            let names: &[&str] = match field.as_str() {
                                "kind" if section == "model" => NetKind::NAMES,
                                "kind" => OptimizerKind::NAMES,
                                "activation" => ActivationKind::NAMES,
                                "norm" => NormKind::NAMES,
                                "norm_position" => NormPosition::NAMES,
                                "init" => InitKind::NAMES,
                                "branch_scale" => BranchScale::NAMES,
                                "name" => DatasetName::NAMES,
                                _ => panic!("{field}"),
                            };
                            for n in names {
                                vs.push(format!("{n:?}"));
                                vs.push(format!("{{{n:?}:null}}"));
                                vs.push(format!("{{{n:?}:1}}"));
                            }
                            vs.push(format!("{{{d:?}:null,\"x\":null}}"));
                        }
                        for v in vs {
                            texts.push(format!("{{{section:?}:{{{field:?}:{v}}}}}"));
                        }
                    }
                    texts.push(format!("{{{section:?}:{{\"bogus\":1}}}}"));
                    texts.push(format!("{{{section:?}:[\"{}\"]}}", fields.values().next().unwrap().as_str().unwrap_or("x")));
                }
                _ => {
                    if section == "loss" {
                        leaf_values.extend(LossKind::NAMES.iter().map(|n| format!("{n:?}")));
                    }
                    for v in &leaf_values {
                        texts.push(format!("{{{section:?}:{v}}}"));
                    }
                }
            }
            for v in values {
                texts.push(format!("{{{section:?}:{v}}}"));
            }
        }
        let strip = |m: String| match m.rfind(" at line ") {
            Some(i) => m[..i].to_string(),
            None => m,
        };
        let mut differ = Vec::new();
        for t in &texts {
            let old = serde_json::from_str::<Config>(t).map_err(|e| strip(e.to_string()));
            let new = Config::deserialize_json(t).map_err(|e| match e {
                LabError::Invalid { message, .. } => message,
                e => e.to_string(),
            });
            if old != new {
                differ.push(format!("{t}\n  serde: {old:?}\n  new:   {new:?}"));
            }
        }
        assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), texts.len(), differ.join("\n"));
    }

    /// The hand-written writer gives serde_json's text of the derived form, and the template
    /// the JS API checks configs against is serde_json's `Value` of the default config.
    #[test]
    fn writer_matches_serde_json() {
        let mut rng = crate::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u64();
        for i in 0..2000 {
            let mut c = Config::default();
            let mut f = || if i % 7 == 0 { f64::from_bits(next()) } else { (next() % 100000) as f64 / [1.0, 10.0, 1000.0, 1e9][i % 4] };
            c.model.leaky_slope = f();
            c.model.sigma_w2 = f();
            c.model.sigma_b2 = f();
            c.optimizer.lr = f();
            c.optimizer.momentum = f();
            c.optimizer.beta1 = f();
            c.optimizer.beta2 = f();
            c.optimizer.eps = f();
            c.optimizer.weight_decay = f();
            c.optimizer.clip_norm = f();
            c.data.noise = f();
            c.data.test_fraction = f();
            c.bn_momentum = f();
            c.model.kind = NetKind::ALL[i % NetKind::ALL.len()];
            c.model.activation = ActivationKind::ALL[i % ActivationKind::ALL.len()];
            c.model.norm = NormKind::ALL[i % NormKind::ALL.len()];
            c.model.norm_position = NormPosition::ALL[i % NormPosition::ALL.len()];
            c.model.init = InitKind::ALL[i % InitKind::ALL.len()];
            c.model.branch_scale = BranchScale::ALL[i % BranchScale::ALL.len()];
            c.optimizer.kind = OptimizerKind::ALL[i % OptimizerKind::ALL.len()];
            c.data.name = DatasetName::ALL[i % DatasetName::ALL.len()];
            c.loss = LossKind::ALL[i % LossKind::ALL.len()];
            c.model.depth = next() as usize;
            c.model.width = i;
            c.data.n = next() as u32 as usize;
            c.data.classes = i % 3;
            c.batch_size = usize::MAX - i;
            c.seed = next() as u32;
            c.model.final_norm = i % 2 == 0;
            c.model.stem_activation = i % 3 == 0;
            c.optimizer.nesterov = i % 5 == 0;
            c.data.shuffle = i % 2 == 1;
            c.stop_on_divergence = i % 4 == 0;
            let mut w = json::W::default();
            c.write_json(&mut w);
            assert_eq!(w.0, serde_json::to_string(&c).unwrap());
        }
        fn same(j: &J, v: &serde_json::Value) -> bool {
            use serde_json::Value as V;
            match (j, v) {
                (J::Obj(e), V::Object(m)) => e.len() == m.len() && e.iter().all(|(k, j)| m.get(k).is_some_and(|v| same(j, v))),
                (J::F(x), V::Number(n)) => n.is_f64() && n.as_f64() == Some(*x),
                (J::U(x), V::Number(n)) => n.as_u64() == Some(*x),
                (J::Str(s), V::String(t)) => s == t,
                (J::Bool(b), V::Bool(c)) => b == c,
                _ => false,
            }
        }
        assert!(same(&Config::template(), &serde_json::to_value(Config::default()).unwrap()));
    }

    #[test]
    fn names_are_serdes() {
        fn check<T: serde::Serialize + Copy>(names: &[&str], all: &[T]) {
            assert_eq!(names.len(), all.len());
            for (n, v) in names.iter().zip(all) {
                assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::String(n.to_string()));
            }
        }
        check(NetKind::NAMES, NetKind::ALL);
        check(ActivationKind::NAMES, ActivationKind::ALL);
        check(NormKind::NAMES, NormKind::ALL);
        check(NormPosition::NAMES, NormPosition::ALL);
        check(InitKind::NAMES, InitKind::ALL);
        check(BranchScale::NAMES, BranchScale::ALL);
        check(OptimizerKind::NAMES, OptimizerKind::ALL);
        check(DatasetName::NAMES, DatasetName::ALL);
        check(LossKind::NAMES, LossKind::ALL);
    }

    #[test]
    fn nan_is_rejected_by_validate() {
        let mut c = Config::default();
        c.optimizer.lr = f64::NAN;
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("optimizer.lr") && msg.contains("NaN"), "{msg}");
    }
}
