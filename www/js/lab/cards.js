// The markup of the lab's cards, written once for the page (full: headings, statistic pickers,
// the "What this shows" texts) and the <residual-lab> element (compact: one line per title,
// caption and badge, so embed.js can size its charts to a given height). views.js draws into
// these ids; tests and the export panel read them. Static text only: data never goes in here.

/** Chart name (the embed's `charts` attribute, the iframe's `charts=`) -> card id. */
export const CHARTS = { network: "card-strip", variance: "card-fwd", gradient: "card-bwd", loss: "card-loss",
  accuracy: "card-acc", boundary: "card-boundary", heatmap: "card-heat", table: "card-table", jacobian: "card-spectrum" };

/** The page's cards, in order; the first five fill the first screen. */
export const PAGE_CARDS = ["card-strip", "card-fwd", "card-bwd", "card-loss", "card-acc", "card-boundary", "card-heat", "card-table"];

const CAPS = '<div class="caps"><span class="cap cap-0"></span><span class="cap cap-1"></span></div>';
const pair = (what, a, b) => `<div class="pair">${[a, b].map((x, i) => `<figure><figcaption class="cap cap-${i}"></figcaption>${x}</figure>`).join("")}</div>`;
/** A card's explanation: on the page folded under "What this shows" in the card's title row
 *  (the charts come first); opened, it takes the row's full width above the chart. */
const more = (full, html) => (full ? `<details class="more"><summary>What this shows</summary>${html}</details>` : "");

const FWD_TEXT = `<p class="explain">x is the layer: 0 is the output of the stem, l the output of block l. y (log
  scale) is the size of the activations h<sub>l</sub>, averaged over the batch and the units. Solid: now; dashed: at
  initialization; dotted: mean-field theory, when the core provides it. On a log scale a straight, sloped line means the
  signal is multiplied by the same factor at every layer. Sloping down, it vanishes; sloping up, it explodes. Plain ReLU
  net: q<sub>l+1</sub> = σ<sub>w</sub>²·q<sub>l</sub>/2, flat for He (σ<sub>w</sub>² = 2), halving for Xavier
  (σ<sub>w</sub>² = 1). Residual net without normalization: q<sub>l+1</sub> = q<sub>l</sub>(1 + α²v). The branch
  variance v adds on every block.</p>`;

const BWD_TEXT = `<p class="explain">y is the RMS of dL/dh<sub>l</sub>, the gradient of the loss with respect to the
  activations of layer l. This is the signal backpropagation carries from the loss (right) down to layer 0 (left). If it
  shrinks toward layer 0, the early layers barely learn (vanishing gradients); if it grows, their updates blow up. For a
  plain net the factor per layer is χ = σ<sub>w</sub>²·E[φ′(h)²] (1 for He + ReLU, ½ for Xavier + ReLU). The other
  two choices, weight-gradient norms ‖∂L/∂W<sub>l</sub>‖ and update ratios ‖ΔW<sub>l</sub>‖/‖W<sub>l</sub>‖, show what
  the optimizer sees: a ratio near 10⁻³ per step is healthy.</p>`;

const WEIGHT_WARNING = `<p id="weight-warning" class="warn" hidden>You are looking at weight statistics. In a bias-free
  ReLU net the depth profile of the weight-gradient norm ‖∂L/∂W<sub>l</sub>‖ ≈ ‖h<sub>l−1</sub>‖·‖dL/dh<sub>l</sub>‖
  does not depend on the init scale: a shrinking activation and a growing gradient cancel. So it <strong>hides
  vanishing gradients</strong>. Switch back to dL/dh<sub>l</sub> to see them.</p>`;

const LOSS_TEXT = `<p class="explain">Cross-entropy (mean squared error for regression) on the whole training set
  (solid) and the held-out test set (dashed), measured with <code>evaluate()</code> a few times per second (less often
  for deep nets, so that it costs the training little time). Log scale. The grey dotted line is chance: the loss of
  predicting the training data's class frequencies without looking at the input, their entropy (ln K for K classes of
  equal size: ln 2 ≈ 0.69, ln 10 ≈ 2.30), or for regression the variance of the training targets. When a deeper plain
  net ends up worse than a shallower one on the <em>training</em> set, the cause is harder optimization, not
  overfitting. He et al. (2016) called this the degradation problem, and residual connections remove it.</p>`;

const ACC_TEXT = `<p class="explain">Fraction of points classified correctly, train (solid) and test (dashed). The grey
  dotted line is chance: the accuracy of always answering the most frequent class of the training data (1/K for K
  classes of equal size: 0.5 for two, 0.1 for the ten digits). A net whose signal vanished stays near chance; it cannot
  tell the inputs apart.</p>`;

const STRIP_TEXT = `<p class="explain">One column per layer, layer 0 (the stem's output) on the left, the last block on the right. Top
  row: the forward signal, the second moment E[h<sub>l</sub>²] of the activations; bottom row: the backward signal,
  the RMS of dL/dh<sub>l</sub>. Colour and bar height are the log of the value, on one scale per row for both nets,
  so a bar that fades from right to left in the bottom row is a gradient that vanishes on its way down. Both strips
  share one scale of depth: a shallower net draws shorter. The line above a residual net is its skip path: every
  block adds its branch to the stream that the line carries on unchanged. Hover a column (or focus a strip and use
  the arrow keys) for that layer's numbers; the profile charts mark the same layer. A net deeper than the strip has
  pixels is drawn with several layers per column (the mean of their logs); the caption says how many.</p>`;

const HEAT_TEXT = `<p class="explain">Each column is one moment of training; each row is one layer, with layer 0 at the
  bottom. The colour is log₁₀ of the RMS of dL/dh<sub>l</sub>, on the same scale for both nets. A smooth vertical
  gradient of colour means the gradient changes with depth. A dark bottom means the early layers get almost no
  gradient. A column turning grey means NaN or Inf: the net diverged.</p>`;

const BOUNDARY_TEXT = `<p class="explain" data-for-view="curve" hidden>The 1-D regression data, y = sin(3x) plus noise:
  grey dots are training points, ringed dots test points. The line is each net's prediction along x; a net that has
  learned the data follows the sine through the points. A net whose signal vanished draws an almost flat line.</p>
  <p class="explain" data-for-view="boundary">The background colour is the class each net predicts at each point of the
  input plane, paler where it is unsure. Dots are the data: filled for training points, ringed for test points. A net
  that has learned the data draws a boundary that follows the spiral arms. A net with a vanished signal draws an almost
  uniform background.</p>`;

const TABLE_TEXT = `<p class="explain">E[h], E[h²] and Var[h]: mean, second moment and variance of h<sub>l</sub> over
  batch and units. dead: fraction of ReLU units that are zero for every sample in the batch. RMS dL/dh: the activation
  gradient. ‖∂L/∂W‖ and ‖W‖: Frobenius norms of the block's weight gradient and weights. ‖ΔW‖/‖W‖: relative size of the
  last update. NaN/Inf: count of non-finite values in h<sub>l</sub> and dL/dh<sub>l</sub>. A dash marks a value that is
  not a finite number; such rows are highlighted.</p>`;

const SPECTRUM_TEXT = `<p class="explain">The singular values s of the stream's input–output Jacobian
  ∂h<sub>L</sub>/∂h<sub>0</sub> at the first training point, on a shared log axis; the dashed line is s = 1. A net is
  dynamically isometric when all s sit near 1 (Pennington et al. 2017).</p>`;

/** Card `id`'s inner markup. full: the page's version; otherwise the embed's compact one. */
function inner(id, full) {
  const H = full ? "h2" : "h3";
  const head = (hid, title, extra = "") => `<div class="card-head"><${H} id="${hid}">${title}</${H}>${extra}</div>`;
  switch (id) {
    case "card-strip":
      return head("h-strip", "The two nets, layer by layer", more(full, STRIP_TEXT)) +
        `<div class="strips">${[0, 1].map((i) => `<div class="strip-box" data-net="${i}"><p class="strip-cap net-${i}"></p>` +
          `<canvas id="strip-${"ab"[i]}" class="strip" tabindex="0" role="slider" aria-valuemin="0" aria-valuemax="0" aria-valuenow="0"` +
          ` aria-label="Layers of net ${"AB"[i]}: the arrow keys pick a layer"></canvas></div>`).join("")}</div>` +
        '<p id="strip-scale" class="strip-scale"></p><div id="strip-tip" class="chart-tip strip-tip" hidden></div>';
    case "card-fwd":
      return head("h-fwd", full ? "Forward signal" : 'Forward signal <span class="ylabel" id="fwd-ylabel"></span>',
        full ? `<div id="select-fwd" class="inline-fields"></div>${more(full, FWD_TEXT)}` : "") + CAPS +
        (full ? '<p id="fwd-ylabel" class="axis-note"></p>' : "") +
        '<div class="chart" id="chart-fwd"></div><ul class="regimes" id="regime-fwd" aria-live="off"></ul>';
    case "card-bwd":
      return head("h-bwd", full ? "Backward signal" : 'Backward signal <span class="ylabel" id="bwd-ylabel"></span>',
        full ? `<div id="select-bwd" class="inline-fields"></div>${more(full, BWD_TEXT)}` : "") + CAPS +
        (full ? '<p id="bwd-ylabel" class="axis-note"></p>' : "") +
        '<div class="chart" id="chart-bwd"></div><ul class="regimes" id="regime-bwd" aria-live="off"></ul>' +
        (full ? WEIGHT_WARNING : "");
    case "card-loss":
      return head("h-loss", full ? "Loss" : "Loss (train solid, test dashed)", more(full, LOSS_TEXT)) + '<div class="chart" id="chart-loss"></div>';
    case "card-acc":
      return head("h-acc", full ? "Accuracy" : "Accuracy (train solid, test dashed)", more(full, ACC_TEXT)) + '<div class="chart" id="chart-acc"></div>';
    case "card-boundary":
      return head("h-boundary", "Decision boundary") +
        pair("", '<canvas id="boundary-a" role="img" aria-label="Decision boundary of net A"></canvas>',
          '<canvas id="boundary-b" role="img" aria-label="Decision boundary of net B"></canvas>') + (full ? BOUNDARY_TEXT : "");
    case "card-heat":
      return head("h-heat", "Gradient over training: layer × step") +
        pair("", '<canvas id="heat-a" role="img" aria-label="Heatmap of log10 gradient RMS, net A"></canvas>',
          '<canvas id="heat-b" role="img" aria-label="Heatmap of log10 gradient RMS, net B"></canvas>').replace('class="pair"', 'class="pair heat-pair"') +
        '<div class="colorbar"><canvas id="heat-bar" role="img" aria-label="Colour scale"></canvas></div>' + (full ? HEAT_TEXT : "");
    case "card-table":
      return head("h-table", "Per-layer numbers") +
        `<details id="table-details"${full ? "" : " open"}><summary>${full ? "Show the table of the latest report" : "latest report"}</summary>` +
        (full ? TABLE_TEXT : "") + '<div class="pair tables"><div id="table-a" class="table-box"></div><div id="table-b" class="table-box"></div></div></details>';
    case "card-spectrum":
      return head("h-spectrum", "Jacobian singular values") +
        pair("", '<div class="chart" id="spectrum-a" role="img" aria-label="Histogram of the Jacobian singular values, net A"></div><p id="spectrum-text-a" class="spectrum-text"></p>',
          '<div class="chart" id="spectrum-b" role="img" aria-label="Histogram of the Jacobian singular values, net B"></div><p id="spectrum-text-b" class="spectrum-text"></p>') +
        (full ? SPECTRUM_TEXT : "");
    default:
      throw new Error(`no card ${id}`);
  }
}

const WIDE = new Set(["card-strip", "card-heat", "card-table", "card-spectrum"]);

/** The markup of the cards `ids`, in that order. On the page each card is a named region; in an
 *  element, of which a post may hold several with the same charts, the cards are not landmarks. */
export function cardsHtml(ids, { full }) {
  return ids.map((id) => `<section class="card${WIDE.has(id) ? " wide" : ""}" id="${id}"${full ? ` aria-labelledby="h-${id.slice(5)}"` : ""}>${inner(id, full)}</section>`).join("");
}
