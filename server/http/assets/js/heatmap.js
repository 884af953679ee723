// The trial page's activation heat map: the std of each layer's output per epoch
// (conv layers first, then the hidden dense ones), coloured by what it says for the
// trial's activation.
import { el } from "./dom.js";
import { fmt } from "./format.js";

// What a layer's output spread says, by activation: bounded ones (tanh in [-1, 1],
// sigmoid in [0, 1]) saturate when their std nears its bound (the outputs pile up at
// the ends); unbounded ones explode when it grows large. Every one collapses when it
// falls towards 0.
const SATURATES = { tanh: { high: 0.85, bound: 1 }, sigmoid: { high: 0.42, bound: 0.5 } };
function heatScale(activation) {
  const b = SATURATES[activation];
  return b
    ? { high: b.high, bound: b.bound, word: "saturated", text: "std above " + b.high + ": the outputs pile up at the ends of " + activation + "'s range" }
    : { high: 2, word: "exploding", text: "std above 2" };
}

// Blue below a std of 0.1 (deep blue at 0.003: collapsed), green while alive, from
// orange to red past the scale's high mark (at the bound, or 5× the mark).
function stdColor(std, scale) {
  const hsl = (hue) => "hsl(" + Math.round(hue) + ", 65%, 42%)";
  const l = Math.log10(Math.max(std, 1e-12));
  if (l < -1) return hsl(120 + 120 * Math.min(1, (-1 - l) / 1.5));
  if (std < scale.high) return hsl(120);
  const t = scale.bound ? 0.5 + 0.5 * Math.min(1, (std - scale.high) / (scale.bound - scale.high))
                        : Math.min(1, Math.log10(std / scale.high) / 0.7);
  return hsl(120 - 120 * t);
}

// How many conv layers the trial's settings build (common/vocabulary/conv_stack.h):
// the conv entries of `layers`, else conv_blocks × conv_per_block.
export function convLayers(params) {
  if (Array.isArray(params.layers)) return params.layers.filter((l) => String(l).startsWith("conv")).length;
  return Math.max(0, Number(params.conv_blocks) || 0) * Math.min(2, Math.max(1, Number(params.conv_per_block) || 1));
}

// Draws the trial's diagnostics (the API's per-epoch mean and std of each layer, the
// first `convs` of them conv layers); returns the number of cells.
export function drawHeatmap(diagnostics, activation, convs = 0) {
  const table = document.getElementById("heatmap");
  const scale = heatScale(activation);
  document.getElementById("heatmap-legend").textContent = activation + ": blue: collapsing towards 0 (std below 0.1) · green: alive · red: " +
    scale.word + " (" + scale.text + "); hover for mean ± std";
  const layers = Math.max(0, ...diagnostics.map((d) => (d.std || []).length));
  if (!diagnostics.length || !layers) {
    table.replaceChildren(el("tbody", {}, el("tr", {}, el("td", {}, "no activation statistics for this trial"))));
    return 0;
  }
  const head = el("tr", {}, el("th", {}, "layer \\ epoch"), diagnostics.map((d) => el("th", {}, d.epoch)));
  const rows = [];
  let cells = 0;
  for (let l = 0; l < layers; ++l) {
    const name = l < convs ? "conv " + (l + 1) : "hidden " + (l - convs + 1);
    rows.push(el("tr", {}, el("th", {}, name), diagnostics.map((d) => {
      const std = (d.std || [])[l], mean = (d.mean || [])[l];
      if (std === undefined) return el("td", {}, "");
      cells += 1;
      const td = el("td", { class: "num", title: "mean " + fmt(mean) + " ± std " + fmt(std) }, fmt(std));
      td.style.background = stdColor(std, scale);
      return td;
    })));
  }
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  return cells;
}
