//! Optimizers over the flat parameter buffer (PyTorch's update rules), with optional global
//! gradient-norm clipping. `step` also returns, per parameter tensor, the squared norm of the
//! update it applied (for update/weight ratios), into a caller-owned buffer.

use crate::config::{OptimizerConfig, OptimizerKind};
use crate::params::ParamInfo;
use crate::simd::{add, div, from_array, load, mul, splat, sqrt, store, sub, sum4, to_array, LANES, V};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Optimizer {
    pub cfg: OptimizerConfig,
    /// Number of updates applied.
    pub t: u64,
    /// Momentum buffer (momentum) or first moment (adam, adamw).
    pub m: Vec<f32>,
    /// Second moment (adam, adamw).
    pub v: Vec<f32>,
}

impl Optimizer {
    pub fn new(cfg: &OptimizerConfig, n_params: usize) -> Self {
        let needs_m = cfg.kind != OptimizerKind::Sgd;
        let needs_v = matches!(cfg.kind, OptimizerKind::Adam | OptimizerKind::Adamw);
        Optimizer {
            cfg: cfg.clone(),
            t: 0,
            m: vec![0.0; if needs_m { n_params } else { 0 }],
            v: vec![0.0; if needs_v { n_params } else { 0 }],
        }
    }

    /// Scales `grads`, whose global L2 norm is `norm`, so the norm is at most `clip_norm` (as
    /// `torch.nn.utils.clip_grad_norm_`).
    pub fn clip(&self, grads: &mut [f32], norm: f64) {
        let c = self.cfg.clip_norm;
        if c > 0.0 && norm > c {
            let s = (c / (norm + 1e-6)) as f32;
            grads.iter_mut().for_each(|g| *g *= s);
        }
    }

    /// One update. `update_sq[i]` and `param_sq[i]` receive ||delta||^2 and the new ||p||^2 of
    /// tensor `infos[i]` (summed in the same pass; a non-finite parameter makes it non-finite).
    pub fn step(&mut self, params: &mut [f32], grads: &[f32], infos: &[ParamInfo], update_sq: &mut [f64], param_sq: &mut [f64]) {
        self.t += 1;
        let c = &self.cfg;
        let lr = c.lr as f32;
        let wd = c.weight_decay as f32;
        let t = self.t;
        let (b1, b2) = (c.beta1 as f32, c.beta2 as f32);
        // libm's pow, not powi: the same bits natively and in wasm.
        let bc1 = 1.0 - libm::pow(c.beta1, t as f64);
        let bc2 = 1.0 - libm::pow(c.beta2, t as f64);
        let step_size = (c.lr / bc1) as f32;
        let bc2_sqrt = bc2.sqrt() as f32;
        let eps = c.eps as f32;
        let mu = c.momentum as f32;
        let kind = c.kind;
        let nesterov = c.nesterov;
        for (k, info) in infos.iter().enumerate() {
            let r = info.span.offset..info.span.offset + info.span.len;
            let (p, g) = (&mut params[r.clone()], &grads[r.clone()]);
            // The kind is matched once per tensor, and each rule runs on four entries at a time
            // (lanes round exactly like the scalar f32 rule: the same bits as entry by entry).
            // `i` is the first of the `n` (1..=4) entries; lanes past `n` are ignored.
            (update_sq[k], param_sq[k]) = match kind {
                OptimizerKind::Sgd => update(p, |i, n, p| mul(splat(-lr), add(get(g, i, n), mul(splat(wd), p)))),
                OptimizerKind::Momentum => {
                    let m = &mut self.m[r];
                    update(p, |i, n, p| {
                        let g = add(get(g, i, n), mul(splat(wd), p));
                        // PyTorch: buf = mu buf + g (buf = g on the first step); d = g + mu buf if Nesterov.
                        let buf = add(mul(splat(mu), get(m, i, n)), g);
                        put(m, i, n, buf);
                        mul(splat(-lr), if nesterov { add(g, mul(splat(mu), buf)) } else { buf })
                    })
                }
                OptimizerKind::Adam | OptimizerKind::Adamw => {
                    let (m, v) = (&mut self.m[r.clone()], &mut self.v[r]);
                    let adamw = kind == OptimizerKind::Adamw;
                    update(p, |i, n, p| {
                        let mut g = get(g, i, n);
                        let mut decay = splat(0.0);
                        if adamw {
                            decay = mul(splat(-lr * wd), p); // decoupled (Loshchilov & Hutter 2019)
                        } else {
                            g = add(g, mul(splat(wd), p));
                        }
                        let mi = add(mul(splat(b1), get(m, i, n)), mul(splat(1.0 - b1), g));
                        let vi = add(mul(splat(b2), get(v, i, n)), mul(mul(splat(1.0 - b2), g), g));
                        put(m, i, n, mi);
                        put(v, i, n, vi);
                        // PyTorch: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).
                        sub(decay, div(mul(splat(step_size), mi), add(div(sqrt(vi), splat(bc2_sqrt)), splat(eps))))
                    })
                }
            };
        }
    }
}

/// Entries i..i+n of `s` (n <= 4) as a vector, zeros in the lanes past n.
#[inline(always)]
fn get(s: &[f32], i: usize, n: usize) -> V {
    if n == LANES {
        let quad = &s[i..i + LANES];
        // SAFETY: `quad` holds four f32.
        return unsafe { load(quad.as_ptr()) };
    }
    let mut a = [0f32; LANES];
    a[..n].copy_from_slice(&s[i..i + n]);
    from_array(a)
}

/// Writes the first n lanes of `x` to entries i..i+n of `s`.
#[inline(always)]
fn put(s: &mut [f32], i: usize, n: usize, x: V) {
    if n == LANES {
        let quad = &mut s[i..i + LANES];
        // SAFETY: `quad` holds four f32.
        return unsafe { store(quad.as_mut_ptr(), x) };
    }
    s[i..i + n].copy_from_slice(&to_array(x)[..n]);
}

/// The vector with the lanes past n set to zero.
#[inline(always)]
fn first(x: V, n: usize) -> V {
    if n == LANES {
        return x;
    }
    let mut a = to_array(x);
    a[n..].fill(0.0);
    from_array(a)
}

/// params[i..i+n] += delta(i, n, params[i..i+n]) over a tensor, four entries at a time;
/// returns (||delta||^2, ||params||^2 after). The squares are summed like the statistics
/// (`stats::BLOCK`): in f32 within blocks of 64 entries, lane l taking the entries l mod 4, and
/// the block sums in f64; a block whose f32 sum overflows is summed again in f64, so the
/// result is finite exactly when every entry is.
#[inline(always)]
fn update(params: &mut [f32], mut delta: impl FnMut(usize, usize, V) -> V) -> (f64, f64) {
    const BLOCK: usize = crate::stats::BLOCK;
    let (mut dsq, mut psq) = (0.0f64, 0.0f64);
    let mut deltas = [0f32; BLOCK]; // kept for the f64 fallback
    for (b, block) in params.chunks_mut(BLOCK).enumerate() {
        let (mut d4, mut p4) = (splat(0.0), splat(0.0));
        let len = block.len();
        // Entries i..i+n; n is the constant 4 but in the last call, so the quads specialize.
        let mut entries = |i: usize, n: usize| {
            let p = get(block, i, n);
            let d = first(delta(b * BLOCK + i, n, p), n);
            let p_new = first(add(p, d), n);
            put(block, i, n, p_new);
            put(&mut deltas, i, n, d);
            d4 = add(d4, mul(d, d));
            p4 = add(p4, mul(p_new, p_new));
        };
        let n4 = len - len % LANES;
        for i in (0..n4).step_by(LANES) {
            entries(i, LANES);
        }
        if n4 < len {
            entries(n4, len - n4);
        }
        let sq64 = |xs: &[f32]| xs.iter().map(|&v| v as f64 * v as f64).sum::<f64>();
        let (bd, bp) = (sum4(to_array(d4)), sum4(to_array(p4)));
        // Only an infinite sum may be an f32 overflow of finite entries; a NaN one has a NaN entry.
        dsq += if bd != f32::INFINITY { bd as f64 } else { sq64(&deltas[..len]) };
        psq += if bp != f32::INFINITY { bp as f64 } else { sq64(block) };
    }
    (dsq, psq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Role, Span};

    fn one_param() -> Vec<ParamInfo> {
        vec![ParamInfo { name: "p".into(), shape: vec![2], span: Span { offset: 0, len: 2 }, role: Role::Weight, layer: 0 }]
    }

    fn run(cfg: OptimizerConfig, p0: [f32; 2], grads: [[f32; 2]; 2]) -> [[f32; 2]; 2] {
        let mut opt = Optimizer::new(&cfg, 2);
        let mut p = p0.to_vec();
        let (mut sq, mut psq) = ([0.0], [0.0]);
        let mut out = [[0.0; 2]; 2];
        for (s, g) in grads.iter().enumerate() {
            opt.step(&mut p, g, &one_param(), &mut sq, &mut psq);
            out[s] = [p[0], p[1]];
        }
        out
    }

    fn close(a: [[f32; 2]; 2], b: [[f64; 2]; 2]) {
        for s in 0..2 {
            for i in 0..2 {
                // f32 arithmetic: a few ulps (2.4e-7 at magnitude 2) over two steps.
                assert!((a[s][i] as f64 - b[s][i]).abs() < 3e-6, "step {s} param {i}: {} vs {}", a[s][i], b[s][i]);
            }
        }
    }

    // Hand-worked values: p0 = (1, -2), g1 = (0.5, 1), g2 = (-1, 2).
    const P0: [f32; 2] = [1.0, -2.0];
    const G: [[f32; 2]; 2] = [[0.5, 1.0], [-1.0, 2.0]];

    #[test]
    fn sgd_two_steps() {
        let cfg = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.1, weight_decay: 0.0, ..Default::default() };
        // p1 = p0 - 0.1 g1 = (0.95, -2.1); p2 = p1 - 0.1 g2 = (1.05, -2.3)
        close(run(cfg, P0, G), [[0.95, -2.1], [1.05, -2.3]]);
        // With weight decay 0.1: g1' = g1 + 0.1 p0 = (0.6, 0.8) -> p1 = (0.94, -2.08);
        // g2' = (-1 + 0.094, 2 - 0.208) = (-0.906, 1.792) -> p2 = (1.0306, -2.2592)
        let cfg = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.1, weight_decay: 0.1, ..Default::default() };
        close(run(cfg, P0, G), [[0.94, -2.08], [1.0306, -2.2592]]);
    }

    #[test]
    fn momentum_two_steps() {
        let cfg = OptimizerConfig { kind: OptimizerKind::Momentum, lr: 0.1, momentum: 0.9, ..Default::default() };
        // buf1 = g1 = (0.5, 1) -> p1 = (0.95, -2.1); buf2 = 0.9 buf1 + g2 = (-0.55, 2.9) -> p2 = (1.005, -2.39)
        close(run(cfg, P0, G), [[0.95, -2.1], [1.005, -2.39]]);
        // Nesterov: d1 = g1 + 0.9 buf1 = (0.95, 1.9) -> p1 = (0.905, -2.19);
        // d2 = g2 + 0.9 buf2 = (-1.495, 4.61) -> p2 = (1.0545, -2.651)
        let cfg = OptimizerConfig { kind: OptimizerKind::Momentum, lr: 0.1, momentum: 0.9, nesterov: true, ..Default::default() };
        close(run(cfg, P0, G), [[0.905, -2.19], [1.0545, -2.651]]);
    }

    #[test]
    fn adam_two_steps() {
        let cfg = OptimizerConfig { kind: OptimizerKind::Adam, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, ..Default::default() };
        // Step 1: mhat = g, vhat = g^2, so p moves by -lr * sign(g) (eps negligible): (0.9, -2.1).
        // Step 2, unit 0: m = 0.9*0.05 + 0.1*(-1) = -0.055; v = 0.999*0.00025 + 0.001*1 = 0.00124975
        //   mhat = -0.055/0.19 = -0.289474; vhat = 0.00124975/0.001999 = 0.625188; sqrt = 0.790688
        //   p = 0.9 + 0.1*0.289474/0.790688 = 0.936610
        // unit 1: m = 0.9*0.1 + 0.1*2 = 0.29; v = 0.999*0.001 + 0.001*4 = 0.004999
        //   mhat = 1.526316; vhat = 2.500750; sqrt = 1.581376; p = -2.1 - 0.1*0.965183 = -2.196518
        close(run(cfg, P0, G), [[0.9, -2.1], [0.936610, -2.196518]]);
    }

    #[test]
    fn adamw_decays_decoupled() {
        let cfg = OptimizerConfig { kind: OptimizerKind::Adamw, lr: 0.1, weight_decay: 0.5, ..Default::default() };
        // Step 1: p1 = p0 - lr*wd*p0 - lr*sign(g1) = p0*(0.95) - 0.1 = (0.85, -2.0)
        // Step 2: decay -0.05 p1 = (-0.0425, 0.1); Adam part as in adam_two_steps: (+0.036610, -0.096518)
        //   p2 = (0.85 - 0.0425 + 0.036610, -2.0 + 0.1 - 0.096518) = (0.844110, -1.996518)
        close(run(cfg, P0, G), [[0.85, -2.0], [0.844110, -1.996518]]);
    }

    /// A scalar rule as `update`'s vector closure, lane by lane.
    fn lanes(delta: impl Fn(usize, f32) -> f32) -> impl FnMut(usize, usize, V) -> V {
        move |i, n, p| {
            let a = to_array(p);
            from_array(std::array::from_fn(|l| if l < n { delta(i + l, a[l]) } else { 0.0 }))
        }
    }

    /// The norms `update` returns against f64 sums, on several blocks with a ragged tail, with
    /// entries whose f32 squares overflow (finite norms) and with a NaN (non-finite norm).
    #[test]
    fn update_norms_match_f64_sums() {
        let p0: Vec<f32> = (0..203).map(|i| if i % 50 == 3 { 3e19 } else { (i as f32 * 0.3).sin() }).collect();
        let delta = |i: usize, p: f32| if i == 150 { 2e19 } else { -0.01 * p + 1e-3 * i as f32 };
        let mut p = p0.clone();
        let (dsq, psq) = update(&mut p, lanes(delta));
        let d64: f64 = p0.iter().enumerate().map(|(i, &x)| (delta(i, x) as f64).powi(2)).sum();
        let p64: f64 = p.iter().map(|&x| (x as f64).powi(2)).sum();
        assert!(p.iter().zip(&p0).enumerate().all(|(i, (&x, &x0))| x == x0 + delta(i, x0)));
        assert!((dsq / d64 - 1.0).abs() < 2e-6 && (psq / p64 - 1.0).abs() < 2e-6, "{dsq} {d64} {psq} {p64}");
        assert!(dsq.is_finite() && psq.is_finite());
        let mut q = p0.clone();
        let (dsq, psq) = update(&mut q, lanes(|i, p| if i == 77 { f32::NAN } else { -p }));
        assert!(dsq.is_nan() && psq.is_nan());
    }

    /// Every rule, four entries at a time, against the same rule written entry by entry in
    /// scalar f32 (PyTorch's formulas): equal bit for bit over three steps, on a tensor with a
    /// ragged tail (203 entries) and a weight decay.
    #[test]
    fn vector_rules_match_scalar_rules_bitwise() {
        let n = 203;
        let grads: Vec<Vec<f32>> = (0..3).map(|s| (0..n).map(|i| ((i * 7 + s * 13) as f32 * 0.37).sin()).collect()).collect();
        let p0: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
        let cases = [
            OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.1, weight_decay: 0.01, ..Default::default() },
            OptimizerConfig { kind: OptimizerKind::Momentum, lr: 0.05, momentum: 0.9, weight_decay: 0.01, ..Default::default() },
            OptimizerConfig { kind: OptimizerKind::Momentum, lr: 0.05, momentum: 0.9, nesterov: true, ..Default::default() },
            OptimizerConfig { kind: OptimizerKind::Adam, lr: 0.01, weight_decay: 0.01, ..Default::default() },
            OptimizerConfig { kind: OptimizerKind::Adamw, lr: 0.01, weight_decay: 0.1, ..Default::default() },
        ];
        let info = vec![ParamInfo { name: "p".into(), shape: vec![n], span: Span { offset: 0, len: n }, role: Role::Weight, layer: 0 }];
        for cfg in cases {
            let mut opt = Optimizer::new(&cfg, n);
            let mut p = p0.clone();
            let (mut sq, mut psq) = ([0.0], [0.0]);
            let (mut q, mut m, mut v) = (p0.clone(), vec![0f32; n], vec![0f32; n]);
            let (lr, wd, mu) = (cfg.lr as f32, cfg.weight_decay as f32, cfg.momentum as f32);
            let (b1, b2, eps) = (cfg.beta1 as f32, cfg.beta2 as f32, cfg.eps as f32);
            for (t, g) in grads.iter().enumerate() {
                opt.step(&mut p, g, &info, &mut sq, &mut psq);
                let t = t as f64 + 1.0;
                let (bc1, bc2) = (1.0 - libm::pow(cfg.beta1, t), 1.0 - libm::pow(cfg.beta2, t));
                let (step_size, bc2_sqrt) = ((cfg.lr / bc1) as f32, bc2.sqrt() as f32);
                for i in 0..n {
                    q[i] += match cfg.kind {
                        OptimizerKind::Sgd => -lr * (g[i] + wd * q[i]),
                        OptimizerKind::Momentum => {
                            let gi = g[i] + wd * q[i];
                            m[i] = mu * m[i] + gi;
                            -lr * if cfg.nesterov { gi + mu * m[i] } else { m[i] }
                        }
                        _ => {
                            let adamw = cfg.kind == OptimizerKind::Adamw;
                            let gi = if adamw { g[i] } else { g[i] + wd * q[i] };
                            let decay = if adamw { -lr * wd * q[i] } else { 0.0 };
                            m[i] = b1 * m[i] + (1.0 - b1) * gi;
                            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                            decay - step_size * m[i] / (v[i].sqrt() / bc2_sqrt + eps)
                        }
                    };
                }
                let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&p), bits(&q), "{:?} step {t}", cfg.kind);
            }
        }
    }

    #[test]
    fn clipping_scales_to_the_norm() {
        let cfg = OptimizerConfig { clip_norm: 1.0, ..Default::default() };
        let opt = Optimizer::new(&cfg, 2);
        let mut g = vec![3.0f32, 4.0];
        opt.clip(&mut g, 5.0);
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
    }
}
