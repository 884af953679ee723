// A multi-objective sweep's Pareto front (GET /api/v1/sweeps/{id}/pareto): its
// ranked trials on two of its objectives (with three or more, two menus choose the
// pair; the first two at first), the front (rank 0) highlighted and joined in order
// of the x axis, dominated trials faded; a click on a point opens its trial. Beside
// it, the front's hypervolume as the trials finished, against the fixed reference
// point the server states. A sweep of one objective gets neither panel and never asks
// for them.
import { api } from "./api.js";
import { numberAxis } from "./charts.js";
import { el, panel, setTitle } from "./dom.js";
import { formatNumber } from "./format.js";

const FRONT_COLOR = "#c0392b";
const DOMINATED_COLOR = "rgba(41,87,199,0.3)";

// Several objectives: GetSweep carries its `pareto` summary only then.
export const multiObjective = (sweep) => Boolean(sweep && sweep.pareto);

// "val_accuracy (max)": an objective as an axis names it.
const objectiveName = (p, i) => p.metrics[i] + (p.maximize[i] ? " (max)" : " (min)");

// The reference point, objective by objective: "val_accuracy 0.81, parameter_count 1.1e+04"
// (none before a trial has completed).
const referenceText = (p) => (p.reference_point.length
  ? p.metrics.map((m, i) => m + " " + formatNumber(p.reference_point[i])).join(", ") : "none until a trial completes");

// A click on a point of `chart` opens that trial's page.
const openTrial = (sweepId) => (_e, items) => {
  const d = items.length ? items[0].element.$context.raw : null;
  if (d && d.trial !== undefined) location.href = "/sweeps/" + encodeURIComponent(sweepId) + "/trials/" + d.trial;
};

export class Pareto {
  // on.drawn({ scatter, history }) follows each draw (the menus' included).
  constructor(charts, on) {
    this.charts = charts;
    this.on = on;
    this.pair = [0, 1];  // the objectives on x and y
    this.data = null;  // the last /pareto answer
    this.sweepId = "";
  }

  // The box the panels go in: empty and hidden until a multi-objective sweep is drawn.
  element() {
    return el("div", { class: "charts", id: "pareto-charts", hidden: "" });
  }

  // Fetches and draws `sweep`'s front and hypervolume; for one objective, nothing
  // (null). Returns what it drew: { scatter, history }.
  async draw(sweep) {
    if (!multiObjective(sweep)) return null;
    this.data = await api("/api/v1/sweeps/" + encodeURIComponent(sweep.id) + "/pareto");
    this.sweepId = sweep.id;
    this.layout();
    const drawn = { scatter: this.drawFront(), history: this.drawHypervolume() };
    this.on.drawn(drawn);
    return drawn;
  }

  // The two panels, made again only when the objectives change (an objective per
  // menu; the menus only with three or more objectives).
  layout() {
    const p = this.data, box = document.getElementById("pareto-charts");
    const key = p.metrics.map((m, i) => objectiveName(p, i)).join(",");
    if (box.dataset.objectives === key) return;
    box.dataset.objectives = key;
    this.pair = [0, 1];
    const menu = (id, axis) => {
      const select = el("select", { id, onchange: (e) => {
        this.pair[axis] = Number(e.target.value);
        this.on.drawn({ scatter: this.drawFront() });
      } }, p.metrics.map((_m, i) => el("option", { value: String(i) }, objectiveName(p, i))));
      select.value = String(this.pair[axis]);
      return select;
    };
    const menus = p.metrics.length > 2
      ? el("div", { class: "controls" }, el("label", {}, "x ", menu("pareto-x", 0)), el("label", {}, "y ", menu("pareto-y", 1)))
      : null;
    box.replaceChildren(
      panel("pareto", "Pareto front", null, menus, el("div", { class: "chart" }, el("canvas", { id: "pareto" })),
        el("div", { class: "sub", id: "pareto-note" })),
      panel("hypervolume", "Hypervolume", null, el("div", { class: "chart" }, el("canvas", { id: "hypervolume" })),
        el("div", { class: "sub", id: "hypervolume-note" })));
    box.hidden = false;
  }

  // The ranked trials on the chosen pair: the front joined along x, the rest faded.
  // Both sorted by x (Chart.js, parsing off, takes a dataset's x range from its ends).
  drawFront() {
    const p = this.data, [i, j] = this.pair;
    const all = p.points.map((pt) => ({ x: pt.values[i], y: pt.values[j], trial: pt.trial, rank: pt.rank }));
    const byX = (a, b) => a.x - b.x || a.y - b.y;
    const front = all.filter((d) => d.rank === 0).sort(byX);
    const dominated = all.filter((d) => d.rank !== 0).sort(byX);
    const xName = objectiveName(p, i), yName = objectiveName(p, j);
    setTitle("pareto", "Pareto front: " + yName + " against " + xName + ", the front (rank 0) joined, dominated trials faded");
    const small = all.length > 2000;
    const chart = this.charts.draw("pareto", {
      type: "scatter",
      data: { datasets: [
        { label: "front (rank 0)", data: front, showLine: true, borderColor: FRONT_COLOR, backgroundColor: FRONT_COLOR,
          borderWidth: 1.5, radius: small ? 2.5 : 4.5 },
        { label: "dominated (rank ≥ 1)", data: dominated, backgroundColor: DOMINATED_COLOR, radius: small ? 1.5 : 3 },
      ] },
      options: {
        animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
        scales: { x: numberAxis(xName, false), y: numberAxis(yName, false) },
        plugins: { tooltip: { callbacks: { label: (ctx) => "trial " + ctx.raw.trial + " (rank " + ctx.raw.rank + "): " +
          p.metrics[i] + " " + formatNumber(ctx.raw.x) + ", " + p.metrics[j] + " " + formatNumber(ctx.raw.y) } } },
        onClick: openTrial(this.sweepId),
      },
    });
    const total = Number(p.ranked_trials);
    document.getElementById("pareto-note").textContent = p.front_size + " of " + total + " ranked trials on the front" +
      (total > all.length ? " · showing the " + all.length + " best ranked" : "") +
      (p.metrics.length > 2 ? " · the front is over all " + p.metrics.length + " objectives, drawn on two" : "");
    return { chart, points: all.length, front: front.length };
  }

  // The hypervolume after each ranked trial, in finish order, against the reference
  // point of all of them (so it never falls).
  drawHypervolume() {
    const p = this.data;
    const data = p.hypervolume_history.map((h) => ({ x: h.x, y: h.y, trial: h.trial }));
    setTitle("hypervolume", "Hypervolume of the front as trials finished (reference point: " + referenceText(p) + ")");
    const chart = this.charts.draw("hypervolume", {
      type: "line",
      data: { datasets: [{ label: "hypervolume", data, borderColor: "#1f7a3a", backgroundColor: "#1f7a3a", stepped: true,
                           pointRadius: data.length > 200 ? 0 : 2.5 }] },
      options: {
        animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
        scales: { x: numberAxis("ranked trials in finish order", false), y: numberAxis("hypervolume", false) },
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          label: (ctx) => "after trial " + ctx.raw.trial + ": " + formatNumber(ctx.raw.y) } } },
        onClick: openTrial(this.sweepId),
      },
    });
    document.getElementById("hypervolume-note").textContent = "Hypervolume " + formatNumber(p.hypervolume) +
      " against the reference point (" + referenceText(p) + "): each objective's worst value among the ranked " +
      "trials, 10% further out, the same for every step.";
    return { chart, points: data.length };
  }
}
