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
  const { he1, invsqrt, prenorm, tanh20, tanh80, rezero, fixup } = by;
  const no = he1.mean_sq > 2 && he1.normalized_var > 1;
  const isIdentity = (r) => Math.abs(r.max - 1) < 1e-6 && Math.abs(r.mean_sq - 1) < 1e-6 && r.normalized_var < 1e-6;
  const zeroStarts = [[rezero, "ReZero (and SkipInit, whose α also starts at 0)"], [fixup, "Fixup (each branch's last layer starts at 0)"]];
  const exact = zeroStarts.filter(([r]) => isIdentity(r)).map(([, name]) => name);
  const subExp = tanh80.per_block < tanh20.per_block && tanh20.per_block < he1.per_block;
  return claim("jacobian", Q.jacobian, [
    el("p", {}, el("strong", { text: no ? "Not by themselves. " : "In this run, yes. " }),
      `With He-initialized ReLU branches and α = 1 the identity path is there, yet the stream's Jacobian has mean s² = `,
      num("he1.mean_sq", he1.mean_sq), ` (×`, num("he1.per_block", he1.per_block), ` per block) and normalized variance `,
      num("he1.normalized_var", he1.normalized_var), ": the branches add to the identity instead of leaving it alone. ",
      exact.length ? `${exact.join(" and ")} make every block exactly the identity at init, so J = I (every s = 1). `
        : "ReZero and Fixup are not exactly the identity here. ",
      `α = 1/√L and pre-LayerNorm tame the growth (mean s² `, num("invsqrt.mean_sq", invsqrt.mean_sq), " and ",
      num("prenorm.mean_sq", prenorm.mean_sq), ") without reaching isometry. With tanh branches ",
      subExp ? "the growth is sub-exponential (Yang & Schoenholz 2017): tanh saturates, so each branch adds a bounded variance to a growing stream, and mean s² grows by "
        : "mean s² grows by ",
      num("tanh20.per_block", tanh20.per_block), " per block over 20 blocks and by ", num("tanh80.per_block", tanh80.per_block),
      " over 80", subExp ? ", against a constant ×3 for ReLU." : "."),
    table(["net (20 blocks × 32, at init)", "max s", "mean s²", "per block (mean s²)^(1/L)", "normalized variance"],
      rows.map((r) => [r.label, num(`${r.id}.max`, r.max), num(`${r.id}.mean_sq`, r.mean_sq), num(`${r.id}.per_block`, r.per_block),
        num(`${r.id}.normalized_var`, r.normalized_var)])),
    el("p", { class: "muted small", text: "Singular values s of ∂h_L/∂h_0 at one input point, seed 42. Singular values, not the eigenvalues " +
      "(spectral radius) that notes on residual nets often quote: J is not symmetric, and how much it scales a gradient, ‖Jᵀg‖/‖g‖, " +
      "lies between its smallest and largest s, with mean s² its average over directions; the eigenvalues of such a J can all be 1 " +
      "while it stretches some directions without bound. Dynamical isometry (Pennington et al. 2017) needs every s near 1: " +
      "mean s² = 1 and normalized variance Var(s²)/mean(s²)² = 0." }),
  ]);
}

function normClaim(rows) {
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const { he1, prenorm } = by;
  const steps = TRUTHS.norm.steps;
  const ref = prenorm.accuracy;
  const trains = (r) => !r.diverged && r.accuracy >= ref - 0.05;
  const others = [["rezero", "ReZero"], ["invsqrt", "α = 1/√L"], ["fixup", "Fixup"]].map(([id, name]) => ({ r: by[id], id, name }));
  const good = others.filter((o) => trains(o.r)), slow = others.filter((o) => !trains(o.r));
  const listed = (list) => list.flatMap((o, i) => [i ? (i === list.length - 1 ? " and " : ", ") : "", `${o.name} (`, num(`${o.id}.accuracy`, o.r.accuracy), ")"]);
  let verdict, body;
  if (!(ref > 0.8)) {
    verdict = "In this run, unclear: even the normalized net did not train. ";
    body = [];
  } else if (trains(he1)) {
    verdict = "No. ";
    body = ["Here even α = 1 without any normalization trains as well as the pre-LayerNorm net."];
  } else if (good.length) {
    verdict = "No, but they need their branches scaled. ";
    body = ["Without normalization, with He branches and α = 1, the stream grows ×3 per block and the net ends at ",
      num("he1.accuracy", he1.accuracy), " (chance is 0.5); pre-LayerNorm, the normalized reference, reaches ",
      num("prenorm.accuracy", prenorm.accuracy), ". With no normalization at all, ", ...listed(good),
      ` get within 0.05 of it after ${steps} steps`,
      ...(slow.length ? ["; ", ...listed(slow), " trains more slowly here"] : []),
      ". What deep residual nets need is a branch scale that keeps the sum from exploding at init; normalization is one way to get it (Zhang et al. 2019; De & Smith 2020; Bachlechner et al. 2020)."];
  } else {
    verdict = "In this run, yes. ";
    body = ["Only the normalized net trains: without normalization, α = 1 ends at ", num("he1.accuracy", he1.accuracy),
      " and the branch scalings at ", ...listed(others), "."];
  }
  return claim("norm", Q.norm, [
    el("p", {}, el("strong", { text: verdict }), ...body),
    table(["50 residual blocks × 16, ReLU", "train acc. at init", `train acc. after ${steps} steps`, "train loss"],
      rows.map((r) => [r.label, num(`${r.id}.accuracy0`, r.accuracy0), num(`${r.id}.accuracy`, r.accuracy), num(`${r.id}.loss`, r.loss)])),
    el("p", { class: "muted small", text: "2-arm spiral, 256 points, batch 32, Adam with learning rate 0.01, seed 42. A net " +
      "\"gets within 0.05\" when its train accuracy is at least the pre-LayerNorm net's minus 0.05." }),
  ]);
}

function addClaim(r) {
  const yes = Math.abs(r.measured - 3) < 0.3;
  return claim("add", Q.add, [
    el("p", {}, el("strong", { text: yes ? "Yes. " : "Not in this run. " }),
      "At init the branch is uncorrelated with the stream, so qₗ₊₁ = qₗ + v. A He/He branch (He-initialized Linear, ReLU, He-initialized Linear) has v = 2qₗ, so every block with α = 1 multiplies the stream's second moment by 3: measured ×",
      num("add.measured", r.measured), ` per block (mean over ${r.seeds} seeds of ${r.depth} blocks × ${r.width}; single blocks `,
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
