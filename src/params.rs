//! All trainable parameters of a network live in one flat buffer (and their gradients in a
//! second one of the same length). Layers hold `Span`s into it. One buffer makes the
//! optimizers, gradient clipping, serialization and the "weights in and out" API simple loops.

/// A range of the flat parameter buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

impl Span {
    #[inline]
    pub fn of<'a, T>(&self, xs: &'a [T]) -> &'a [T] {
        &xs[self.offset..self.offset + self.len]
    }
    #[inline]
    pub fn of_mut<'a, T>(&self, xs: &'a mut [T]) -> &'a mut [T] {
        &mut xs[self.offset..self.offset + self.len]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A Linear weight, `[out][in]` row-major (PyTorch's `nn.Linear.weight`).
    Weight,
    Bias,
    /// A norm's gain (PyTorch calls it `weight`).
    Gain,
    /// A learnable scalar (branch multiplier alpha, Fixup scalar bias).
    Scalar,
}

/// One named parameter tensor. Serializes as `{ name, shape, layer }` (what the JS API shows).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParamInfo {
    /// PyTorch-style name, e.g. `blocks.3.fc1.weight`.
    pub name: String,
    /// `[out, in]` for weights, `[n]` for vectors, `[]` for scalars.
    pub shape: Vec<usize>,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub role: Role,
    /// 0 = stem, 1..=L = block l, L+1 = head.
    pub layer: usize,
}

/// Hands out spans while a network is built.
#[derive(Default)]
pub struct ParamLayout {
    pub infos: Vec<ParamInfo>,
    pub total: usize,
}

impl ParamLayout {
    pub fn add(&mut self, name: String, shape: Vec<usize>, role: Role, layer: usize) -> Span {
        let len = shape.iter().product::<usize>().max(1);
        let span = Span { offset: self.total, len };
        self.total += len;
        self.infos.push(ParamInfo { name, shape, span, role, layer });
        span
    }
}
