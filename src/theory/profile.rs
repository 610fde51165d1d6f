//! The predicted depth profile of a configured net: residual branches and the forward and
//! backward curves.

use super::maps::moments;
use crate::error::num;
use crate::norm::NORM_EPS;
use super::phi::Phi;
use super::quadrature::FINE_STEP;
use crate::config::{ActivationKind, BranchScale, Config, InitKind, ModelConfig, NetKind, NormKind, NormPosition};

/// The weight scales of a residual branch F (fan-in normalised: Var W = s / fan_in).
/// 1 layer: `F(x) = W phi(x) + b` (Var W = sw2_out; sw2_in unused).
/// 2 layers: `F(x) = W2 phi(W1 x + b1) + b2` (Var W1 = sw2_in, Var W2 = sw2_out).
/// Every bias has variance sb2.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Branch {
    pub layers: usize,
    pub sw2_in: f64,
    pub sw2_out: f64,
    pub sb2: f64,
}

/// Output variance v(q) of a branch whose input x is zero-mean Gaussian with second moment q
/// per unit (Yang & Schoenholz 2017): 1 layer `s E[phi(sqrt(q) z)^2] + s_b2`; 2 layers
/// `s2 E[phi(sqrt(s1 q + s_b2) z)^2] + s_b2` (the inner pre-activation is Gaussian whatever
/// x's distribution). The stream then grows as q <- q + alpha^2 v(q).
pub fn branch_variance(phi: Phi, branch: Branch, q: f64) -> f64 {
    let inner = if branch.layers >= 2 { branch.sw2_in * q + branch.sb2 } else { q };
    branch.sw2_out * moments(phi, inner, FINE_STEP).phi2 + branch.sb2
}

/// The branch's Jacobian gain chi_F(q) = E||J_F^T g||^2 / E||g||^2 for an input of second
/// moment q: 1 layer `s E[phi'(sqrt(q) z)^2]`; 2 layers `s1 s2 E[phi'(sqrt(s1 q + s_b2) z)^2]`.
/// The backward mean square grows by 1 + alpha^2 chi_F per block, going down.
pub fn branch_gain(phi: Phi, branch: Branch, q: f64) -> f64 {
    if branch.layers >= 2 {
        branch.sw2_in * branch.sw2_out * moments(phi, branch.sw2_in * q + branch.sb2, FINE_STEP).dphi2
    } else {
        branch.sw2_out * moments(phi, q, FINE_STEP).dphi2
    }
}



/// One predicted curve over the layers l = 0..=L.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Curve {
    pub supported: bool,
    /// Why the theory gives no curve; empty when `supported`.
    pub reason: String,
    /// One value per layer l = 0..=L; empty when not supported. May hold `inf` when the
    /// prediction overflows f64 (serde_json writes it as null).
    pub values: Vec<f64>,
}

impl Curve {
    fn from(result: std::result::Result<Vec<f64>, String>) -> Curve {
        match result {
            Ok(values) => Curve { supported: true, reason: String::new(), values },
            Err(reason) => Curve { supported: false, reason, values: Vec::new() },
        }
    }
}

/// The mean-field prediction for a configured net at initialisation, at infinite width.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct TheoryProfile {
    /// Both curves are given.
    pub supported: bool,
    /// Why not, when `supported` is false (the curves' reasons joined); empty otherwise.
    pub reason: String,
    /// L: the curves have L + 1 values.
    pub depth: usize,
    /// d_in assumed for the stem (matters for Xavier and orthogonal stems only).
    pub input_dim: usize,
    /// q_x: the second moment per input feature, averaged over the inputs.
    pub input_second_moment: f64,
    /// alpha of the residual branches at init (None for plain nets).
    pub branch_multiplier: Option<f64>,
    /// Mean over units of E[h_l^2], l = 0 (stem output) ..= L (block outputs).
    pub second_moment: Curve,
    /// Mean square of dL/dh_l relative to the top (values[L] = 1); its square root is the
    /// relative RMS the trainer reports. The head and the loss set the absolute scale.
    pub grad_mean_square: Curve,
    /// What the numbers assume, in words.
    pub notes: Vec<String>,
}

/// The weight scale s (Var W = s / fan_in) an init gives a Linear(fan_in -> fan_out) that is
/// not a Fixup-zeroed layer; must match `init.rs`.
fn weight_scale(m: &ModelConfig, fan_in: usize, fan_out: usize) -> f64 {
    let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
    match m.init {
        // Var = 2 / (fan_in + fan_out): s = 2 fan_in / (fan_in + fan_out), 1 when square.
        InitKind::XavierUniform | InitKind::XavierNormal => 2.0 * fi / (fi + fo),
        InitKind::HeNormal | InitKind::HeUniform | InitKind::Rezero | InitKind::Fixup => 2.0,
        InitKind::LecunNormal => 1.0,
        // gain * a Haar semi-orthogonal W (`init.rs`: fan_out x fan_in). Var (W x)_i =
        // E||row_i||^2 q_x, and the squared row norms sum to tr(W W^T) = gain^2 min(fi, fo)
        // over fo rows: E||row_i||^2 = gain^2 min(fi, fo) / fo. Orthonormal rows (fo <= fi):
        // s = gain^2; orthonormal columns (fo > fi, e.g. the 2 -> W stem): ||W x|| = gain ||x||
        // spread over fo units, s = gain^2 fi / fo.
        InitKind::Orthogonal => crate::init::orthogonal_gain2(m.activation) * fi.min(fo) / fo,
        InitKind::Custom => m.sigma_w2,
    }
}

/// d_in of the built-in datasets: 1 for regression, 64 for digits, 2 for the others (custom
/// data: assumed 2).
pub fn default_input_dim(cfg: &Config) -> usize {
    cfg.builtin_input_dim()
}

/// [`predict_profile_for_input`] with the built-in dataset's input dimension and q_x = 1.
pub fn predict_profile(cfg: &Config) -> TheoryProfile {
    predict_profile_for_input(cfg, default_input_dim(cfg), 1.0)
}

/// The depth profile of the forward second moment and of the relative backward mean square
/// for `cfg`, at infinite width and at initialisation, for inputs with d_in features of
/// second moment q_x each.
///
/// Stem: pre-activation variance `q_0 = s_stem q_x + s_b2`; h_0 is that pre-activation, or
/// phi of it when `model.stem_activation` (second moment E[phi(sqrt(q_0) z)^2]).
///
/// Plain blocks `h <- phi(N(W h + b))`:
/// * no norm (Poole et al. 2016, eq. 3): `q_{l+1} = s E[h_l^2] + s_b2`,
///   `E[h_{l+1}^2] = E[phi(sqrt(q_{l+1}) z)^2]`; backward factor chi1(q_{l+1}) =
///   `s E[phi'(sqrt(q_{l+1}) z)^2]` (Schoenholz et al. 2017).
/// * layer / rms norm: N makes the pre-activation N(0, 1) over units, so
///   `E[h^2] = E[phi(z)^2]`; backward factor `s E[phi'(z)^2] / (s E[h_l^2] + s_b2)`
///   (the norm divides the gradient by the pre-norm standard deviation).
/// * batch norm: forward only, and only for relu / leaky_relu / linear (by symmetry of the
///   normalised pre-activation E[phi(y)^2] = g E[y^2] = g whatever y's distribution).
///
/// Residual blocks `h <- h + alpha F(h)` (Yang & Schoenholz 2017): branch output is
/// zero-mean and uncorrelated with h, so second moments add.
/// * no norm: `q_{l+1} = q_l + alpha^2 v(q_l)`; backward factor `1 + alpha^2 chi_F(q_l)`
///   (He/He 2-layer ReLU: x3 per block both ways; He/LeCun: x2).
/// * pre-norm, layer / rms: the branch input has second moment exactly 1, so
///   `q_{l+1} = q_l + alpha^2 v(1)`: linear growth (De & Smith 2020). Backward factor
///   `1 + alpha^2 chi_F(1) / sigma_l^2` with sigma_l^2 the variance of h_l over units (the
///   norm's Jacobian scales by 1/sigma_l); for ReLU without biases this gives
///   grad_ms_l = q_L / q_l.
/// * pre-norm, batch: forward as above for relu / leaky_relu / linear; backward unsupported.
/// * ReZero (alpha = 0) and Fixup (last branch layer 0): flat, q_l = q_0, factor 1.
/// * post-norm: unsupported.
pub fn predict_profile_for_input(cfg: &Config, input_dim: usize, input_second_moment: f64) -> TheoryProfile {
    predict_profile_for_inputs(cfg, input_dim, &[input_second_moment])
}

/// Most inputs whose profiles [`predict_profile_for_inputs`] averages; a larger set is
/// represented by this many evenly spaced order statistics of its second moments.
pub const MAX_THEORY_INPUTS: usize = 256;

/// The profile the trainer's statistics measure on a set of inputs: mean field is a
/// prediction per input, and the statistics are means over the batch, so the curves are the
/// per-input curves averaged over the inputs (`input_second_moments[i]` = |x_i|^2 / d_in).
/// Averaging matters where the curve is not linear in q_x: a pre-norm net's gradient grows as
/// q_L / q_l per input, which inputs near the origin dominate.
pub fn predict_profile_for_inputs(cfg: &Config, input_dim: usize, input_second_moments: &[f64]) -> TheoryProfile {
    let m = &cfg.model;
    let phi = Phi::from_model(m);
    let mut sorted: Vec<f64> = input_second_moments.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let reps: Vec<f64> = if n <= MAX_THEORY_INPUTS {
        sorted.clone()
    } else {
        (0..MAX_THEORY_INPUTS).map(|k| sorted[((k as f64 + 0.5) / MAX_THEORY_INPUTS as f64 * n as f64) as usize]).collect()
    };
    let mean_qx = if n == 0 { f64::NAN } else { sorted.iter().sum::<f64>() / n as f64 };
    let mut notes = vec![
        "mean-field prediction: infinite width, at initialisation, Gaussian weights with the init's variance".to_string(),
        if n == 1 {
            format!("inputs: {input_dim} features of second moment {} each", num(mean_qx))
        } else {
            format!(
                "inputs: the average of the per-input predictions over {n} inputs of {input_dim} features (second moment per feature {} on average, {} to {}), as the measured statistics average over the batch",
                num(mean_qx),
                num(sorted.first().copied().unwrap_or(f64::NAN)),
                num(sorted.last().copied().unwrap_or(f64::NAN))
            )
        },
        "gradient: relative to the top block (the head and the loss set its scale), the same size at the top for every input; gradient-independence assumption (Schoenholz et al. 2017)".to_string(),
    ];
    if m.norm != NormKind::None {
        notes.push("norms: affine at init (gain 1, shift 0), eps neglected".to_string());
    }
    if m.init == InitKind::Fixup {
        notes.push("fixup: the head is zero at init, so the measured dL/dh_l is exactly 0 at step 0; the flat relative profile applies once the head has moved".to_string());
    }
    let branch_multiplier = (m.kind == NetKind::Residual).then(|| branch_multiplier(m));
    let (forward, backward) = if reps.is_empty() {
        let reason = "no inputs to predict for".to_string();
        (Err(reason.clone()), Err(reason))
    } else {
        let per_input: Vec<(CurveResult, CurveResult)> = reps.iter().map(|&qx| profile_curves(m, phi, input_dim, qx)).collect();
        (average(per_input.iter().map(|c| &c.0)), average(per_input.iter().map(|c| &c.1)))
    };
    let (second_moment, grad_mean_square) = (Curve::from(forward), Curve::from(backward));
    let supported = second_moment.supported && grad_mean_square.supported;
    let reason = [&second_moment, &grad_mean_square]
        .iter()
        .zip(["second_moment", "grad_mean_square"])
        .filter(|(c, _)| !c.supported)
        .map(|(c, name)| format!("{name}: {}", c.reason))
        .collect::<Vec<_>>()
        .join("; ");
    TheoryProfile {
        supported,
        reason,
        depth: m.depth,
        input_dim,
        input_second_moment: mean_qx,
        branch_multiplier,
        second_moment,
        grad_mean_square,
        notes,
    }
}

/// The elementwise mean of per-input curves, or the first reason one has none.
fn average<'a>(curves: impl Iterator<Item = &'a CurveResult>) -> CurveResult {
    let mut sum: Vec<f64> = Vec::new();
    let mut count = 0;
    for c in curves {
        let values = c.as_ref().map_err(Clone::clone)?;
        if sum.is_empty() {
            sum = vec![0.0; values.len()];
        }
        for (s, v) in sum.iter_mut().zip(values) {
            *s += v;
        }
        count += 1;
    }
    Ok(sum.into_iter().map(|s| s / count as f64).collect())
}

/// alpha at init, as `net.rs` sets it: ReZero 0; Fixup's multiplier and a learnable scalar 1;
/// otherwise 1 or 1/sqrt(L).
fn branch_multiplier(m: &ModelConfig) -> f64 {
    match (m.init, m.branch_scale) {
        (InitKind::Rezero, _) => 0.0,
        (InitKind::Fixup, _) | (_, BranchScale::Learnable) | (_, BranchScale::One) => 1.0,
        (_, BranchScale::InvSqrtDepth) => 1.0 / (m.depth.max(1) as f64).sqrt(),
    }
}

type CurveResult = std::result::Result<Vec<f64>, String>;

fn profile_curves(m: &ModelConfig, phi: Phi, input_dim: usize, qx: f64) -> (CurveResult, CurveResult) {
    let both = |reason: String| (Err(reason.clone()), Err(reason));
    if input_dim == 0 || !(qx.is_finite() && qx >= 0.0) {
        return both(format!("input_dim = {input_dim} and input_second_moment = {}: need d_in >= 1 and a finite q_x >= 0", num(qx)));
    }
    if !(m.sigma_w2.is_finite() && m.sigma_w2 > 0.0 && m.sigma_b2.is_finite() && m.sigma_b2 >= 0.0 && m.leaky_slope.is_finite()) {
        return both("model.sigma_w2, model.sigma_b2 or model.leaky_slope is out of range".to_string());
    }
    let depth = m.depth;
    let width = m.width.max(1);
    let sb2 = if m.init == InitKind::Custom { m.sigma_b2 } else { 0.0 };
    let s_stem = weight_scale(m, input_dim, width);
    let s_hidden = weight_scale(m, width, width);
    let homogeneous = phi.homogeneous_gains();

    // Stem.
    let q0 = s_stem * qx + sb2;
    let h0 = if m.stem_activation { moments(phi, q0, FINE_STEP).phi2 } else { q0 };
    // Mean over units of h_0 (nonzero after relu): LayerNorm subtracts it.
    let mean0 = if m.stem_activation { phi.mean(q0) } else { 0.0 };

    match m.kind {
        NetKind::Plain => {
            if matches!(m.init, InitKind::Fixup | InitKind::Rezero) {
                return both(format!("init {} initialises residual branches; it needs model.kind = residual", m.init));
            }
            let mut second = Vec::with_capacity(depth + 1);
            let mut factors = Vec::with_capacity(depth); // factors[l]: backward gain of block l+1
            second.push(h0);
            let mut h = h0;
            for _ in 0..depth {
                let q_pre = s_hidden * h + sb2;
                match m.norm {
                    NormKind::None => {
                        let mo = moments(phi, q_pre, FINE_STEP);
                        h = mo.phi2;
                        factors.push(s_hidden * mo.dphi2);
                    }
                    NormKind::Layer | NormKind::Rms => {
                        // N divides by sqrt(q_pre + eps): its output has second moment r < 1.
                        let r = q_pre / (q_pre + NORM_EPS);
                        let mo = moments(phi, r, FINE_STEP);
                        h = mo.phi2;
                        factors.push(s_hidden * mo.dphi2 / (q_pre + NORM_EPS));
                    }
                    NormKind::Batch => {
                        // Per unit over the batch: the inputs' average of phi^2 is that of r = 1.
                        let mo = moments(phi, 1.0, FINE_STEP);
                        h = mo.phi2;
                        factors.push(if q_pre > 0.0 { s_hidden * mo.dphi2 / q_pre } else { f64::INFINITY });
                    }
                }
                second.push(h);
            }
            if m.norm == NormKind::Batch {
                let forward = if homogeneous.is_some() {
                    Ok(second)
                } else {
                    Err(batch_norm_forward_reason(phi))
                };
                return (forward, Err(batch_norm_backward_reason()));
            }
            (Ok(second), Ok(backward_from_factors(&factors)))
        }
        NetKind::Residual => {
            if m.norm != NormKind::None && m.norm_position == NormPosition::Post {
                return both(
                    "post-norm (h <- N(h + alpha F(h))) is not covered by this theory: the norm rescales the identity path every block".to_string(),
                );
            }
            let alpha = branch_multiplier(m);
            let flat = m.init == InitKind::Rezero || m.init == InitKind::Fixup || alpha == 0.0;
            if flat {
                // ReZero: alpha = 0; Fixup: the branch's last layer is 0. Either way F = 0 and
                // its Jacobian is 0 at init: h_l = h_0 and dL/dh_l = dL/dh_L.
                return (Ok(vec![h0; depth + 1]), Ok(vec![1.0; depth + 1]));
            }
            let branch = Branch { layers: m.branch_layers, sw2_in: s_hidden, sw2_out: s_hidden, sb2 };
            let a2 = alpha * alpha;
            let stream_gaussian = !m.stem_activation || m.activation == ActivationKind::Linear;
            if m.branch_layers < 2 && !stream_gaussian {
                return both(format!(
                    "a 1-layer branch applies phi (after the norm, if any) directly to the stream, and with model.stem_activation the stream (phi(z_0) plus Gaussian branch outputs) is not Gaussian; use 2 branch layers or no stem activation for a {} prediction",
                    m.activation
                ));
            }
            let mut second = Vec::with_capacity(depth + 1);
            let mut factors = Vec::with_capacity(depth);
            second.push(h0);
            let mut q = h0;
            match m.norm {
                NormKind::None => {
                    for _ in 0..depth {
                        let v = branch_variance(phi, branch, q);
                        factors.push(1.0 + a2 * branch_gain(phi, branch, q));
                        q += a2 * v;
                        second.push(q);
                    }
                    (Ok(second), Ok(backward_from_factors(&factors)))
                }
                NormKind::Layer | NormKind::Rms | NormKind::Batch => {
                    let centred = m.norm == NormKind::Layer;
                    for _ in 0..depth {
                        // The branch input N(h) has second moment r = sigma^2 / (sigma^2 + eps)
                        // per unit (1 but for a stream near 0, as at an input at the origin),
                        // sigma^2 the variance of h_l over units: LayerNorm removes the mean over
                        // units (nonzero only through the stem activation); RMSNorm divides by
                        // the RMS. BatchNorm (per unit over the batch): r = 1 on average over the
                        // inputs, and the branch is linear in r for the activations it covers.
                        let (sigma2, eps) = match m.norm {
                            NormKind::Batch => (q, 0.0),
                            _ if centred => (q - mean0 * mean0, NORM_EPS),
                            _ => (q, NORM_EPS),
                        };
                        let r = if eps == 0.0 { 1.0 } else { sigma2 / (sigma2 + eps) };
                        let gain = branch_gain(phi, branch, r);
                        factors.push(if sigma2 + eps > 0.0 { 1.0 + a2 * gain / (sigma2 + eps) } else { f64::INFINITY });
                        q += a2 * branch_variance(phi, branch, r);
                        second.push(q);
                    }
                    if m.norm == NormKind::Batch {
                        let forward = if homogeneous.is_some() { Ok(second) } else { Err(batch_norm_forward_reason(phi)) };
                        return (forward, Err(batch_norm_backward_reason()));
                    }
                    (Ok(second), Ok(backward_from_factors(&factors)))
                }
            }
        }
    }
}

fn batch_norm_forward_reason(phi: Phi) -> String {
    format!(
        "batch norm makes each unit's batch second moment 1 but not each example's; for {}, E[phi^2] then depends on how that spreads over the batch (exact only for relu, leaky_relu and linear)",
        phi.kind
    )
}

fn batch_norm_backward_reason() -> String {
    "batch norm couples the examples of a batch: the backward map depends on the batch size and on per-unit batch means (Yang et al. 2019, A Mean Field Theory of Batch Normalization), which this theory does not model".to_string()
}

/// Relative mean square of dL/dh_l from per-block backward gains: g_L = 1,
/// g_l = g_{l+1} * factors[l] (block l+1 maps h_l to h_{l+1}).
fn backward_from_factors(factors: &[f64]) -> Vec<f64> {
    let depth = factors.len();
    let mut g = vec![1.0; depth + 1];
    for l in (0..depth).rev() {
        g[l] = g[l + 1] * factors[l];
    }
    g
}
