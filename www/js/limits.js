// What the core accepts beyond each setting's own range (src/config.rs Config::validate): the
// inits that need a residual net or no norm, and the size caps MAX_ACTIVATIONS and MAX_PARAMS
// (Config::param_count). The controls offer exactly the depth, width and batch size the core
// takes with the other settings, and a change the core would refuse is refused here with a
// message that names the setting. tests/js/limits.test.mjs checks the caps against the core.

export const MAX_ACTIVATIONS = 8388608; // depth × width × batch_size (the activation caches)
export const MAX_PARAMS = 4000000;      // trainable parameters, counted for the widest built-in data
const MAX = { depth: 10000, width: 1024, batch: 4096 };

const linear = (i, o) => i * o + o;
const n0 = (v) => v.toLocaleString("en-US");

/** Outputs the core's parameter cap counts for the page's data (d_out, at least 2). */
const outputs = (cfg) => (cfg.data.name === "blobs" ? Math.max(2, cfg.data.classes) : 2);

/** Parameters of net model `m` as the core counts them (Config::param_count, d_in = 2). */
export function paramCount(m, dOut, width = m.width, depth = m.depth) {
  const w = width, norm = m.norm === "none" ? 0 : 2 * w;
  const perBlock = m.kind === "plain" ? linear(w, w) + norm
    : m.branch_layers * linear(w, w) + norm
      + (m.branch_scale === "learnable" || m.init === "rezero" || m.init === "fixup" ? 1 : 0)
      + (m.init === "fixup" ? 2 * m.branch_layers : 0);
  return linear(2, w) + depth * perBlock + linear(w, dOut);
}

const fits = (cfg, m, width, depth) =>
  depth * width * cfg.batch_size <= MAX_ACTIVATIONS && paramCount(m, outputs(cfg), width, depth) <= MAX_PARAMS;

/** The largest depth of net i the core accepts with its width and the batch size (0: none). */
export function maxDepth(cfg, i) {
  const m = cfg.nets[i], dOut = outputs(cfg);
  const perBlock = paramCount(m, dOut, m.width, 1) - paramCount(m, dOut, m.width, 0);
  return Math.max(0, Math.min(MAX.depth, Math.floor(MAX_ACTIVATIONS / (m.width * cfg.batch_size)),
    Math.floor((MAX_PARAMS - paramCount(m, dOut, m.width, 0)) / perBlock)));
}

/** The largest width of net i the core accepts with its depth and the batch size (0: none). */
export function maxWidth(cfg, i) {
  const m = cfg.nets[i];
  let w = Math.min(MAX.width, Math.floor(MAX_ACTIVATIONS / (m.depth * cfg.batch_size)));
  while (w > 0 && !fits(cfg, m, w, m.depth)) w--; // parameters grow as w²: a few hundred tries at most
  return w;
}

/** The largest batch size the core accepts for both nets. */
export function maxBatch(cfg) {
  return Math.min(MAX.batch, ...cfg.nets.map((m) => Math.floor(MAX_ACTIVATIONS / (m.depth * m.width))));
}

/** What of net i goes over the core's caps: [{ cap: "activations" | "parameters", text }]. */
export function capProblems(cfg, i) {
  const m = cfg.nets[i], name = "AB"[i], acts = m.depth * m.width * cfg.batch_size, p = paramCount(m, outputs(cfg));
  const out = [];
  if (acts > MAX_ACTIVATIONS) {
    out.push({ cap: "activations", text: `net ${name} would keep ${n0(acts)} activations (depth × width × batch size), over the core's cap of ${n0(MAX_ACTIVATIONS)}` });
  }
  if (p > MAX_PARAMS) out.push({ cap: "parameters", text: `net ${name} would have ${n0(p)} parameters, over the core's cap of ${n0(MAX_PARAMS)}` });
  return out;
}

/** The size settings: their largest value given the others, and what that depends on. */
const SIZE = {
  depth: (cfg, i) => [maxDepth(cfg, i), `with width ${cfg.nets[i].width} and batch size ${cfg.batch_size}`],
  width: (cfg, i) => [maxWidth(cfg, i), `with depth ${cfg.nets[i].depth} and batch size ${cfg.batch_size}`],
  batch: (cfg) => [maxBatch(cfg), `with net A's depth ${cfg.nets[0].depth} × width ${cfg.nets[0].width} and net B's ` +
    `${cfg.nets[1].depth} × ${cfg.nets[1].width}`],
};
const sizeKey = (row) => (row.key === "batch" ? "batch" : row.path[0] === "nets" && SIZE[row.field] ? row.field : null);

/** The largest value of a size row (depth, width, batch) the core accepts with the other
 *  settings of cfg; undefined for other rows. */
export function rowMax(cfg, row) {
  const k = sizeKey(row);
  return k ? Math.max(row.min, SIZE[k](cfg, row.path[1])[0]) : undefined;
}

const INIT_NAMES = { fixup: "Fixup", rezero: "ReZero" };

/** Why net i of cfg cannot be built, for a change of `field` (a net field name), or null. */
function comboProblem(m, field) {
  if (INIT_NAMES[m.init] && m.kind !== "residual") {
    return `${INIT_NAMES[m.init]} initialises residual branches: ` + (field === "kind" ? "choose another init first" : "set Kind to residual first");
  }
  if (m.init === "fixup" && m.norm !== "none") {
    return "Fixup replaces normalization: " + (field === "norm" ? "choose another init first" : "set Norm to none first");
  }
  return null;
}

/**
 * Whether setting `row` to `value` (already within the row's own range) gives configs the core
 * accepts. Returns null, or why not: a sentence about the setting that was changed.
 */
export function checkChange(cfg, row, value) {
  const next = structuredClone(cfg);
  row.path.slice(0, -1).reduce((o, k) => o[k], next)[row.path.at(-1)] = value;
  const nets = row.path[0] === "nets" ? [row.path[1]] : [0, 1];
  for (const i of nets) {
    const combo = comboProblem(next.nets[i], row.field);
    if (combo) return combo;
  }
  for (const i of nets) {
    const caps = capProblems(next, i);
    if (!caps.length) continue;
    const k = sizeKey(row);
    if (!k) return `${caps[0].text}; lower the depth or width first`;
    // name the cap that sets the limit: the one the next value past the limit goes over
    const [max, given] = SIZE[k](cfg, row.path[1]), past = structuredClone(next);
    row.path.slice(0, -1).reduce((o, key) => o[key], past)[row.path.at(-1)] = max + 1;
    const binding = new Set(capProblems(past, i).map((c) => c.cap));
    const cap = caps.find((c) => binding.has(c.cap)) ?? caps[0];
    return `${value} is too large: ${cap.text}. At most ${n0(max)} ${given}`;
  }
  return null;
}

/**
 * Brings net i of a config read from a link within the caps, changing the setting the link
 * gave (`given`: the set of link keys, e.g. "a.width"), else the depth. Returns notices.
 */
export function fitLinkSizes(cfg, i, given) {
  const p = "ab"[i], m = cfg.nets[i], notes = [];
  const problems = capProblems(cfg, i);
  if (!problems.length) return notes;
  const problem = problems.map((c) => c.text).join("; ");
  const lower = (field, max) => {
    notes.push(`${p}.${field}=${m[field]}: ${problem}; using ${p}.${field}=${max}, the largest the core accepts with the link's other settings`);
    m[field] = max;
  };
  if (given.has("batch") && !given.has(`${p}.depth`) && !given.has(`${p}.width`) && maxBatch(cfg) >= 1) {
    notes.push(`batch=${cfg.batch_size}: ${problem}; using batch=${maxBatch(cfg)}, the largest the core accepts with both nets`);
    cfg.batch_size = maxBatch(cfg);
  } else if (given.has(`${p}.width`) && !given.has(`${p}.depth`) && maxWidth(cfg, i) >= 1) lower("width", maxWidth(cfg, i));
  else lower("depth", Math.max(1, maxDepth(cfg, i))); // depth 1 fits at any width and batch size
  return notes;
}
