// The objective's colour scale (parallel coordinates, and learning curves when
// there are many) and its legend: a gradient bar from the worst to the best final
// value of the completed trials, the objective's name, its ends, the best end
// marked. Pruned trials stopped early: their last value is not a final value, so
// they are drawn in a neutral colour (dashed grey), off the scale.
import { el } from "./dom.js";
import { formatNumber } from "./format.js";

// Blue (worst) to red (best); `good` in [0, 1], 1 the best.
export function scaleColor(good, alpha) {
  const g = Math.min(1, Math.max(0, good));
  return "hsla(" + Math.round(230 - 230 * g) + ", 75%, 45%, " + (alpha === undefined ? 1 : alpha) + ")";
}

// Pruned trials: neutral, dashed.
export const PRUNED_COLOR = "rgba(95,100,112,0.75)";
export const PRUNED_DASH = [5, 4];

// The scale over the completed trials' values `ys` (none: null).
export function colorScale(metric, ys, maximize) {
  if (!ys.length) return { metric, maximize, lo: null, hi: null, good: () => 0.5 };
  const lo = Math.min(...ys), hi = Math.max(...ys);
  return {
    metric, maximize, lo, hi,
    good(v) {  // 1: the best end, 0: the worst
      const q = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      return maximize ? q : 1 - q;
    },
  };
}

// The legend's element (a box `id`, filled by drawLegend).
export function legendElement(id) {
  return el("div", { class: "legend", id });
}

// Fills legend box `id` for `scale`: "<metric> (final value, completed trials):
// <min> [bar] <max>", the best end marked, and the pruned trials' key. Returns what
// it shows ({ metric, min, max, maximize }).
export function drawLegend(id, scale) {
  const box = document.getElementById(id);
  if (!box) return undefined;
  const stops = [];
  for (let k = 0; k <= 6; k++) {
    const q = k / 6;  // left: the minimum, right: the maximum
    stops.push(scaleColor(scale.maximize ? q : 1 - q) + " " + Math.round(q * 100) + "%");
  }
  const end = (v, best) => el("span", { class: "legend-end" + (best ? " best" : ""), "data-end": best ? "best" : "worst" },
    best ? (scale.maximize ? "" : "★ best ") : "", formatNumber(v), best && scale.maximize ? " best ★" : "");
  const pruned = el("span", { class: "legend-pruned" }, el("span", { class: "legend-dash" }),
    " pruned: stopped early, drawn at their last value, not on this colour scale");
  if (scale.lo === null) {
    box.replaceChildren(el("span", { class: "legend-name" }, scale.metric + ": no completed trial yet"), pruned);
    return { metric: scale.metric, min: null, max: null, maximize: scale.maximize };
  }
  const bar = el("span", { class: "legend-bar" });
  bar.style.background = "linear-gradient(to right, " + stops.join(", ") + ")";
  box.replaceChildren(
    el("span", { class: "legend-name" }, "colour: " + scale.metric + " (final value, completed trials)"),
    end(scale.lo, !scale.maximize), bar, end(scale.hi, scale.maximize), pruned);
  return { metric: scale.metric, min: scale.lo, max: scale.hi, maximize: scale.maximize };
}
