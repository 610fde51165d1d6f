// "What is true": three claims readers bring about residual connections, each answered by
// small Labs measured live in the theory worker (see config.js for the nets). The verdicts are
// computed from the numbers, not written in advance.
import { TRUTHS } from "./config.js";
import { el } from "../ui/dom.js";
import { fmt } from "../format.js";

const num = (k, v, digits = 3) => el("span", { class: "num", "data-k": k, "data-v": String(v), text: fmt(v, digits) });

function table(head, rows) {
  return el("div", { class: "table-box" }, el("table", { class: "layers truth-table" },
    el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { text: h, style: i ? undefined : "text-align:left" })))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c, i) => el("td", { style: i ? undefined : "text-align:left" }, c)))))));
}

function claim(id, question, body) {
  return el("div", { class: "truth", "data-claim": id }, el("h3", { text: question }), ...body);
}

const pending = (id, question) => claim(id, question, [el("p", { class: "muted", text: "measuring…" })]);

const Q = {
  jacobian: "Do residual connections pull the Jacobian's singular values to 1?",
  norm: "Do residual nets need normalization to train deep?",
  add: "Do the variances of the two paths add?",
};

function jacobianClaim(rows) {
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const { he1, rezero, invsqrt, prenorm } = by;
  const no = he1.mean_sq > 2 && he1.normalized_var > 1;
  const iso = rezero.normalized_var < 1e-6 && Math.abs(rezero.max - 1) < 1e-6;
  return claim("jacobian", Q.jacobian, [
    el("p", {}, el("strong", { text: no ? "Not by themselves. " : "In this run, yes. " }),
      `With He-initialized branches and α = 1 the identity path is there, yet the stream's Jacobian has mean s² = `,
      num("he1.mean_sq", he1.mean_sq), " and normalized variance ", num("he1.normalized_var", he1.normalized_var),
      `: the branches add to the identity instead of leaving it alone. ${iso ? "Only ReZero, whose branches start at exactly zero, makes the Jacobian the identity (every s = 1)" : "ReZero is not exactly isometric here"}; ` +
      `α = 1/√L and pre-LayerNorm tame the growth (mean s² `, num("invsqrt.mean_sq", invsqrt.mean_sq), " and ",
      num("prenorm.mean_sq", prenorm.mean_sq), ") without reaching isometry."),
    table(["net (ReLU, 20 blocks × 32, at init)", "max s", "mean s²", "normalized variance"],
      rows.map((r) => [r.label, num(`${r.id}.max`, r.max), num(`${r.id}.mean_sq`, r.mean_sq), num(`${r.id}.normalized_var`, r.normalized_var)])),
    el("p", { class: "muted small", text: "Singular values of ∂h_L/∂h_0 at one input point, seed 42. Normalized variance is Var(s²)/mean(s²)²: 0 for dynamical isometry (Pennington et al. 2017)." }),
  ]);
}

function normClaim(rows) {
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const { plain, fixup, rezero } = by;
  const no = fixup.accuracy > plain.accuracy + 0.1 && rezero.accuracy > plain.accuracy + 0.1;
  const steps = TRUTHS.norm.steps;
  return claim("norm", Q.norm, [
    el("p", {}, el("strong", { text: no ? "No. " : "In this run, the answer is unclear. " }),
      `Without a single normalization layer, a 50-block residual net reaches a train accuracy of `, num("fixup.accuracy", fixup.accuracy),
      " with Fixup and ", num("rezero.accuracy", rezero.accuracy), ` with ReZero after ${steps} Adam steps, while a plain 50-layer He net ends at `,
      num("plain.accuracy", plain.accuracy), " (chance is 0.5). What deep residual nets need is a branch scale that keeps the sum from exploding at init, which normalization is one way to get (Zhang et al. 2019; De & Smith 2020; Bachlechner et al. 2020)."),
    table(["net (width 16, no norm)", "train acc. at init", `train acc. after ${steps} steps`, "train loss"],
      rows.map((r) => [r.label, num(`${r.id}.accuracy0`, r.accuracy0), num(`${r.id}.accuracy`, r.accuracy), num(`${r.id}.loss`, r.loss)])),
    el("p", { class: "muted small", text: "2-arm spiral, 256 points, batch 32, Adam with learning rate 0.01, seed 42." }),
  ]);
}

function addClaim(r) {
  const yes = Math.abs(r.measured - 3) < 0.3;
  return claim("add", Q.add, [
    el("p", {}, el("strong", { text: yes ? "Yes. " : "Not in this run. " }),
      "At init the branch is uncorrelated with the stream, so qₗ₊₁ = qₗ + v. A He/He branch (He-initialized Linear, ReLU, He-initialized Linear) has v = 2qₗ, so every block with α = 1 multiplies the stream's second moment by 3: measured ×",
      num("add.measured", r.measured), ` per block (geometric mean over ${r.seeds} seeds of ${r.depth} blocks × ${r.width}; single blocks `,
      num("add.min", r.min), "–", num("add.max", r.max), "), mean-field prediction ×", num("add.predicted", r.predicted ?? NaN),
      ". Over 20 blocks that is 3²⁰ ≈ 3.5·10⁹, which is why deep residual nets scale the branch (α = 1/√L, Fixup, ReZero) or normalize it."),
  ]);
}

const RENDER = { jacobian: jacobianClaim, norm: normClaim, add: addClaim };
const ORDER = ["jacobian", "norm", "add"];

export function truthsPanel(client) {
  const $ = (s) => document.querySelector(s);
  const details = $("#truths-details");
  if (!details) return null;
  const box = $("#truths"), status = $("#truths-status"), btn = $("#btn-truths");
  let busy = false, done = false;

  async function run() {
    if (busy) return;
    busy = true;
    btn.disabled = true;
    const t0 = performance.now();
    status.textContent = "running…";
    delete box.dataset.done;
    const parts = Object.fromEntries(ORDER.map((id) => [id, pending(id, Q[id])]));
    box.replaceChildren(...ORDER.map((id) => parts[id]));
    const show = (id, result) => {
      const node = RENDER[id](result);
      parts[id].replaceWith(node);
      parts[id] = node;
    };
    const m = await client.request("truths", {}, (p) => show(p.part, p.result));
    busy = false;
    btn.disabled = false;
    if (m.type !== "truths") { status.textContent = `could not run the checks: ${m.message}`; return; }
    for (const id of ORDER) if (parts[id].querySelector(".muted")?.textContent === "measuring…") show(id, m.parts[id]);
    done = true;
    box.dataset.done = "1";
    status.textContent = `measured in ${fmt((performance.now() - t0) / 1000, 2)} s`;
  }
  btn.addEventListener("click", run);
  details.addEventListener("toggle", () => { if (details.open && !done) run(); });
  return { tick() {} };
}
