// The API docs page (docs.html): one runnable snippet per call of the JS API (docs/api.md's table).
// Each snippet is the body of an async function of (Lab, print); "Run" executes it and shows
// what it printed. tests/browser/docs.test.mjs runs every one, so they cannot rot.
import init, { Lab } from "../../pkg/residual_lab.js";
import { el } from "./ui/dom.js";

const SMALL = `{ model: { kind: "residual", depth: 4, width: 16 }, data: { name: "spiral", n: 256 }, batch_size: 32, seed: 1 }`;

export const SNIPPETS = [
  ["new Lab(config)", "Builds the data, the network and the optimizer from a config (every field optional). A bad config throws an Error naming the field.",
    `const lab = new Lab(${SMALL});
print(lab.config().model);
try { new Lab({ model: { depth: 0 } }); } catch (e) { print("rejected: " + e.message); }
lab.free();`],
  ["lab.train_step()", "One step (forward, backward, update) on the next mini-batch; returns a report.",
    `const lab = new Lab(${SMALL});
const r = lab.train_step();
print({ step: r.step, loss: r.loss, accuracy: r.accuracy, grad_norm: r.grad_norm, diverged: r.diverged });
print("grad_rms per layer:", Array.from(r.layers.grad_rms, (v) => v.toExponential(2)));
lab.free();`],
  ["lab.train(n)", "n steps (1 to 100000); returns the last report and stops early on divergence.",
    `const lab = new Lab(${SMALL});
const r = lab.train(200);
print("step", r.step, "batch loss", r.loss.toFixed(4), "batch accuracy", r.accuracy);
lab.free();`],
  ["lab.probe()", "The same report on a fixed batch (the first batch_size training points), without updating anything.",
    `const lab = new Lab(${SMALL});
const a = lab.probe(), b = lab.probe();
print("act_mean_sq per layer:", Array.from(a.layers.act_mean_sq, (v) => v.toFixed(3)));
print("same numbers twice:", a.loss === b.loss, "step still", a.step);
lab.free();`],
  ["lab.evaluate()", "Loss and accuracy over the whole train and test splits (BatchNorm in eval mode).",
    `const lab = new Lab(${SMALL});
lab.train(300);
print(lab.evaluate());
lab.free();`],
  ["lab.predict(x)", "Class probabilities (n × classes) or regression outputs for n points, row-major.",
    `const lab = new Lab(${SMALL});
lab.train(300);
const p = lab.predict([0, 0, 0.5, -0.5]);   // two points (x, y)
print("p(class | point):", Array.from(p, (v) => v.toFixed(3)));
lab.free();`],
  ["lab.predict_grid(res, bounds)", "Class probabilities on a res × res grid over [xmin, xmax, ymin, ymax]; point (i, j), class k at (j·res + i)·classes + k.",
    `const lab = new Lab(${SMALL});
lab.train(100);
const g = lab.predict_grid(4, [-1, 1, -1, 1]);
print(g.length, "values (4 × 4 points × 2 classes); first point:", g[0].toFixed(3), g[1].toFixed(3));
lab.free();`],
  ["lab.set_data(x, y, d_in)", 'Your own data: x row-major, y class indices (or targets with loss "mse"); rebuilds the net for its sizes.',
    `const lab = new Lab(${SMALL});
const x = [], y = [];
for (let i = 0; i < 64; i++) { const a = i / 64, b = (i * 7 % 64) / 64, c = (i * 13 % 64) / 64; x.push(a, b, c); y.push(a + b > 1 ? 1 : 0); }
lab.set_data(x, y, 3);
const d = lab.data();
print({ d_in: d.d_in, d_out: d.d_out, n_train: d.n_train, first_weight_shape: lab.param_info()[0].shape });
print("after 100 steps:", lab.train(100).loss.toFixed(4));
lab.free();`],
  ["lab.data()", "The data: { x, y, d_in, d_out, n_train, classification }; the first n_train rows are the training split.",
    `const lab = new Lab(${SMALL});
const d = lab.data();
print({ points: d.y.length, d_in: d.d_in, d_out: d.d_out, n_train: d.n_train, classification: d.classification });
print("first point:", d.x[0].toFixed(3), d.x[1].toFixed(3), "class", d.y[0]);
lab.free();`],
  ["lab.get_weights() / lab.set_weights(w)", "Every parameter by name as Float32Arrays (Linear weights [out][in], as nn.Linear). set_weights needs every name once with the right length, else nothing changes.",
    `const a = new Lab(${SMALL}), b = new Lab({ ...${SMALL}, seed: 2 });
const w = a.get_weights();
print(Object.keys(w).slice(0, 6), "…", Object.keys(w).length, "tensors");
b.set_weights(w);
print("same predictions after set_weights:", a.predict([0.3, 0.1])[0] === b.predict([0.3, 0.1])[0]);
try { b.set_weights({ "stem.weight": [1] }); } catch (e) { print("rejected: " + e.message); }
a.free(); b.free();`],
  ["lab.gradients()", "Parameter gradients of the last step or probe, same names and layout as get_weights.",
    `const lab = new Lab(${SMALL});
lab.probe();
const g = lab.gradients();
const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
print("‖∂L/∂stem.weight‖ =", norm(g["stem.weight"]).toExponential(3), " ‖∂L/∂head.weight‖ =", norm(g["head.weight"]).toExponential(3));
lab.free();`],
  ["lab.param_info()", "[{ name, shape, layer }] in storage order.",
    `const lab = new Lab(${SMALL});
for (const p of lab.param_info().slice(0, 8)) print(p.name, JSON.stringify(p.shape), "layer", p.layer);
lab.free();`],
  ["lab.config()", "The full config with every default filled in.",
    `const lab = new Lab({ model: { depth: 3 } });
print(lab.config());
lab.free();`],
  ["lab.set_lr(lr)", "Changes the learning rate without resetting anything.",
    `const lab = new Lab(${SMALL});
lab.train(50);
lab.set_lr(0.0001);
print("lr now", lab.config().optimizer.lr, "at step", lab.step_count());
lab.free();`],
  ["lab.to_json() / Lab.from_json(s)", "The whole state (config, weights, optimizer moments, BatchNorm statistics, RNG, epoch order, step); a restored lab continues bit for bit.",
    `const lab = new Lab(${SMALL});
lab.train(20);
const saved = lab.to_json();
const copy = Lab.from_json(saved);
const a = lab.train(10).loss, b = copy.train(10).loss;
print(saved.length, "characters; continues bit for bit:", a === b, a);
lab.free(); copy.free();`],
  ["lab.reset(seed?)", "Starts over from the config, optionally with another seed.",
    `const lab = new Lab(${SMALL});
const first = lab.train(5).loss;
lab.reset();
print("same seed, same loss:", lab.train(5).loss === first);
lab.reset(7);
print("seed 7:", lab.config().seed, "step", lab.step_count());
lab.free();`],
  ["lab.step_count()", "Steps applied so far.",
    `const lab = new Lab(${SMALL});
lab.train(12);
print(lab.step_count());
lab.free();`],
  ["lab.theory()", "The mean-field prediction at init for this net: the second moment of h_l and the RMS of dL/dh_l relative to the top layer, or null with a reason where the theory has no answer.",
    `const lab = new Lab({ model: { kind: "plain", depth: 6, width: 64, init: "xavier_normal" }, seed: 1 });
const t = lab.theory();
print("supported:", t.supported);
print("predicted E[h²]:", Array.from(t.second_moment, (v) => v.toExponential(2)));
print("measured  E[h²]:", Array.from(lab.probe().layers.act_mean_sq, (v) => v.toExponential(2)));
lab.free();`],
  ["lab.jacobian_spectrum()", "Singular values of the stream's input-output Jacobian dh_L/dh_0 at one input (BatchNorm held at the probe batch's statistics), with their max, mean square and normalized variance (dynamical isometry: mean square 1 and normalized variance 0).",
    `const lab = new Lab({ model: { depth: 20, width: 16, init: "rezero" }, seed: 1 });
const s = lab.jacobian_spectrum();
print({ max: s.max, mean_sq: s.mean_sq, normalized_var: s.normalized_var, count: s.singular_values.length });
lab.free();`],
  ["lab.depth_sweep(seeds?)", "This config at init for many seeds: per layer, the mean over seeds (the statistic mean-field theory predicts), the median, the geometric mean and the 10-90% band of E[h_l²] and of the RMS of dL/dh_l.",
    `const lab = new Lab({ model: { kind: "plain", depth: 8, width: 32 }, seed: 1 });
const s = lab.depth_sweep(8);
print("mean E[h²]:", Array.from(s.act_mean_sq.mean, (v) => v.toFixed(3)));
print("median:", Array.from(s.act_mean_sq.median, (v) => v.toFixed(3)));
print("10%:", Array.from(s.act_mean_sq.p10, (v) => v.toFixed(3)));
print("90%:", Array.from(s.act_mean_sq.p90, (v) => v.toFixed(3)));
lab.free();`],
  ["Lab.phase_diagram(activation, sw2_range, sb2_range, nx, ny)", "Order/chaos phase diagram of a plain net: chi_1 and the depth scale xi_c over a grid of (s_w², s_b²).",
    `const pd = Lab.phase_diagram("tanh", [0.5, 4], [0, 0.3], 8, 4);
print("s_w² grid:", Array.from(pd.sw2, (v) => v.toFixed(2)));
print("chi_1 on the s_b² = 0 row:", Array.from(pd.chi1.slice(0, 8), (v) => v.toFixed(3)));`],
  ["Lab.critical_sw2(activation, sb2)", "The s_w² of the edge of chaos (chi_1 = 1) for an activation and s_b².",
    `print("tanh, s_b² = 0.05:", Lab.critical_sw2("tanh", 0.05).toFixed(4));
print("relu, s_b² = 0:", Lab.critical_sw2("relu", 0));`],
  ["lab.representation()", "How alike the first batch's representations are at every layer: the mean cosine between samples and the stable rank of the (batch, width) matrix (rank collapse).",
    `const lab = new Lab({ model: { kind: "plain", depth: 30, width: 64 }, seed: 1 });
const r = lab.representation();
print("mean cosine:", Array.from(r.mean_cosine, (v) => v.toFixed(2)).join(" "));
print("stable rank at l = 0 and l = 30:", r.stable_rank[0].toFixed(2), r.stable_rank[30].toFixed(2));
lab.free();`],
  ["lab.input_gradients(x, output?)", "d f_k / d x at each point x (row-major), f_k one output of the head: the input gradient along a path of inputs (shattered gradients).",
    `const lab = new Lab({ model: { kind: "plain", depth: 10, width: 64 }, seed: 1 });
const pts = [];
for (let i = 0; i < 8; i++) pts.push(Math.cos(i / 4), Math.sin(i / 4));   // 8 points on an arc
const g = lab.input_gradients(pts, 1);
print("d f_1/d x at the first two points:", Array.from(g.slice(0, 4), (v) => v.toFixed(4)));
lab.free();`],
  ["lab.evaluate_without(blocks)", "evaluate() with blocks deleted at test time (numbers 1 to depth): a residual block keeps its skip, a plain block passes its input on.",
    `const lab = new Lab({ model: { kind: "residual", depth: 8, width: 32 }, data: { name: "spiral", n: 512 }, seed: 1 });
lab.train(400);
print("intact test accuracy:", lab.evaluate().test.accuracy);
print("block 3 deleted:", lab.evaluate_without([3]).test.accuracy, " blocks 1-4 deleted:", lab.evaluate_without([1, 2, 3, 4]).test.accuracy);
lab.free();`],
  ["lab.output_change(rel?, draws?)", "How far the outputs move, relative to their size, when every block weight matrix moves by a random rel of its norm (post-LN amplification).",
    `for (const norm_position of ["post", "pre"]) {
  const lab = new Lab({ model: { kind: "residual", depth: 32, width: 32, norm: "layer", norm_position, branch_scale: "one" }, seed: 1 });
  print(norm_position + "-LN:", lab.output_change(0.01, 8).toFixed(4));
  lab.free();
}`],
  ["lab.free()", "Releases the wasm memory of the lab; using it afterwards throws.",
    `const lab = new Lab(${SMALL});
lab.free();
try { lab.train_step(); } catch (e) { print("after free:", e.message); }`],
];

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const show = (v) => (typeof v === "string" ? v : JSON.stringify(v, (k, x) => (ArrayBuffer.isView(x) ? Array.from(x) : x)));

/** Runs snippet i; resolves to { ok, output }. */
export async function runSnippet(i) {
  const lines = [];
  const print = (...args) => lines.push(args.map(show).join(" "));
  try {
    await new AsyncFunction("Lab", "print", SNIPPETS[i][2])(Lab, print);
    return { ok: true, output: lines.join("\n") };
  } catch (e) {
    lines.push(`threw: ${e?.message ?? e}`);
    return { ok: false, output: lines.join("\n") };
  }
}

await init();
const list = document.getElementById("calls");
const toc = document.getElementById("toc");
SNIPPETS.forEach(([call, text, code], i) => {
  const id = `call-${i}`;
  const out = el("pre", { class: "output", "aria-live": "polite", tabindex: "0" });
  const btn = el("button", { type: "button", class: "run", text: "Run", onclick: async () => {
    btn.disabled = true;
    const r = await runSnippet(i);
    out.textContent = r.output || "(printed nothing)";
    sec.dataset.state = r.ok ? "ok" : "error";
    btn.disabled = false;
  } });
  const sec = el("section", { class: "call", id, "data-call": call },
    el("h2", {}, el("code", { text: call })), el("p", { text }), el("pre", { class: "code", tabindex: "0" }, el("code", { text: code })), btn, out);
  list.append(sec);
  toc.append(el("li", {}, el("a", { href: `#${id}` }, el("code", { text: call }))));
});
window.docs = { count: SNIPPETS.length, runSnippet };
document.body.dataset.ready = "1";
