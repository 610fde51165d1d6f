// PyTorch export: a Python script that rebuilds a lab's network as a torch.nn.Module whose
// state_dict names are exactly the lab's parameter names (src/net.rs, src/block.rs:
// `stem.weight`, `blocks.3.fc1.weight`, `blocks.3.norm.weight`, `blocks.3.alpha`, Fixup's
// `blocks.3.bias1a`, `final_norm.weight`, `head.bias`, ...) and loads the exported weights.
// Pure functions of a "dump" (what the worker's `weights` request returns); no DOM, no wasm,
// so Node tests import this module as is.
//
// dump = { config: lab.config(), info: lab.param_info(), weights: {name: number[]},
//          running_stats: number[] (to_json's BatchNorm running mean/var, forward order),
//          data: { d_in, d_out, classification } }

const NORM_EPS = 1e-5; // src/norm.rs NORM_EPS
const NORM_PARAM = /(^|\.)(norm|post_norm|final_norm)\.weight$/;

/** The weights file: { format, state_dict: { name: { shape, data } } }, BatchNorm buffers included. */
export function weightsJson(dump) {
  const sd = {};
  const shapes = new Map(dump.info.map((p) => [p.name, p.shape]));
  for (const p of dump.info) sd[p.name] = { shape: p.shape, data: Array.from(dump.weights[p.name], Number) };
  const m = dump.config.model;
  const bnEverywhere = m.norm === "batch"; // final_norm takes the model's norm (LayerNorm when none)
  if (bnEverywhere) {
    let k = 0;
    const rs = dump.running_stats ?? [];
    for (const p of dump.info) {
      if (!NORM_PARAM.test(p.name)) continue;
      const base = p.name.slice(0, -".weight".length);
      const w = shapes.get(p.name)[0];
      sd[`${base}.running_mean`] = { shape: [w], data: rs.slice(k, k + w) };
      sd[`${base}.running_var`] = { shape: [w], data: rs.slice(k + w, k + 2 * w) };
      sd[`${base}.num_batches_tracked`] = { shape: [], data: [0] };
      k += 2 * w;
    }
    if (k !== rs.length) throw new Error(`running statistics: expected ${k} values, the lab has ${rs.length}`);
  }
  return { format: "residual-lab-torch-weights/1", state_dict: sd };
}

const py = (v) => (typeof v === "boolean" ? (v ? "True" : "False") : String(v));

function actExpr(m, x) {
  switch (m.activation) {
    case "relu": return `torch.relu(${x})`;
    case "leaky_relu": return `F.leaky_relu(${x}, ${m.leaky_slope})`;
    case "tanh": return `torch.tanh(${x})`;
    case "linear": return x;
    case "gelu": return `F.gelu(${x})`; // exact: x * Phi(x), PyTorch's default
    case "sigmoid": return `torch.sigmoid(${x})`;
    default: throw new Error(`activation ${m.activation} has no PyTorch export`);
  }
}

function normCtor(kind, bnMomentum) {
  if (kind === "batch") return `nn.BatchNorm1d(WIDTH, eps=EPS, momentum=${bnMomentum})`;
  if (kind === "layer") return "nn.LayerNorm(WIDTH, eps=EPS)";
  if (kind === "rms") return "RMSNorm(WIDTH, eps=EPS)";
  throw new Error(`norm ${kind} has no PyTorch export`);
}

/** The block class: same attribute names and the same op order as src/net.rs builds. */
function blockClass(m, bnm) {
  const L = [];
  const hasNorm = m.norm !== "none";
  if (m.kind === "plain") {
    L.push("class Block(nn.Module):", "    \"\"\"Plain block: h <- phi(N(fc1(h))).\"\"\"", "",
      "    def __init__(self):", "        super().__init__()", "        self.fc1 = nn.Linear(WIDTH, WIDTH)");
    if (hasNorm) L.push(`        self.norm = ${normCtor(m.norm, bnm)}`);
    L.push("", "    def forward(self, h):", "        z = self.fc1(h)");
    if (hasNorm) L.push("        z = self.norm(z)");
    L.push(`        return ${actExpr(m, "z")}`);
    return L.join("\n");
  }
  const fixup = m.init === "fixup";
  const learned = fixup || m.init === "rezero" || m.branch_scale === "learnable";
  const pre = hasNorm && m.norm_position === "pre";
  const post = hasNorm && m.norm_position === "post";
  const init = [], fwd = [];
  const scalar = (name) => {
    if (!fixup) return;
    init.push(`        self.${name} = nn.Parameter(torch.zeros(()))`);
    fwd.push(`        f = f + self.${name}`);
  };
  if (pre) { init.push(`        self.norm = ${normCtor(m.norm, bnm)}`); fwd.push("        f = self.norm(f)"); }
  if (m.branch_layers === 2) {
    scalar("bias1a");
    init.push("        self.fc1 = nn.Linear(WIDTH, WIDTH)"); fwd.push("        f = self.fc1(f)");
    scalar("bias1b");
    fwd.push(`        f = ${actExpr(m, "f")}`);
    scalar("bias2a");
    init.push("        self.fc2 = nn.Linear(WIDTH, WIDTH)"); fwd.push("        f = self.fc2(f)");
  } else {
    scalar("bias1a");
    fwd.push(`        f = ${actExpr(m, "f")}`);
    scalar("bias1b");
    init.push("        self.fc1 = nn.Linear(WIDTH, WIDTH)"); fwd.push("        f = self.fc1(f)");
  }
  let alpha;
  if (learned) {
    init.push(`        self.alpha = nn.Parameter(torch.ones(()))  # learnable branch scale${m.init === "rezero" ? " (ReZero: starts at 0)" : ""}`);
    alpha = "self.alpha";
  } else {
    alpha = m.branch_scale === "inv_sqrt_depth" ? "ALPHA" : "1.0";
  }
  let sum = `h + ${alpha} * f`;
  if (fixup) { init.push("        self.bias2b = nn.Parameter(torch.zeros(()))"); sum += " + self.bias2b"; }
  if (post) init.push(`        self.post_norm = ${normCtor(m.norm, bnm)}`);
  const branchDoc = m.branch_layers === 2 ? "fc2(phi(fc1(N(h))))" : "fc1(phi(N(h)))";
  L.push("class Block(nn.Module):",
    `    """Residual block: h <- ${post ? "post_norm(" : ""}h + alpha * F(h)${fixup ? " + bias2b" : ""}${post ? ")" : ""}, F(h) = ${branchDoc}${fixup ? " with Fixup's scalar biases" : ""}."""`, "",
    "    def __init__(self):", "        super().__init__()", ...init, "",
    "    def forward(self, h):", "        f = h", ...fwd, `        s = ${sum}`);
  L.push(post ? "        return self.post_norm(s)" : "        return s");
  return L.join("\n");
}

/**
 * The Python script for one net. opts: { name: "A", embedWeights: true (weights inside the
 * script) | false (read from the JSON file given on the command line), sampleX: number[] rows }.
 */
export function pytorchScript(dump, opts = {}) {
  const c = dump.config, m = c.model;
  const { d_in: dIn, d_out: dOut, classification } = dump.data;
  const bnm = c.bn_momentum ?? 0.1;
  const finalKind = m.norm === "none" ? "layer" : m.norm;
  const name = opts.name ?? "";
  const weightsFile = opts.weightsFile ?? `residual_lab_${name.toLowerCase() || "net"}_weights.json`;
  const desc = `${m.kind}, ${m.depth} blocks x ${m.width}, ${m.activation}, norm ${m.norm}` +
    `${m.kind === "residual" ? ` (${m.norm_position}), ${m.branch_layers}-layer branch, alpha ${m.branch_scale}` : ""}, init ${m.init}`;
  const out = [];
  out.push(`"""Residual Lab net ${name}: ${desc}.`,
    "",
    "Generated by Residual Lab (www/js/pytorch.js). Rebuilds the lab's network as a torch.nn.Module",
    "whose state_dict names match lab.get_weights() exactly, and loads the exported weights.",
    "Linear weights are [out][in] (nn.Linear.weight). Outputs are logits; the lab's predict() returns",
    `${classification ? "softmax(logits)" : "them as they are (regression)"}.`,
    "",
    "model.eval() uses the BatchNorm running statistics, as lab.predict() and lab.evaluate() do;",
    "model.train() uses the statistics of the batch, as the lab's training steps and lab.probe() do.",
    "loss_fn(model(x), y) is the lab's training loss: on the lab's probe batch (its first BATCH_SIZE",
    "training points), loss = loss_fn(model.train()(x), y) is lab.probe().loss and loss.backward()",
    "leaves lab.gradients() in each parameter's .grad. (A train-mode forward also updates the",
    "BatchNorm running statistics, as a lab training step does; lab.probe() does not.)",
    "",
    opts.embedWeights ? `Run: python ${opts.fileName ?? "this_script.py"}` : `Run: python ${opts.fileName ?? "this_script.py"} ${weightsFile}`,
    '"""',
    "import json",
    "import math",
    "import sys",
    "",
    "import torch",
    "from torch import nn",
    "import torch.nn.functional as F",
    "",
    `D_IN, WIDTH, DEPTH, D_OUT = ${dIn}, ${m.width}, ${m.depth}, ${dOut}`,
    `EPS = ${NORM_EPS}  # every norm's epsilon (src/norm.rs)`,
    `ALPHA = 1.0 / math.sqrt(DEPTH)  # branch scale 1/sqrt(L), when it is not learnable`,
    `STEM_ACTIVATION = ${py(!!m.stem_activation)}`,
    `FINAL_NORM = ${py(!!m.final_norm)}`,
    `CLASSIFICATION = ${py(!!classification)}`,
    `BATCH_SIZE = ${c.batch_size}  # the lab's mini-batch: BatchNorm's batch statistics are over this many rows`,
    "",
    "",
    "def loss_fn(outputs, targets):",
    `    """The lab's training loss: ${classification
      ? "mean softmax cross-entropy over the batch; targets are class indices (int64, shape [n])."
      : "mean squared error over batch and outputs; targets have shape [n, D_OUT]."}"""`,
    `    return ${classification ? "F.cross_entropy(outputs, targets)" : "F.mse_loss(outputs, targets)"}`,
    "",
    "",
    "class RMSNorm(nn.Module):",
    '    """x / sqrt(mean(x^2) + eps) * weight + bias (the lab\'s RMSNorm has a bias, unlike nn.RMSNorm)."""',
    "",
    "    def __init__(self, width, eps=EPS):",
    "        super().__init__()",
    "        self.eps = eps",
    "        self.weight = nn.Parameter(torch.ones(width))",
    "        self.bias = nn.Parameter(torch.zeros(width))",
    "",
    "    def forward(self, x):",
    "        return x * torch.rsqrt(torch.mean(x * x, dim=-1, keepdim=True) + self.eps) * self.weight + self.bias",
    "",
    "",
    blockClass(m, bnm),
    "",
    "",
    "class Net(nn.Module):",
    '    """stem Linear(D_IN -> WIDTH) [phi], DEPTH blocks, [final_norm], head Linear(WIDTH -> D_OUT)."""',
    "",
    "    def __init__(self):",
    "        super().__init__()",
    "        self.stem = nn.Linear(D_IN, WIDTH)",
    "        self.blocks = nn.ModuleList([Block() for _ in range(DEPTH)])",
    "        if FINAL_NORM:",
    `            self.final_norm = ${normCtor(finalKind, bnm)}`,
    "        self.head = nn.Linear(WIDTH, D_OUT)",
    "",
    "    def forward(self, x):",
    "        h = self.stem(x)",
    "        if STEM_ACTIVATION:",
    `            h = ${actExpr(m, "h")}`,
    "        for block in self.blocks:",
    "            h = block(h)",
    "        if FINAL_NORM:",
    "            h = self.final_norm(h)",
    "        return self.head(h)",
    "",
    "",
    "def load_weights(model, weights):",
    '    """weights: {"state_dict": {name: {"shape": [...], "data": [...]}}}, as exported by the lab."""',
    "    sd = weights[\"state_dict\"]",
    "    expected = model.state_dict()",
    "    missing = [k for k in expected if k not in sd]",
    "    unexpected = [k for k in sd if k not in expected]",
    "    if missing or unexpected:",
    "        raise KeyError(f\"weights do not match the model: missing {missing}, unexpected {unexpected}\")",
    "    state = {k: torch.tensor(sd[k][\"data\"], dtype=torch.float32).reshape(tuple(sd[k][\"shape\"])) for k in expected}",
    "    model.load_state_dict(state, strict=True)",
    "    return model",
    "");
  if (opts.embedWeights) {
    const w = JSON.stringify(weightsJson(dump));
    out.push(`WEIGHTS = json.loads(${JSON.stringify(w)})`, "");
  } else {
    out.push("WEIGHTS = None  # read from the file named on the command line", "");
  }
  const sample = opts.sampleX ?? [];
  out.push(`SAMPLE_X = ${JSON.stringify(sample)}  # a few input rows (n x D_IN) from the lab's data`,
    "",
    "",
    "def main():",
    "    weights = WEIGHTS",
    "    if weights is None:",
    `        path = sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(weightsFile)}`,
    "        with open(path) as f:",
    "            weights = json.load(f)",
    "    model = load_weights(Net(), weights).eval()",
    "    with torch.no_grad():",
    "        out = model(torch.tensor(SAMPLE_X, dtype=torch.float32).reshape(-1, D_IN))",
    "        print(torch.softmax(out, dim=-1) if CLASSIFICATION else out)",
    "",
    "",
    'if __name__ == "__main__":',
    "    main()",
    "");
  return out.join("\n");
}
