// The sweep page's learning curves: a metric per epoch for a set of trials chosen
// above the chart (the 5 best and the 5 latest pruned, the 10 best, every trial, or
// a typed list), plus those ticked in the table. Past MAX_CURVES trials "every
// trial" is downsampled: the KEEP_BEST best and an even sample of the rest, said in
// a note. A few curves get a colour each and a legend; many are coloured by their
// final objective on the parallel coordinates' scale, pruned ones dashed.
import { api } from "./api.js";
import { numberAxis } from "./charts.js";
import { el, panel, setTitle } from "./dom.js";
import { formatNumber, num } from "./format.js";
import { colorScale, drawLegend, legendElement, PRUNED_DASH, scaleColor } from "./parallel_legend.js";
import { objectiveOf } from "./sweep_data.js";
import { TrialCache } from "./trial_cache.js";

export const MAX_CURVES = 300;
export const KEEP_BEST = 50;
const FEW = 12;  // up to this many curves: a colour each and a legend
const MAX_PICKED = 20;
const SETS = [["default", "the 5 best and the 5 latest pruned"], ["best10", "the 10 best"],
              ["all", "every trial"], ["list", "the trials listed:"]];
const COLORS = ["#2957c7", "#1f7a3a", "#8e44ad", "#c0392b", "#16a085", "#e67e22", "#34495e", "#7f8c8d", "#d35400", "#2c3e50"];
const PICK_COLORS = ["#6a4c93", "#e76f51", "#2a9d8f", "#264653", "#f4a261", "#9d4edd"];

// "3, 7, 12-15" → [3, 7, 12, 13, 14, 15] (at most `most`, repeats dropped).
export function parseList(text, most = MAX_CURVES) {
  const out = new Set();
  for (const part of String(text).split(/[\s,;]+/).filter((p) => p)) {
    const m = part.match(/^(\d+)(?:-(\d+))?$/);
    if (!m) continue;
    const from = Number(m[1]), to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && out.size < most; i++) out.add(i);
  }
  return [...out];
}

// Trials with a row (listed by the API): the planned ones that never started have none.
const rowsOf = (sweep) => ["pending", "running", "completed", "failed", "pruned", "cancelled"]
  .reduce((n, k) => n + (num(sweep.counts[k]) || 0), 0);

export class Curves {
  // on.drawn(drawn) follows each draw, on.change() a change of the controls.
  constructor(sweepId, charts, on) {
    this.sweepId = sweepId;
    this.charts = charts;
    this.on = on;
    this.cache = new TrialCache(sweepId);
    this.set = "default";
    this.metric = "";  // "": the objective's
    this.generation = 0;
  }

  element() {
    const set = el("select", { id: "curve-set", onchange: (e) => {
      this.set = e.target.value;
      document.getElementById("curve-list").hidden = this.set !== "list";
      this.on.change();
    } }, SETS.map(([v, text]) => el("option", { value: v }, text)));
    const list = el("input", { id: "curve-list", class: "list", placeholder: "3, 7, 12-15", hidden: "",
                               onchange: () => this.on.change() });
    const metric = el("select", { id: "curve-metric", onchange: (e) => { this.metric = e.target.value; this.on.change(); } });
    return panel("curves", "Learning curves", null,
      el("div", { class: "controls" }, el("label", {}, "metric ", metric), el("label", {}, "trials ", set), list,
        el("span", { class: "sub", id: "curve-note" })),
      el("div", { class: "chart" }, el("canvas", { id: "curves" })), legendElement("curves-legend"));
  }

  // Which trials: { indices, note, downsampled }.
  async choose(sweep) {
    const id = encodeURIComponent(sweep.id);
    const best = async (k) => ((await api("/api/v1/sweeps/" + id + "/best?k=" + k)).trials || []).map((t) => num(t.index));
    if (this.set === "best10") return { indices: await best(10), note: "" };
    if (this.set === "list") {
      const wanted = parseList(document.getElementById("curve-list").value);
      return { indices: wanted, note: wanted.length ? "" : "type trial numbers: 3, 7, 12-15" };
    }
    if (this.set === "all") {
      // The trials that exist (a planned one may have no row yet): listed when few, else
      // the highest index bounds an even sample.
      const list = (q) => api("/api/v1/sweeps/" + id + "/trials?sort_by=index&" + q);
      if (rowsOf(sweep) <= MAX_CURVES) {
        return { indices: ((await list("page_size=" + MAX_CURVES)).trials || []).map((t) => num(t.index)), note: "" };
      }
      const last = ((await list("descending=true&page_size=1")).trials || [])[0];
      const rows = last ? num(last.index) + 1 : 0;
      const top = await best(KEEP_BEST);
      const taken = new Set(top), m = MAX_CURVES - top.length, step = rows / m;
      const sample = [];
      for (let j = 0; j < m; j++) {
        const i = Math.min(rows - 1, Math.floor((j + 0.5) * step));
        if (!taken.has(i)) { taken.add(i); sample.push(i); }
      }
      return { indices: [...top, ...sample], downsampled: true,
               note: "downsampled: " + (top.length + sample.length) + " of " + rows + " trials, the " + top.length +
                     " best and " + sample.length + " others evenly spaced by trial number (one in about " + Math.round(step) + ")" };
    }
    const pruned = await api("/api/v1/sweeps/" + id + "/trials?status=PRUNED&sort_by=index&descending=true&page_size=5");
    return { indices: [...new Set([...(await best(5)), ...(pruned.trials || []).map((t) => num(t.index))])], note: "" };
  }

  // Draws the chosen trials and `picks` (the table's ticks); returns what it drew
  // (undefined when a newer draw started meanwhile).
  async draw(sweep, picks) {
    const generation = ++this.generation;
    const objective = objectiveOf(sweep);
    const chosen = await this.choose(sweep);
    const inSet = new Set(chosen.indices);
    const picked = [...picks].filter((i) => !inSet.has(i)).slice(0, MAX_PICKED);
    const details = await this.cache.get([...chosen.indices, ...picked]);
    if (generation !== this.generation) return undefined;
    this.metricOptions(details, objective.metric);
    const metric = this.metric || objective.metric;
    const trials = [...details.values()];
    const few = trials.length <= FEW;
    const scale = colorScale(objective.metric, trials.filter((t) => t.status === "COMPLETED" && t.objective !== undefined)
      .map((t) => t.objective), objective.maximize);
    let points = 0, empty = 0, k = 0;
    const datasets = [];
    for (const t of trials) {
      const data = t.epochs.filter((e) => e.metrics && metric in e.metrics).map((e) => ({ x: num(e.epoch), y: e.metrics[metric] }))
        .sort((a, b) => a.x - b.x);
      if (!data.length) { empty += 1; continue; }
      points += data.length;
      const cut = t.status === "PRUNED", pick = !inSet.has(t.index);
      const color = pick ? PICK_COLORS[datasets.length % PICK_COLORS.length]
        : cut ? (few ? "#d4a300" : "rgba(95,100,112,0.6)")
        : few || t.objective === undefined ? COLORS[k++ % COLORS.length] : scaleColor(scale.good(t.objective), 0.7);
      datasets.push({ label: "trial " + t.index + (cut ? " (pruned)" : "") + (pick ? " (picked)" : ""), data, trial: t.index,
                      pruned: cut, picked: pick, borderColor: color, backgroundColor: color,
                      borderDash: pick ? [2, 3] : cut ? PRUNED_DASH : [], borderWidth: few ? 2 : 1,
                      pointRadius: few ? 1.5 : 0, fill: false });
    }
    const setText = SETS.find(([v]) => v === this.set)[1].replace(/:$/, "");
    setTitle("curves", "Learning curves: " + metric + " per epoch, " + setText + (picked.length ? " and the ticked trials" : ""));
    const chart = this.charts.draw("curves", {
      type: "line",
      data: { datasets },
      options: { animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
                 scales: { x: numberAxis("epoch", false), y: numberAxis(metric, false) },
                 plugins: { legend: { display: few, position: "right" },
                            tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + formatNumber(ctx.raw.y) + " at epoch " + ctx.raw.x } } } },
    });
    const legend = document.getElementById("curves-legend");
    if (few) legend.replaceChildren(); else drawLegend("curves-legend", scale);
    const missing = chosen.indices.filter((i) => !details.has(i));
    document.getElementById("curve-note").textContent = [chosen.note,
      missing.length ? "no trial " + missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", …" : "") : "",
      empty ? empty + " of them without " + metric + " values yet" : ""].filter((s) => s).join(" · ");
    return { chart, points, shown: datasets.length, picked: picked.length, metric, set: this.set,
             chosen: chosen.indices.length, downsampled: Boolean(chosen.downsampled),
             pruned: datasets.filter((d) => d.pruned && !d.picked).length };
  }

  // The metric menu: the objective's first, then every metric the trials report.
  metricOptions(details, objectiveMetric) {
    const names = new Set([objectiveMetric]);
    for (const t of details.values()) for (const e of t.epochs) for (const m of Object.keys(e.metrics || {})) names.add(m);
    const list = [objectiveMetric, ...[...names].filter((m) => m !== objectiveMetric).sort()];
    const select = document.getElementById("curve-metric");
    if (select.dataset.names === list.join(",")) return;
    select.dataset.names = list.join(",");
    select.replaceChildren(...list.map((m) => el("option", { value: m }, m + (m === objectiveMetric ? " (objective)" : ""))));
    select.value = this.metric || objectiveMetric;
  }
}
