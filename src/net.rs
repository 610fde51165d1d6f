//! The network: stem Linear(d_in -> W) [phi], L blocks on the W-wide stream, head
//! [N] Linear(W -> d_out). Generic over the scalar so gradient checks can run in f64.
//!
//! Batch layout: every activation is `(batch, features)` column-major; the first `batch`
//! entries are feature 0 of every sample. Buffers are sized once for `capacity` samples;
//! forward and backward allocate nothing.

use crate::activation::Activation;
use crate::block::{Alpha, Block, Residual};
use crate::config::{BranchScale, InitKind, ModelConfig, NetKind, NormKind, NormPosition};
use crate::init::{init_linear, LinearSite};
use crate::linear::Linear;
use crate::norm::{Mode, Norm};
use crate::params::{ParamInfo, ParamLayout, Role, Span};
use crate::rng::Rng;
use crate::scalar::Scalar;
use crate::seq::{Op, Scratch, Seq};

pub struct Network<T> {
    pub model: ModelConfig,
    pub d_in: usize,
    pub d_out: usize,
    /// The largest batch a forward pass takes.
    pub capacity: usize,
    pub infos: Vec<ParamInfo>,
    pub params: Vec<T>,
    pub grads: Vec<T>,
    pub stem: Seq<T>,
    pub blocks: Vec<Block<T>>,
    pub head: Seq<T>,
    scratch: Scratch<T>,
    /// dL/dh at the current and the previous stream position (ping-pong), `(batch, W)`.
    d_stream: [Vec<T>; 2],
    /// Indices into `infos` of the Linear weights of layer l = 0 (stem) ..= L+1 (head).
    pub layer_weights: Vec<Vec<usize>>,
}

struct Builder<'a> {
    m: &'a ModelConfig,
    layout: ParamLayout,
    capacity: usize,
    linears: Vec<(Linear, LinearSite)>,
}

impl Builder<'_> {
    fn linear(&mut self, name: &str, fan_in: usize, fan_out: usize, layer: usize, site: LinearSite) -> Op {
        let weight = self.layout.add(format!("{name}.weight"), vec![fan_out, fan_in], Role::Weight, layer);
        let bias = self.layout.add(format!("{name}.bias"), vec![fan_out], Role::Bias, layer);
        let l = Linear { fan_in, fan_out, weight, bias };
        self.linears.push((l.clone(), site));
        Op::Linear(l)
    }
    fn norm(&mut self, name: &str, kind: NormKind, width: usize, layer: usize) -> Norm {
        let gain = self.layout.add(format!("{name}.weight"), vec![width], Role::Gain, layer);
        let bias = self.layout.add(format!("{name}.bias"), vec![width], Role::Bias, layer);
        Norm::new(kind, width, self.capacity, gain, bias)
    }
    fn scalar(&mut self, name: String, layer: usize) -> Span {
        self.layout.add(name, vec![], Role::Scalar, layer)
    }
    fn act(&self) -> Op {
        Op::Act(Activation::new(self.m.activation, self.m.leaky_slope))
    }
}

impl<T: Scalar> Network<T> {
    /// sqrt of the sum of `tensor_sq` (one value per parameter tensor) over layer l's Linear
    /// weights: the Frobenius norm of the layer's weights, gradients or last update.
    pub fn layer_norm(&self, l: usize, tensor_sq: &[f64]) -> f64 {
        self.layer_weights[l].iter().map(|&k| tensor_sq[k]).sum::<f64>().sqrt()
    }

    /// Builds and initializes a network. `rng` supplies every random draw.
    pub fn new(m: &ModelConfig, d_in: usize, d_out: usize, capacity: usize, rng: &mut Rng) -> Self {
        let w = m.width;
        let depth = m.depth;
        let mut b = Builder { m, layout: ParamLayout::default(), capacity, linears: Vec::new() };
        let fixup = m.init == InitKind::Fixup;

        let mut stem_ops = vec![b.linear("stem", d_in, w, 0, LinearSite::Stem)];
        if m.stem_activation {
            stem_ops.push(b.act());
        }
        let stem = Seq::new(stem_ops, d_in, capacity);

        let mut blocks = Vec::with_capacity(depth);
        let mut learned_alphas = Vec::new();
        let mut fixup_scalars = Vec::new();
        for l in 1..=depth {
            let p = format!("blocks.{}", l - 1);
            match m.kind {
                NetKind::Plain => {
                    let mut ops = vec![b.linear(&format!("{p}.fc1"), w, w, l, LinearSite::Plain)];
                    if m.norm != NormKind::None {
                        ops.push(Op::Norm(b.norm(&format!("{p}.norm"), m.norm, w, l)));
                    }
                    ops.push(b.act());
                    blocks.push(Block::Plain(Seq::new(ops, w, capacity)));
                }
                NetKind::Residual => {
                    let pre = m.norm != NormKind::None && m.norm_position == NormPosition::Pre;
                    let mut ops = Vec::new();
                    let mut fix = |b: &mut Builder, ops: &mut Vec<Op>, name: &str| {
                        if fixup {
                            let s = b.scalar(format!("{p}.{name}"), l);
                            fixup_scalars.push(s);
                            ops.push(Op::ScalarBias(s));
                        }
                    };
                    if pre {
                        ops.push(Op::Norm(b.norm(&format!("{p}.norm"), m.norm, w, l)));
                    }
                    if m.branch_layers == 2 {
                        fix(&mut b, &mut ops, "bias1a");
                        ops.push(b.linear(&format!("{p}.fc1"), w, w, l, LinearSite::BranchInner));
                        fix(&mut b, &mut ops, "bias1b");
                        ops.push(b.act());
                        fix(&mut b, &mut ops, "bias2a");
                        ops.push(b.linear(&format!("{p}.fc2"), w, w, l, LinearSite::BranchLast));
                    } else {
                        fix(&mut b, &mut ops, "bias1a");
                        ops.push(b.act());
                        fix(&mut b, &mut ops, "bias1b");
                        ops.push(b.linear(&format!("{p}.fc1"), w, w, l, LinearSite::BranchLast));
                    }
                    let branch = Seq::new(ops, w, capacity);
                    let learnable = fixup || m.init == InitKind::Rezero || m.branch_scale == BranchScale::Learnable;
                    let alpha = if learnable {
                        let s = b.scalar(format!("{p}.alpha"), l);
                        learned_alphas.push(s);
                        Alpha::Learned(s)
                    } else if m.branch_scale == BranchScale::InvSqrtDepth {
                        Alpha::Fixed(1.0 / (depth as f64).sqrt())
                    } else {
                        Alpha::Fixed(1.0)
                    };
                    let out_bias = if fixup {
                        let s = b.scalar(format!("{p}.bias2b"), l);
                        fixup_scalars.push(s);
                        Some(s)
                    } else {
                        None
                    };
                    let post = (m.norm != NormKind::None && m.norm_position == NormPosition::Post)
                        .then(|| b.norm(&format!("{p}.post_norm"), m.norm, w, l));
                    blocks.push(Block::Residual(Residual::new(branch, alpha, out_bias, post, w, capacity)));
                }
            }
        }

        let mut head_ops = Vec::new();
        if m.final_norm {
            let kind = if m.norm == NormKind::None { NormKind::Layer } else { m.norm };
            head_ops.push(Op::Norm(b.norm("final_norm", kind, w, depth + 1)));
        }
        head_ops.push(b.linear("head", w, d_out, depth + 1, LinearSite::Head));
        let head = Seq::new(head_ops, w, capacity);

        // Initialize in f64, in forward order, then convert.
        let mut p64 = vec![0.0f64; b.layout.total];
        for info in &b.layout.infos {
            if info.role == Role::Gain {
                info.span.of_mut(&mut p64).fill(1.0);
            }
        }
        for (lin, site) in &b.linears {
            let (wo, bo) = (lin.weight.offset, lin.bias.offset);
            let (left, right) = p64.split_at_mut(bo);
            let weight = &mut left[wo..wo + lin.weight.len];
            let bias = &mut right[..lin.bias.len];
            init_linear(m, *site, lin.fan_in, lin.fan_out, weight, bias, rng);
        }
        let alpha0 = if m.init == InitKind::Rezero { 0.0 } else { 1.0 };
        for s in &learned_alphas {
            p64[s.offset] = alpha0;
        }
        // Fixup scalar biases start at 0 (already).
        let _ = fixup_scalars;

        let mut layer_weights = vec![Vec::new(); depth + 2];
        for (k, info) in b.layout.infos.iter().enumerate() {
            if info.role == Role::Weight {
                layer_weights[info.layer].push(k);
            }
        }
        let scratch_len = capacity * w.max(d_in).max(d_out);
        Network {
            model: m.clone(),
            d_in,
            d_out,
            capacity,
            params: p64.iter().map(|&v| T::from_f64(v)).collect(),
            grads: vec![T::ZERO; b.layout.total],
            infos: b.layout.infos,
            stem,
            blocks,
            head,
            scratch: Scratch::new(scratch_len),
            d_stream: [vec![T::ZERO; capacity * w], vec![T::ZERO; capacity * w]],
            layer_weights,
        }
    }

    pub fn width(&self) -> usize {
        self.model.width
    }

    /// h_l for l = 0 (stem output) ..= L, `(batch, W)`.
    pub fn stream(&self, l: usize, batch: usize) -> &[T] {
        if l == 0 { self.stem.output(batch) } else { self.blocks[l - 1].output(batch, self.model.width) }
    }

    /// Forward pass of `batch` samples `x` (`(batch, d_in)` column-major); returns the head
    /// output `(batch, d_out)`.
    pub fn forward(&mut self, x: &[T], batch: usize, mode: Mode, bn_momentum: f64) -> &[T] {
        self.forward_skipping(x, batch, mode, bn_momentum, |_| false)
    }

    /// `forward` with every block l (0-based) for which `skip(l)` holds deleted: it passes its
    /// input on, so a residual block keeps its skip and a plain block is gone (the lesions of
    /// Veit et al. 2016, `lesion.rs`). A skipped block's caches are stale: no `backward` after it.
    pub fn forward_skipping(&mut self, x: &[T], batch: usize, mode: Mode, bn_momentum: f64, skip: impl Fn(usize) -> bool) -> &[T] {
        assert!(batch <= self.capacity && x.len() >= batch * self.d_in);
        let w = self.model.width;
        self.stem.forward(&self.params, x, batch, mode, bn_momentum);
        let mut last: Option<usize> = None; // the last block that ran
        for l in 0..self.blocks.len() {
            if skip(l) {
                continue;
            }
            let (before, rest) = self.blocks.split_at_mut(l);
            let h = match last {
                None => self.stem.output(batch),
                Some(k) => before[k].output(batch, w),
            };
            rest[0].forward(&self.params, h, batch, mode, bn_momentum);
            last = Some(l);
        }
        let h_last = match last {
            None => self.stem.output(batch),
            Some(k) => self.blocks[k].output(batch, w),
        };
        self.head.forward(&self.params, h_last, batch, mode, bn_momentum);
        self.head.output(batch)
    }

    /// Backward pass after `forward` on the same batch. Writes every parameter gradient into
    /// `self.grads`, calls `on_stream(l, dL/dh_l)` for l = L down to 0, and writes dL/dx into
    /// `d_x` if given.
    pub fn backward(&mut self, x: &[T], d_logits: &[T], batch: usize, on_stream: impl FnMut(usize, &[T]), d_x: Option<&mut [T]>) {
        let w = self.model.width;
        let n = batch * w;
        {
            let Network { params, grads, stem, blocks, head, scratch, d_stream, .. } = self;
            let h_last = match blocks.last() {
                None => stem.output(batch),
                Some(b) => b.output(batch, w),
            };
            head.backward(params, grads, h_last, d_logits, Some(&mut d_stream[0][..n]), batch, &mut scratch.ping, &mut scratch.pong, &mut scratch.x_t);
        }
        let bottom = self.blocks_backward(batch, on_stream);
        let Network { params, grads, stem, scratch, d_stream, .. } = self;
        stem.backward(params, grads, x, &d_stream[bottom][..n], d_x, batch, &mut scratch.ping, &mut scratch.pong, &mut scratch.x_t);
    }

    /// dL/dh_0 from dL/dh_L (`d_top`, `(batch, W)`) through the blocks only: v -> J^T v for the
    /// stream's input-output Jacobian J = dh_L/dh_0. Overwrites the blocks' parameter gradients.
    pub fn stream_backward(&mut self, d_top: &[T], d_bottom: &mut [T], batch: usize) {
        let n = batch * self.model.width;
        self.d_stream[0][..n].copy_from_slice(&d_top[..n]);
        let bottom = self.blocks_backward(batch, |_, _| {});
        d_bottom[..n].copy_from_slice(&self.d_stream[bottom][..n]);
    }

    /// Runs the blocks backward from `d_stream[0]` = dL/dh_L; returns which of the two
    /// `d_stream` buffers holds dL/dh_0.
    fn blocks_backward(&mut self, batch: usize, mut on_stream: impl FnMut(usize, &[T])) -> usize {
        let w = self.model.width;
        let n = batch * w;
        let depth = self.blocks.len();
        let Network { params, grads, stem, blocks, scratch, d_stream, .. } = self;
        on_stream(depth, &d_stream[0][..n]);
        let mut cur = 0;
        for l in (0..depth).rev() {
            let h_in = if l == 0 { stem.output(batch) } else { blocks[l - 1].output(batch, w) };
            let (a, b) = d_stream.split_at_mut(1);
            let (d_out, d_in) = if cur == 0 { (&a[0], &mut b[0]) } else { (&b[0], &mut a[0]) };
            blocks[l].backward(params, grads, h_in, &d_out[..n], &mut d_in[..n], batch, scratch);
            cur = 1 - cur;
            on_stream(l, &d_stream[cur][..n]);
        }
        cur
    }

    pub fn dead_fraction(&self, l: usize, batch: usize) -> f64 {
        if l == 0 {
            // The stem's activation (if any) follows its Linear, so its input is not read.
            return if self.model.stem_activation { self.stem.dead_fraction(&[], batch) } else { 0.0 };
        }
        let h_in = self.stream(l - 1, batch);
        self.blocks[l - 1].dead_fraction(h_in, batch)
    }

    /// Every norm, in forward order (for saving and restoring BatchNorm running statistics).
    pub fn norms_mut(&mut self) -> Vec<&mut Norm> {
        let mut v: Vec<&mut Norm> = Vec::new();
        for b in &mut self.blocks {
            v.extend(b.norms_mut());
        }
        v.extend(self.head.norms_mut());
        v
    }
    pub fn norms(&self) -> Vec<&Norm> {
        let mut v: Vec<&Norm> = Vec::new();
        for b in &self.blocks {
            v.extend(b.norms());
        }
        v.extend(self.head.norms());
        v
    }
}
